"""Brows, eyes, nose and mouth drawn in a :class:`~.styles.FaceStyle`.

Every part is built on its landmarks so that the pixels fix them: the
brow landmarks are the upper edge of the band (or the line), the eye
corners are sharp polygon corners, the nose base is a dark spline, the lips
are filled polygons with a dark inner mouth. Each ``draw_*`` function reads
the style from ``ctx.style`` and takes the part's landmarks in the
normalised face frame.
"""
import math
from typing import Tuple

import numpy as np

from .colours import IRIS_TONES, jitter, palette_colour, random_hue
from .curves import catmull_rom, ellipse, tangent_normals
from .painter import Painter
from .render_context import RenderContext
from .styles import part_colour


def eye_outline(e: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper lid, lower lid and sclera polygon of the 6 eye landmarks
    ``e`` (6, 2): the lids meet in sharp corners at ``e[0]`` and
    ``e[3]``."""
    upper = catmull_rom(e[0:4], samples=6)
    lower = catmull_rom(np.stack([e[3], e[4], e[5], e[0]]), samples=6)
    return upper, lower, np.concatenate([upper, lower[1:-1]])


def paint_iris(p: Painter, T, roi, poly_i, ic, r, colour,
               highlight: float) -> None:
    """Iris, pupil and highlight clipped to the painted sclera.

    Args:
        p: the canvas.
        T: face frame -> pixels.
        roi: the sclera's painted box.
        poly_i: (P, 2) sclera polygon in pixels.
        ic: (2,) iris centre, face frame.
        r: iris radius, face units.
        colour: BGR iris colour.
        highlight: the highlight's radius relative to ``r``.
    """
    clip = p.polygon_clip(poly_i, roi)
    p.paint([T(ellipse(ic, r, r, n=20))], colour, clip=clip)
    p.paint([T(ellipse(ic, r * 0.45, r * 0.45, n=16))], (10, 10, 10),
            clip=clip)
    hc = ic + np.array([-0.3, -0.3]) * r
    p.paint([T(ellipse(hc, r * highlight, r * highlight, n=8))],
            (245, 245, 245), alpha=0.8, clip=clip)


def paint_teeth(p: Painter, rng, roi, inner, up_i, gap, T) -> None:
    """Teeth under the upper inner lip of an open mouth, clipped to the
    inner mouth polygon; 70 % of open mouths.

    Args:
        p: the canvas.
        rng: the sample's generator.
        roi: the inner mouth's painted box (``None``: nothing painted).
        inner: (P, 2) inner mouth polygon in pixels.
        up_i: (Q, 2) upper inner lip spline, face frame.
        gap: lip opening in face units.
        T: face frame -> pixels.
    """
    if roi is not None and gap > 0.02 and rng.random() < 0.7:
        clip = p.polygon_clip(inner, roi)
        tdepth = gap * rng.uniform(0.3, 0.6)
        teeth = np.concatenate([up_i, up_i[::-1] + np.array([0, tdepth])])
        p.paint([T(teeth)], jitter(rng, np.array([215, 230, 235]), 12),
                clip=clip)


def draw_brow(ctx: RenderContext, pts: np.ndarray, col,
              inner_last: bool) -> None:
    """One brow: ``pts`` (5, 2) on the upper edge of a tapered band (or on
    its line); ``inner_last``: the inner end is the last point."""
    p, rng, st, T, px = (ctx.painter, ctx.rng, ctx.style, ctx.to_image,
                         ctx.px)
    c = catmull_rom(pts, samples=6)
    u = np.linspace(0, 1, len(c))
    if not inner_last:
        u = u[::-1]
    th = rng.uniform(0.02, 0.055)
    prof = th * (0.35 + 0.65 * np.sqrt(u))
    nrm = tangent_normals(c)
    nrm *= np.sign(nrm[:, 1:2] + 1e-9)  # down
    lower = c + nrm * prof[:, None]
    band = np.concatenate([c, lower[::-1]])
    if st.brow == 'band':
        p.paint([T(band)], col, alpha=rng.uniform(0.6, 1.0))
    elif st.brow == 'line':
        p.paint([T(c)], col, thickness=px(st.stroke * 1.2), closed=False)
    elif st.brow == 'outline':
        p.paint([T(band)], col, thickness=px(st.stroke * 0.6))
    else:  # hair strokes hanging from the upper edge
        n = int(rng.integers(7, 14))
        idx = np.linspace(0, len(c) - 1, n).round().astype(int)
        lean = rng.uniform(0.2, 0.7) * (1 if inner_last else -1)
        for i in idx:
            q0 = c[i]
            q1 = q0 + np.array([lean * prof[i], prof[i] * 1.2])
            p.paint([T(np.stack([q0, q1]))], col, thickness=px(0.01),
                    closed=False)
        p.paint([T(c)], col, thickness=1, closed=False)


def draw_eye(ctx: RenderContext, e: np.ndarray, ink, iris_col) -> None:
    """One eye from its 6 landmarks ``e`` (6, 2)."""
    p, rng, st, T, px = (ctx.painter, ctx.rng, ctx.style, ctx.to_image,
                         ctx.px)
    upper, lower, poly = eye_outline(e)
    poly_i = T(poly)
    kind = st.eye
    ew = np.linalg.norm(e[3] - e[0])
    if kind == 'dark':
        p.paint([poly_i], ink)
        hc = e.mean(0) + np.array([-0.1, -0.15]) * ew
        p.paint([T(ellipse(hc, ew * 0.07, ew * 0.07, n=8))],
                (240, 240, 240), alpha=0.8)
        return
    if kind == 'outline':
        roi = None
        ic = e.mean(0) + np.array([rng.uniform(-0.12, 0.12) * ew, 0])
        r = ew * 0.1
        p.paint([T(ellipse(ic, r, r, n=10))], ink)
    else:
        sclera = jitter(rng, np.array([225, 232, 238], np.float32), 12)
        roi = p.paint([poly_i], sclera)
    if roi is not None:
        gaze = np.array([rng.uniform(-0.18, 0.18), rng.uniform(-0.06, 0.06)])
        ic = (e[0] + e[3]) / 2 + gaze * ew
        r = ew * (rng.uniform(0.3, 0.38) if kind == 'cartoon'
                  else rng.uniform(0.2, 0.26))
        paint_iris(p, T, roi, poly_i, ic, r, iris_col, highlight=0.2)
    t = px(st.stroke * 0.8)
    if kind == 'liner':
        shadow = np.concatenate([upper, (upper + np.array(
            [0, -0.045]))[::-1]])
        p.paint([T(shadow)], random_hue(rng, 60, 200),
                alpha=rng.uniform(0.4, 0.8), blur=1.0)
        p.paint([T(upper)], ink, thickness=max(2, px(0.022)), closed=False)
        p.paint([T(lower)], ink, alpha=0.8, thickness=t, closed=False)
    elif kind == 'cartoon':
        p.paint([poly_i], ink, thickness=max(2, px(0.018)))
    else:
        p.paint([T(lower)], ink, alpha=0.75, thickness=t, closed=False)
        p.paint([T(upper)], ink, thickness=t + 1, closed=False)


def draw_nose(ctx: RenderContext, n9: np.ndarray, skin, ink) -> None:
    """The nose from landmarks 27-35 ``n9`` (9, 2): ridge, tip highlight,
    nostrils, alar creases and the dark base spline."""
    p, rng, st, T, px = (ctx.painter, ctx.rng, ctx.style, ctx.to_image,
                         ctx.px)
    w = np.linalg.norm(n9[8] - n9[4])
    ridge = catmull_rom(n9[0:4], samples=6)
    base = catmull_rom(n9[4:9], samples=5)
    dark = ink if st.line else skin * 0.45
    if st.nose == 'real':
        side = 1 if rng.random() < 0.5 else -1
        p.paint([T(ridge + np.array([side * 0.008, 0]))], skin * 0.6,
                alpha=rng.uniform(0.3, 0.6), thickness=px(0.02),
                closed=False, blur=1.0)
        p.paint([T(ridge)], dark, alpha=rng.uniform(0.6, 0.9),
                thickness=px(0.014), closed=False)
    elif st.nose == 'line':
        p.paint([T(ridge)], dark, thickness=px(st.stroke), closed=False)
    else:  # shadow: a soft band beside the ridge, sharp edge on it
        side = 1 if rng.random() < 0.5 else -1
        off = ridge + np.array([side * 0.035, 0])
        band = np.concatenate([ridge, off[::-1]])
        p.paint([T(band)], skin * 0.55, alpha=rng.uniform(0.5, 0.9))
    p.paint([T(ellipse(n9[3] + np.array([0, -0.01]), 0.3 * w, 0.18 * w))],
            np.minimum(skin * 1.3 + 20, 255) if not st.line else dark,
            alpha=0.5 if not st.line else 0.8)
    for i, j in ((5, 4), (7, 8)):
        c = n9[i] * 0.65 + n9[j] * 0.35 + np.array([0, -0.12 * w])
        ang = math.atan2(n9[j, 1] - n9[i, 1], n9[j, 0] - n9[i, 0])
        p.paint([T(ellipse(c, 0.2 * w, 0.09 * w, ang, n=12))], dark * 0.6,
                alpha=0.85)
    for i, sg in ((4, -1), (8, 1)):
        ala = np.array([n9[i], n9[i] + np.array([sg * 0.12 * w, -0.3 * w]),
                        n9[i] + np.array([-sg * 0.02 * w, -0.6 * w])])
        p.paint([T(catmull_rom(ala, samples=5))], dark, alpha=0.7,
                thickness=px(0.012), closed=False)
    p.paint([T(base)], dark, alpha=0.9, thickness=px(st.stroke * 0.9),
            closed=False)


def draw_mouth(ctx: RenderContext, m20: np.ndarray, skin, ink) -> None:
    """The mouth from landmarks 48-67 ``m20`` (20, 2): outer lips filled,
    the inner mouth dark (with teeth when open) and outlined."""
    p, rng, st, T, px = (ctx.painter, ctx.rng, ctx.style, ctx.to_image,
                         ctx.px)
    up_o = catmull_rom(m20[0:7], samples=6)
    lo_o = catmull_rom(m20[[6, 7, 8, 9, 10, 11, 0]], samples=6)
    outer = T(np.concatenate([up_o, lo_o[1:-1]]))
    up_i = catmull_rom(m20[12:17], samples=6)
    lo_i = catmull_rom(m20[[16, 17, 18, 19, 12]], samples=6)
    inner = T(np.concatenate([up_i, lo_i[1:-1]]))
    kind = st.mouth
    t = px(st.stroke * 0.8)
    mouth_dark = np.array([35, 25, 55], np.float32) * rng.uniform(0.5, 1.2)
    if kind == 'outline':
        p.paint([inner], mouth_dark if not st.line else ink,
                alpha=rng.uniform(0.0, 1.0))
        p.paint([outer], ink, thickness=t)
        p.paint([inner], ink, thickness=t)
        return
    if kind == 'real':
        lip = skin * rng.uniform(0.5, 0.8) + \
            np.array([0, 0, 1], np.float32) * rng.uniform(10, 60)
    elif kind == 'lipstick':
        lip = random_hue(rng, 60, 230)
    else:  # thin: lips nearly skin coloured, outline faint
        lip = skin * rng.uniform(0.8, 0.92)
    lip = np.clip(lip, 0, 255).astype(np.float32)
    p.paint([outer], lip)
    p.paint([outer], lip * 0.6, alpha=0.9 if kind != 'thin' else 0.6,
            thickness=1)
    roi = p.paint([inner], mouth_dark)
    gap = float((m20[[17, 18, 19], 1] - m20[[15, 14, 13], 1]).max())
    paint_teeth(p, rng, roi, inner, up_i, gap, T)
    p.paint([inner], mouth_dark * 0.8, thickness=px(0.008))


def draw_features(ctx: RenderContext, s: np.ndarray, skin,
                  hair_col) -> None:
    """Brows, eyes, nose and mouth of a face in style ``ctx.style``
    (``s`` (68, 2) may be any shape placed by ``ctx``)."""
    rng, st = ctx.rng, ctx.style
    brow_col = part_colour(rng, st, hair_col * rng.uniform(0.4, 1.0)
                           if rng.random() < 0.7 else st.ink)
    for a, b, inner_last in ((17, 22, True), (22, 27, False)):
        draw_brow(ctx, s[a:b], brow_col, inner_last)
    eye_ink = part_colour(rng, st, np.minimum(skin * rng.uniform(0.15, 0.4),
                                              hair_col + 30))
    iris = palette_colour(rng, IRIS_TONES, 15) \
        if rng.random() < 0.7 else random_hue(rng, 40, 200)
    for a in (36, 42):
        draw_eye(ctx, s[a:a + 6], eye_ink, iris)
    draw_nose(ctx, s[27:36], skin, part_colour(rng, st, skin * 0.4))
    draw_mouth(ctx, s[48:68], skin, part_colour(rng, st, skin * 0.35))
