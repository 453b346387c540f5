"""The scene around a face: background, placement and occluders.

Nuisances are scaled by ``difficulty`` in [0, 2]: background texture
(gradients, low-frequency colour noise, random shapes, stripes,
skin-coloured blobs) and occluders (rectangles, ellipses, hands, hair
strands, sunglasses, glasses frames, bars) placed on random landmarks,
whose ground truth stays in place.
"""
import math

import numpy as np

from .colours import HAIR_TONES, jitter, palette_colour, rand_colour, \
    skin_colour
from .curves import capsule, catmull_rom, ellipse, rotation
from .layout import NUM_KEYPOINTS
from .painter import Painter, lowfreq_noise, stripes
from .render_context import RenderContext


def background(rng, size, difficulty, skin) -> np.ndarray:
    """(size, size, 3) float32 background: a gradient or colour noise,
    then (``difficulty`` > 0) stripes, random shapes and noise.

    Args:
        rng: the sample's generator.
        size: image side in pixels.
        difficulty: nuisance strength in [0, 2].
        skin: BGR skin colour (some shapes take it).
    """
    d = min(difficulty, 2.0)
    if rng.random() < 0.5:  # linear gradient
        a, b = rand_colour(rng), rand_colour(rng)
        ang = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
        t = np.clip((xx - 0.5) * math.cos(ang) + (yy - 0.5) * math.sin(ang) +
                    0.5, 0, 1)
        img = a + (b - a) * t[..., None]
    else:  # low-frequency colour noise
        base = rand_colour(rng, 30, 225)
        img = base + lowfreq_noise(rng, size, int(rng.integers(2, 7))) * \
            rng.uniform(15, 60)
    img = img.astype(np.float32)
    if d <= 0:
        return np.clip(img, 0, 255)
    p = Painter(img)
    if rng.random() < 0.3 * d:
        img += stripes(rng, size, (3, 20), (10, 50))
    n_shapes = int(rng.poisson(4 * d))
    for _ in range(n_shapes):
        c = rng.uniform(-0.1, 1.1, 2) * size
        r = rng.uniform(0.03, 0.25) * size
        col = jitter(rng, skin, 25) if rng.random() < 0.15 else \
            rand_colour(rng)
        kind = rng.integers(3)
        if kind == 0:
            poly = [ellipse(c, r, r * rng.uniform(0.3, 1), rng.uniform(0, 3))]
            p.paint(poly, col, rng.uniform(0.4, 1.0))
        elif kind == 1:
            poly = [ellipse(c, r, r * rng.uniform(0.2, 1), rng.uniform(0, 3),
                            n=4)]
            p.paint(poly, col, rng.uniform(0.4, 1.0))
        else:
            q = c + rng.normal(0, r * 2, 2)
            p.paint([np.stack([c, q])], col, rng.uniform(0.4, 1.0),
                    thickness=int(rng.integers(1, max(2, int(size * 0.02)))),
                    closed=False)
    noise_amp = rng.uniform(0, 12) * d
    if noise_amp > 0:
        img += lowfreq_noise(rng, size, int(rng.integers(16, 48)), 1) * \
            noise_amp
    return np.clip(img, 0, 255)


def place_face(rng, shape, size, theta, frac, margin) -> np.ndarray:
    """Similarity transform mapping the normalised shape to the image.

    Args:
        rng: the sample's generator (the position).
        shape: (68, 2) normalised shape.
        size: image side in pixels.
        theta: in-plane rotation (radians).
        frac: longer side of the keypoint box over ``size``.
        margin: least distance of a keypoint from the border (pixels).

    Returns:
        (2, 3) transform, face frame -> pixels.
    """
    R = rotation(theta)
    rot = shape @ R.T
    ext = (rot.max(0) - rot.min(0)).max()
    scale = frac * size / ext
    pts = rot * scale
    lo, hi = pts.min(0), pts.max(0)
    t = np.empty(2)
    for k in range(2):
        a, b = margin - lo[k], size - 1 - margin - hi[k]
        t[k] = rng.uniform(a, b) if b > a else (a + b) / 2
    M = np.zeros((2, 3))
    M[:, :2] = R * scale
    M[:, 2] = t
    return M


def _hand(ctx: RenderContext, c, r, ang, skin) -> None:
    p, rng = ctx.painter, ctx.rng
    hcol = jitter(rng, skin_colour(rng, 1.0) if rng.random() < 0.5
                  else skin, 15)
    d = np.array([math.cos(ang), math.sin(ang)])
    nrm = np.array([-d[1], d[0]])
    palm_c = c - d * r * 0.4
    polys = [ellipse(palm_c, r * 0.6, r * 0.5, ang)]
    for k in range(4):
        base = palm_c + nrm * r * (k - 1.5) * 0.3 + d * r * 0.3
        fd = d + nrm * (k - 1.5) * 0.12
        tip = base + fd * r * rng.uniform(0.7, 1.0)
        polys.append(capsule(base, tip, r * 0.12))
    tb = palm_c - nrm * r * 0.5
    polys.append(capsule(tb, tb - nrm * r * 0.5 + d * r * 0.3, r * 0.13))
    for poly in polys:
        p.paint([poly], hcol * 0.7, thickness=1)
    for poly in polys:
        p.paint([poly], hcol)


def _hair_strands(ctx: RenderContext, c, r) -> None:
    p, rng = ctx.painter, ctx.rng
    hcol = palette_colour(rng, HAIR_TONES, 10)
    for _ in range(int(rng.integers(3, 10))):
        st = c + rng.normal(0, r * 0.6, 2) + np.array([0, -r * 1.5])
        pts = [st]
        for _ in range(3):
            pts.append(pts[-1] + np.array([rng.normal(0, 0.4 * r),
                                           r * rng.uniform(0.5, 1.1)]))
        curve = catmull_rom(np.array(pts), samples=6)
        p.paint([curve], hcol, thickness=max(1, int(ctx.scale * rng.uniform(
            0.008, 0.03))), closed=False)


def _glasses(ctx: RenderContext, kpts, dark: bool) -> None:
    p, rng, B = ctx.painter, ctx.rng, ctx.scale
    fcol = rand_colour(rng, 0, 120)
    for a, b in ((36, 42), (42, 48)):
        e = kpts[a:b]
        ec = e.mean(0)
        ew = np.linalg.norm(kpts[a + 3] - kpts[a])
        v = kpts[a + 3] - kpts[a]
        ea = math.atan2(v[1], v[0])
        lens = ellipse(ec, ew * 0.85, ew * 0.6, ea)
        if dark:
            p.paint([lens], fcol * 0.4, alpha=rng.uniform(0.85, 1.0))
        p.paint([lens], fcol, thickness=max(1, int(B * 0.015)))
    p.paint([kpts[[39, 42]]], fcol, thickness=max(1, int(B * 0.012)),
            closed=False)


def occluders(ctx: RenderContext, kpts: np.ndarray, skin, n: int,
              big: bool) -> None:
    """``n`` occluders centred near random landmarks.

    Args:
        ctx: canvas, generator and placement (its scale sizes them).
        kpts: (68, 2) landmarks in pixels.
        skin: BGR skin colour (hands may take it).
        n: number of occluders.
        big: larger occluders (hard and challenge faces).
    """
    p, rng, B = ctx.painter, ctx.rng, ctx.scale
    for _ in range(n):
        c = kpts[rng.integers(NUM_KEYPOINTS)] + rng.normal(0, 0.08 * B, 2)
        r = B * (rng.uniform(0.15, 0.3) if big else rng.uniform(0.08, 0.2))
        if rng.random() < 0.5:
            col = rand_colour(rng)
        else:
            col = rand_colour(rng, 30, 220) + lowfreq_noise(
                rng, ctx.size, int(rng.integers(4, 24))) * \
                rng.uniform(10, 50)
        kind = rng.choice(['rect', 'ellipse', 'hand', 'hair', 'sunglasses',
                           'glasses', 'bar'],
                          p=[0.2, 0.15, 0.2, 0.15, 0.1, 0.1, 0.1])
        ang = rng.uniform(0, np.pi)
        if kind == 'rect':
            poly = ellipse(c, r, r * rng.uniform(0.3, 1.0), ang, n=4)
            p.paint([poly], col)
        elif kind == 'ellipse':
            p.paint([ellipse(c, r, r * rng.uniform(0.4, 1.0), ang)], col)
        elif kind == 'bar':
            q = rng.normal(0, 1, 2)
            q = q / max(np.linalg.norm(q), 1e-6) * r * 2.5
            p.paint([capsule(c - q, c + q, r * rng.uniform(0.1, 0.25))], col)
        elif kind == 'hand':
            _hand(ctx, c, r, ang, skin)
        elif kind == 'hair':
            _hair_strands(ctx, c, r)
        else:  # glasses over both eyes
            _glasses(ctx, kpts, dark=kind == 'sunglasses')
