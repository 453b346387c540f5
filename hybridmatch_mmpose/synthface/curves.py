"""Plane geometry of the drawing: splines, ellipses, capsules, rotations.

Shapes live in a normalised face frame (keypoint box centred, longer side
1, y down); a (2, 3) similarity transform maps them into the image.
"""
import math

import numpy as np


def rotation(theta: float) -> np.ndarray:
    """The (2, 2) rotation matrix of angle ``theta`` (radians)."""
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def transform_points(M: np.ndarray, pts) -> np.ndarray:
    """``pts`` (N, 2) mapped by the (2, 3) affine transform ``M``."""
    return np.asarray(pts, np.float64) @ M[:, :2].T + M[:, 2]


def catmull_rom(points: np.ndarray, closed: bool = False,
                samples: int = 8) -> np.ndarray:
    """Uniform Catmull-Rom spline through ``points`` (N, 2): it passes
    exactly through every point. Open curves reflect their end points.

    Args:
        points: (N, 2) control points.
        closed: join the last point back to the first.
        samples: points drawn per segment.

    Returns:
        (N * samples, 2) closed, or ((N - 1) * samples + 1, 2) open.
    """
    p = np.asarray(points, np.float64)
    if len(p) < 2:
        return p
    if closed:
        ext = np.concatenate([p[-1:], p, p[:2]])
        nseg = len(p)
    else:
        ext = np.concatenate([2 * p[:1] - p[1:2], p, 2 * p[-1:] - p[-2:-1]])
        nseg = len(p) - 1
    t = np.arange(samples) / samples
    t2, t3 = t * t, t * t * t
    b0 = (-t3 + 2 * t2 - t) / 2
    b1 = (3 * t3 - 5 * t2 + 2) / 2
    b2 = (-3 * t3 + 4 * t2 + t) / 2
    b3 = (t3 - t2) / 2
    segs = []
    for i in range(nseg):
        q0, q1, q2, q3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]
        segs.append(b0[:, None] * q0 + b1[:, None] * q1 + b2[:, None] * q2 +
                    b3[:, None] * q3)
    out = np.concatenate(segs)
    if not closed:
        out = np.concatenate([out, p[-1:]])
    return out


def ellipse(centre, ax, ay, angle=0.0, n=24) -> np.ndarray:
    """(n, 2) polygon of an ellipse with half-axes ``ax``, ``ay`` turned
    by ``angle`` (radians)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = np.stack([ax * np.cos(t), ay * np.sin(t)], 1) @ rotation(angle).T
    return pts + np.asarray(centre, np.float64)


def capsule(p0, p1, radius, n=8) -> np.ndarray:
    """(2 n, 2) polygon of a stadium from ``p0`` to ``p1``."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    a = math.atan2(d[1], d[0])
    t0 = np.linspace(a + np.pi / 2, a + 3 * np.pi / 2, n)
    t1 = np.linspace(a - np.pi / 2, a + np.pi / 2, n)
    c0 = p0 + radius * np.stack([np.cos(t0), np.sin(t0)], 1)
    c1 = p1 + radius * np.stack([np.cos(t1), np.sin(t1)], 1)
    return np.concatenate([c0, c1])


def tangent_normals(curve: np.ndarray) -> np.ndarray:
    """(N, 2) unit normals of a sampled ``curve`` (N, 2)."""
    d = np.gradient(curve, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    return np.stack([-d[:, 1], d[:, 0]], 1)
