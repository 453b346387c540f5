"""The head outline of a 68-point shape and the test of a drawable shape.

The head is the jaw spline (landmarks 0-16) closed over the brows by a
forehead arc; a shape is drawable (:func:`plausible`) when that outline
exists and holds every inner feature.
"""
from typing import Optional

import cv2
import numpy as np

from .curves import catmull_rom


def head_outline(s: np.ndarray, forehead: float = 0.3,
                 bulge: float = 0.05) -> Optional[np.ndarray]:
    """Closed head outline of a normalised shape.

    The jaw spline 0 -> 16, then the upper half of the convex hull of a
    forehead arc, the brows and eyes (pushed out by a margin) and the jaw
    ends, back from 16 to 0.

    Args:
        s: (68, 2) normalised, upright shape.
        forehead: height of the forehead arc above the brows.
        bulge: sideways bulge of the arc.

    Returns:
        (P, 2) outline, or ``None`` when a jaw end is not on that hull (it
        would not lie on the outline).
    """
    jaw = catmull_rom(s[0:17], samples=6)
    p0, p16 = s[0], s[16]
    top = s[17:27, 1].min() - forehead
    cx, a = (p0[0] + p16[0]) / 2, (p16[0] - p0[0]) / 2
    phi = np.linspace(0, np.pi, 25)[1:-1]
    ybase = p16[1] + (p0[1] - p16[1]) * phi / np.pi
    b = ybase.mean() - top
    arc = np.stack([cx + a * np.cos(phi) * (1 + bulge * np.sin(phi)),
                    ybase - b * np.sin(phi)], 1)
    c = s[17:48].mean(0)
    v = s[17:48] - c
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    for margin in (0.04, 0.025):
        pts = np.concatenate([[p16], arc, s[17:48] + v * margin,
                              [p0]]).astype(np.float32)
        hull = cv2.convexHull(pts, returnPoints=False).ravel().tolist()
        last = len(pts) - 1
        if 0 in hull and last in hull:
            break
    else:
        return None
    i, j, n = hull.index(0), hull.index(last), len(hull)
    fwd = [hull[(i + k) % n] for k in range((j - i) % n + 1)]
    bwd = [hull[(i - k) % n] for k in range((i - j) % n + 1)]
    chains = [pts[fwd].astype(np.float64), pts[bwd].astype(np.float64)]
    upper = min(chains, key=lambda q: q[:, 1].mean())
    if len(upper) < 3:
        return None
    return np.concatenate([jaw, upper[1:-1]])


def plausible(s: np.ndarray, margin: float = 0.01) -> bool:
    """A drawable shape: a valid head outline holding every inner feature
    (27-67) at least ``margin`` inside, eyes and lips not self-crossing.

    Args:
        s: (68, 2) normalised, upright shape.
        margin: least distance of an inner landmark inside the outline.

    Returns:
        Whether the shape can be drawn with every landmark on a feature.
    """
    head = head_outline(s)
    if head is None:
        return False
    h32 = head.astype(np.float32)
    for q in s[27:68]:
        if cv2.pointPolygonTest(h32, (float(q[0]), float(q[1])),
                                True) < margin:
            return False
    # lids: upper above lower relative to the corner line
    for a, up, lo in ((36, (37, 38), (41, 40)), (42, (43, 44), (47, 46))):
        if np.any(s[list(up), 1] > s[list(lo), 1] + 1e-6):
            return False
    return bool(s[[48, 60], 0].max() < s[[54, 64], 0].min())
