"""Expression, pose and identity edits of a normalised 68-point shape.

Every edit works in the normalised, upright face frame (y down) and returns
a new (68, 2) array; the random ones draw from the generator they are given
in a fixed order, so a seed gives the same shape.
"""
import numpy as np

#: Groups of landmarks swapped between shapes by :func:`mix_parts`: brows,
#: eyes, nose, mouth.
MIX_GROUPS = (list(range(17, 27)), list(range(36, 48)), list(range(27, 36)),
              list(range(48, 68)))

_LOWER_OUTER = [55, 56, 57, 58, 59]
_LOWER_OUTER_W = [0.4, 0.85, 1.0, 0.85, 0.4]
_LOWER_INNER = [65, 66, 67]
_UPPER_INNER = [63, 62, 61]  # the upper partner of 65, 66, 67
_JAW_W = {4: 0.15, 5: 0.35, 6: 0.6, 7: 0.85, 8: 1.0, 9: 0.85, 10: 0.6,
          11: 0.35, 12: 0.15}


def _scale_about(s: np.ndarray, idx, k, dx=0.0, dy=0.0) -> None:
    c = s[idx].mean(0)
    s[idx] = c + (s[idx] - c) * np.asarray(k) + np.array([dx, dy])


def mix_parts(s: np.ndarray, donors: np.ndarray, rng) -> np.ndarray:
    """Brows, eyes, nose and mouth each (p = 0.6) replaced by that part of
    another real shape, re-centred on the part's place (``xshapes``).

    Args:
        s: (68, 2) shape.
        donors: (N, 68, 2) real shapes to take parts from.
        rng: the sample's generator.

    Returns:
        (68, 2) edited shape.
    """
    s = s.copy()
    for idx in MIX_GROUPS:
        if rng.random() < 0.6:
            d = donors[rng.integers(len(donors))]
            part = d[idx] - d[idx].mean(0)
            s[idx] = s[idx].mean(0) + part
    return s


def identity_edit(s: np.ndarray, rng) -> np.ndarray:
    """Independent per-part identity changes (``diverse`` variants): eye
    size and spacing, brow height and thickness of the arch, nose length and
    width, mouth width and height, jaw width and chin length.

    Args:
        s: (68, 2) shape.
        rng: the sample's generator.

    Returns:
        (68, 2) edited shape.
    """
    s = s.copy()
    w = s[16, 0] - s[0, 0]
    # eyes (with their brows) closer together / further apart
    spread = rng.uniform(-0.05, 0.05) * w
    for idx, sg in ((list(range(36, 42)) + list(range(17, 22)), -1),
                    (list(range(42, 48)) + list(range(22, 27)), 1)):
        s[idx, 0] += sg * spread / 2
    k_eye = rng.uniform(0.75, 1.35)
    for a in (36, 42):
        _scale_about(s, list(range(a, a + 6)),
                     (k_eye, k_eye * rng.uniform(0.8, 1.25)))
    dy_brow = rng.uniform(-0.04, 0.03)
    for a in (17, 22):
        _scale_about(s, list(range(a, a + 5)),
                     (rng.uniform(0.85, 1.15), rng.uniform(0.5, 1.8)),
                     dy=dy_brow + rng.normal(0, 0.008))
    nose = list(range(27, 36))
    ky = rng.uniform(0.8, 1.2)
    top = s[27, 1]
    s[nose, 1] = top + (s[nose, 1] - top) * ky
    _scale_about(s, list(range(31, 36)), (rng.uniform(0.75, 1.35), 1.0))
    mouth = list(range(48, 68))
    _scale_about(s, mouth, (rng.uniform(0.75, 1.3), rng.uniform(0.75, 1.35)),
                 dy=rng.uniform(-0.03, 0.03))
    # jaw width (sides) and chin length
    kx = rng.uniform(0.9, 1.1)
    cx = s[27:31, 0].mean()
    s[0:17, 0] = cx + (s[0:17, 0] - cx) * kx
    dch = rng.uniform(-0.04, 0.06)
    for i, wt in _JAW_W.items():
        s[i, 1] += wt * dch
    return s


def _move_lower_face(s: np.ndarray, dy: float) -> None:
    for i, w in zip(_LOWER_OUTER, _LOWER_OUTER_W):
        s[i, 1] += w * dy
    for i, w in _JAW_W.items():
        s[i, 1] += w * dy * 0.8


def mouth_expression(s: np.ndarray, rng) -> np.ndarray:
    """Open the mouth (p = 0.3; lower lips and chin move together), close
    it (p = 0.2) or leave it; the inner lower lip stays below the upper.

    Args:
        s: (68, 2) shape.
        rng: the sample's generator.

    Returns:
        (68, 2) edited shape.
    """
    s = s.copy()
    u = rng.random()
    gap = s[_LOWER_INNER, 1] - s[_UPPER_INNER, 1]
    if u < 0.3:  # open the mouth
        o = rng.uniform(0.02, 0.12)
        s[_LOWER_INNER, 1] += o * np.array([0.85, 1.0, 0.85])
        _move_lower_face(s, o)
    elif u < 0.5:  # close it (lips together)
        g = np.clip(gap, 0, None)
        s[_LOWER_INNER, 1] -= g
        _move_lower_face(s, -float(g.mean()))
    # keep the inner lower lip below the inner upper lip
    s[_LOWER_INNER, 1] = np.maximum(s[_LOWER_INNER, 1], s[_UPPER_INNER, 1])
    return s


def eye_expression(s: np.ndarray, rng) -> np.ndarray:
    """Close (p = 0.07), squint (0.18) or widen (0.1) both eyes: the lids
    move towards or away from the corner line.

    Args:
        s: (68, 2) shape.
        rng: the sample's generator.

    Returns:
        (68, 2) edited shape.
    """
    s = s.copy()
    u = rng.random()
    if u < 0.07:
        k = rng.uniform(0.05, 0.2)  # (almost) closed
    elif u < 0.25:
        k = rng.uniform(0.4, 0.8)  # squint
    elif u < 0.35:
        k = rng.uniform(1.1, 1.35)  # wide open
    else:
        return s
    for a, b, lids in ((36, 39, [37, 38, 40, 41]), (42, 45, [43, 44, 46, 47])):
        pa, pb = s[a], s[b]
        d = pb - pa
        n2 = max(float(d @ d), 1e-9)
        for i in lids:
            t = float((s[i] - pa) @ d) / n2
            q = pa + t * d
            s[i] = q + k * (s[i] - q)
    return s


def yaw_compress(s: np.ndarray, amount: float, side: int) -> np.ndarray:
    """A yaw-like asymmetry: compress the half of the face on ``side``
    towards the nose line and shift the nose and mouth centre to that side.

    Args:
        s: (68, 2) shape.
        amount: compression in [0, 1).
        side: +1 for the image's right half, -1 for its left.

    Returns:
        (68, 2) edited shape.
    """
    s = s.copy()
    n = s[27:31, 0].mean()
    width = s[:, 0].max() - s[:, 0].min()
    dx = s[:, 0] - n
    on_side = dx * side > 0
    s[on_side, 0] = n + dx[on_side] * (1 - amount)
    # features near the midline move with the turned head
    shift = side * amount * 0.08 * width
    s[[30, 31, 32, 33, 34, 35], 0] += shift
    s[[28, 29], 0] += shift * np.array([0.4, 0.7])
    s[[51, 57, 62, 66], 0] += shift * 0.4
    return s
