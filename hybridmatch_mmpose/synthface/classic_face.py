"""The ``classic`` face painter: one shaded, photo-like drawing style.

Head, hair, neck and ears come from :mod:`.head_and_hair` (shared with the
styled painter); the features are drawn here:

* brows 17-21 / 22-26: the landmarks are the *upper edge* of a dark,
  tapered band hanging below the spline (iBUG annotates the brow's upper
  contour);
* nose: a shaded ridge line through 27-30 ending in a highlight at the tip
  30; the nose base is a dark spline 31-35 with nostril blobs above 32 and
  34 and alar creases starting at 31 and 35;
* eyes: a sclera polygon bounded by the upper-lid spline (36-39 / 42-45)
  and the lower-lid spline (39-41,36 / 45-47,42), with sharp corners at
  36, 39, 42, 45, an iris and pupil clipped to it, and dark lid outlines;
* mouth: the outer lip polygon (48-54 upper, 54-59,48 lower) filled with a
  lip colour, the inner mouth (60-64 / 64-67,60) filled dark (with teeth
  when open) and outlined, so a closed mouth shows its parting line.
"""
import math

import numpy as np

from .colours import HAIR_TONES, IRIS_TONES, jitter, palette_colour
from .curves import catmull_rom, ellipse, tangent_normals
from .facial_parts import eye_outline, paint_iris, paint_teeth
from .head_and_hair import (paint_behind_head, paint_eye_sockets,
                            paint_jaw_rim, paint_top_hair, shade_head_edge,
                            start_face)
from .painter import lowfreq_noise
from .render_context import RenderContext


def _draw_brows(ctx: RenderContext, s: np.ndarray, hair_col) -> None:
    rng, T = ctx.rng, ctx.to_image
    brow_col = hair_col * rng.uniform(0.4, 1.0)
    brow_alpha = rng.uniform(0.55, 1.0)
    th = rng.uniform(0.025, 0.05)
    for a, b, inner_last in ((17, 22, True), (22, 27, False)):
        c = catmull_rom(s[a:b], samples=6)
        u = np.linspace(0, 1, len(c))
        if not inner_last:
            u = u[::-1]
        prof = th * (0.35 + 0.65 * np.sqrt(u))
        nrm = tangent_normals(c)
        nrm *= np.sign(nrm[:, 1:2] + 1e-9)  # point down (+y)
        lower = c + nrm * prof[:, None]
        ctx.painter.paint([T(np.concatenate([c, lower[::-1]]))], brow_col,
                          alpha=brow_alpha)


def _draw_nose(ctx: RenderContext, s: np.ndarray, skin) -> None:
    p, rng, T, px = ctx.painter, ctx.rng, ctx.to_image, ctx.px
    w = np.linalg.norm(s[35] - s[31])
    ridge = catmull_rom(s[27:31], samples=6)
    side = 1 if rng.random() < 0.5 else -1
    p.paint([T(ridge + np.array([side * 0.008, 0]))], skin * 0.6,
            alpha=rng.uniform(0.3, 0.6), thickness=px(0.02), closed=False,
            blur=0.006 * ctx.scale)
    p.paint([T(ridge)], skin * rng.uniform(0.45, 0.65),
            alpha=rng.uniform(0.6, 0.9), thickness=px(0.014), closed=False)
    p.paint([T(ellipse(s[30] + np.array([0, -0.01]), 0.35 * w, 0.2 * w))],
            np.minimum(skin * 1.25 + 15, 255), alpha=0.35,
            blur=0.01 * ctx.scale)
    for i, sg in ((31, -1), (35, 1)):
        ala = np.array([s[i], s[i] + np.array([sg * 0.12 * w, -0.3 * w]),
                        s[i] + np.array([-sg * 0.02 * w, -0.6 * w])])
        p.paint([T(catmull_rom(ala, samples=5))], skin * 0.55, alpha=0.7,
                thickness=px(0.012), closed=False)
    for i, j in ((32, 31), (34, 35)):
        c = s[i] * 0.65 + s[j] * 0.35 + np.array([0, -0.12 * w])
        ang = math.atan2(s[j, 1] - s[i, 1], s[j, 0] - s[i, 0])
        p.paint([T(ellipse(c, 0.2 * w, 0.09 * w, ang, n=12))], skin * 0.25,
                alpha=0.85)
    p.paint([T(catmull_rom(s[31:36], samples=5))], skin * 0.45, alpha=0.9,
            thickness=px(0.012), closed=False)


def _draw_eyes(ctx: RenderContext, s: np.ndarray, skin, hair_col) -> None:
    p, rng, T = ctx.painter, ctx.rng, ctx.to_image
    sclera = jitter(rng, np.array([225, 232, 238], np.float32), 10)
    iris_col = palette_colour(rng, IRIS_TONES, 15)
    lid_col = np.minimum(skin * rng.uniform(0.15, 0.4), hair_col + 30)
    gaze = np.array([rng.uniform(-0.18, 0.18), rng.uniform(-0.06, 0.06)])
    lid_t = ctx.px(0.012)
    for a in (36, 42):
        e = s[a:a + 6]
        upper, lower, poly = eye_outline(e)
        poly_i = T(poly)
        roi = p.paint([poly_i], sclera)
        if roi is not None:
            ew = np.linalg.norm(e[3] - e[0])
            ic = (e[0] + e[3]) / 2 + gaze * ew
            r = ew * rng.uniform(0.2, 0.26)
            paint_iris(p, T, roi, poly_i, ic, r, iris_col, highlight=0.18)
        p.paint([T(lower)], lid_col, alpha=0.7, thickness=lid_t,
                closed=False)
        p.paint([T(upper)], lid_col, thickness=lid_t + 1, closed=False)


def _draw_mouth(ctx: RenderContext, s: np.ndarray, skin) -> None:
    p, rng, T = ctx.painter, ctx.rng, ctx.to_image
    lip_col = skin * rng.uniform(0.5, 0.8) + \
        np.array([0, 0, 1], np.float32) * rng.uniform(10, 60)
    lip_col = np.clip(lip_col, 0, 255).astype(np.float32)
    up_o = catmull_rom(s[48:55], samples=6)
    lo_o = catmull_rom(s[[54, 55, 56, 57, 58, 59, 48]], samples=6)
    outer = T(np.concatenate([up_o, lo_o[1:-1]]))
    p.paint([outer], lip_col)
    p.paint([outer], lip_col * 0.65, alpha=0.8, thickness=1)
    up_i = catmull_rom(s[60:65], samples=6)
    lo_i = catmull_rom(s[[64, 65, 66, 67, 60]], samples=6)
    inner = T(np.concatenate([up_i, lo_i[1:-1]]))
    mouth_dark = np.array([35, 25, 55], np.float32) * rng.uniform(0.5, 1.2)
    roi = p.paint([inner], mouth_dark)
    gap = float((s[[65, 66, 67], 1] - s[[63, 62, 61], 1]).max())
    paint_teeth(p, rng, roi, inner, up_i, gap, T)
    p.paint([inner], mouth_dark * 0.8, thickness=ctx.px(0.008))


def draw_classic_face(ctx: RenderContext, s: np.ndarray, skin) -> None:
    """Draw one face the ``classic`` way: long hair, neck, clothes and
    ears behind a textured, edge-shaded head with a jaw shadow rim, top
    hair, eye sockets, brows, nose, eyes and mouth.

    Args:
        ctx: canvas, generator and placement of the face.
        s: (68, 2) normalised shape.
        skin: BGR skin colour.
    """
    rng, T = ctx.rng, ctx.to_image
    face = start_face(ctx, s, palette_colour(rng, HAIR_TONES, 12))
    long_hair = paint_behind_head(ctx, face, skin, clothes=True)
    paint_jaw_rim(ctx, face, skin)
    # head with skin texture and edge shading
    tex = skin + lowfreq_noise(rng, ctx.size, int(rng.integers(3, 8))) * \
        rng.uniform(4, 14)
    head_img = T(face.head)
    ctx.painter.paint([head_img], tex)
    shade_head_edge(ctx, head_img)
    paint_top_hair(ctx, face, long_hair)
    paint_eye_sockets(ctx, s, skin)
    _draw_brows(ctx, s, face.hair)
    _draw_nose(ctx, s, skin)
    _draw_eyes(ctx, s, skin, face.hair)
    _draw_mouth(ctx, s, skin)
