"""The ``styles`` face painter and the distractor parts drawn around it.

Head, hair, neck and ears come from :mod:`.head_and_hair` (shared with the
classic painter), drawn filled or, in line art, outlined; the skin texture,
the jaw (plain, outlined, beard) and the features follow the face's
:class:`~.styles.FaceStyle` (``ctx.style``).
"""
import math

import numpy as np

from .colours import HAIR_TONES, IRIS_TONES, palette_colour, random_hue
from .curves import rotation
from .facial_parts import (draw_brow, draw_eye, draw_features, draw_mouth,
                           draw_nose)
from .head_and_hair import (LineArt, paint_behind_head, paint_eye_sockets,
                            paint_jaw_rim, paint_top_hair, shade_head_edge,
                            start_face)
from .render_context import RenderContext
from .styles import skin_texture

#: Landmark groups a distractor part copies.
DISTRACTOR_PARTS = dict(
    eye=list(range(36, 42)), eyes=list(range(36, 48)),
    brow=list(range(17, 22)), nose=list(range(27, 36)),
    mouth=list(range(48, 68)),
    eyebrow=list(range(17, 27)) + list(range(36, 48)))


def part_distractors(ctx: RenderContext, s: np.ndarray, skin, hair_col,
                     n: int) -> None:
    """``n`` extra facial parts (eyes, eye pairs, brows, noses, mouths)
    drawn in the face's style around the head; the head is drawn over them
    later, so they never touch the real features.

    Args:
        ctx: canvas, generator, placement and style of the face.
        s: (68, 2) the face's normalised shape.
        skin: BGR skin colour.
        hair_col: BGR hair colour (brows are drawn darker).
        n: number of parts tried (those falling outside the image are
            skipped).
    """
    rng, st = ctx.rng, ctx.style
    names = list(DISTRACTOR_PARTS)
    for _ in range(n):
        g = names[int(rng.integers(len(names)))]
        idx = DISTRACTOR_PARTS[g]
        part = s[idx]
        ang = rng.uniform(0, 2 * np.pi)
        dist = rng.uniform(0.5, 0.85)
        k = rng.uniform(0.7, 1.3)
        rot = rotation(rng.normal(0, 0.4))
        c = part.mean(0)
        q = (part - c) @ rot.T * k + np.array(
            [math.cos(ang), math.sin(ang)]) * dist
        full = s.copy()
        full[idx] = q
        pts = ctx.to_image(q)
        if (pts.max(0) < 0).any() or (pts.min(0) > ctx.size - 1).any():
            continue
        if g in ('eye', 'eyes', 'eyebrow'):
            for a in (36, 42):
                if a in idx:
                    draw_eye(ctx, full[a:a + 6], st.ink,
                             palette_colour(rng, IRIS_TONES, 15))
        if g in ('brow', 'eyebrow'):
            for a, b, il in ((17, 22, True), (22, 27, False)):
                if a in idx:
                    draw_brow(ctx, full[a:b], hair_col * 0.7, il)
        if g == 'nose':
            draw_nose(ctx, full[27:36], skin, st.ink)
        if g == 'mouth':
            draw_mouth(ctx, full[48:68], skin, st.ink)


def draw_styled_face(ctx: RenderContext, s: np.ndarray,
                     n_distract: int = 0) -> None:
    """The ``styles`` drawing of one face: head, hair and features in the
    per-face style ``ctx.style`` (:func:`~.styles.face_style`).

    Args:
        ctx: canvas, generator, placement and style of the face.
        s: (68, 2) normalised shape.
        n_distract: extra parts drawn around the head first
            (:func:`part_distractors`; not under an unfilled line-art
            head, which would not hide them).
    """
    p, rng, st, T = ctx.painter, ctx.rng, ctx.style, ctx.to_image
    skin = st.skin
    line = LineArt(st.ink, ctx.px(st.stroke)) if st.line else None
    hair_col = palette_colour(rng, HAIR_TONES, 12) \
        if rng.random() < 0.75 else random_hue(rng, 30, 220)
    face = start_face(ctx, s, hair_col)
    if n_distract and (not st.line or st.paper):
        part_distractors(ctx, s, skin, hair_col, n_distract)
    long_hair = paint_behind_head(ctx, face, skin, line)

    jaw_i = T(face.jaw)
    head_img = T(face.head)
    if not st.line:
        paint_jaw_rim(ctx, face, skin)
        p.paint([head_img], skin_texture(rng, ctx.size, skin, st.skin_tex))
        if st.mode == 'photo':
            shade_head_edge(ctx, head_img)
    elif st.paper:
        p.paint([head_img], skin)
    if st.line or st.jaw == 'stroke':
        stroke = ctx.px(st.stroke)
        p.paint([T(face.head[len(face.jaw) - 1:])], st.ink,
                alpha=rng.uniform(0.5, 1.0), thickness=stroke, closed=False)
        p.paint([jaw_i], st.ink, thickness=stroke, closed=False)
    elif st.jaw == 'beard':
        cen = np.array([s[27:36, 0].mean(), s[33, 1]])
        inner = cen + (face.jaw - cen) * rng.uniform(0.55, 0.8)
        beard = np.concatenate([face.jaw, inner[::-1]])
        bt = skin_texture(rng, ctx.size, hair_col, 'grain')
        p.paint([T(beard)], bt, alpha=rng.uniform(0.6, 0.95))

    paint_top_hair(ctx, face, long_hair, line)
    if st.mode == 'photo':
        paint_eye_sockets(ctx, s, skin)
    draw_features(ctx, s, skin, hair_col)
