"""SynthFace-68: a deterministic synthetic face-landmark data set.

No real face data set can be downloaded where this project is developed, so
SynthFace-68 draws cartoon-like but varied faces whose 68 landmarks follow the
iBUG 300-W semantics (jaw 0-16, brows 17-26, nose bridge 27-30, nose base
31-35, right eye of the subject 36-41, left eye 42-47, outer lip 48-59,
inner lip 60-67) and writes them in MMPose's 300-W layout, so the stock
``Face300WDataset`` and the stock 300-W config read it unchanged::

    OUT/images/train/000000.jpg ...  OUT/images/test/000000.jpg ...
    OUT/annotations/face_landmarks_300w_train.json
    OUT/annotations/face_landmarks_300w_valid.json       (common + challenge)
    OUT/annotations/face_landmarks_300w_valid_common.json
    OUT/annotations/face_landmarks_300w_valid_challenge.json
    OUT/synthface_meta.json   OUT/contact_sheet.png

Shapes
------
Every face starts from a real 68-point shape of HRNet's 300-W CSVs: the train
split from ``face_landmarks_300w_valid.csv`` (689 shapes), the test split from
``face_landmarks_300w_test.csv`` (600 other shapes), so no test shape is a
train shape. Each shape is de-rolled (eye line horizontal), centred on its
keypoint box and divided by the box's longer side. A sample then takes one
shape and adds variety: mirroring with the iBUG flip permutation, small
perturbations along the prior's 12 leading PCA modes, mouth opening/closing
(lower lips and chin move together), eye opening/closing (lids move towards
the corner line) and a yaw-like asymmetry (one half of the face compressed
towards the nose, the nose shifted to that side). "Hard" samples draw from the
large-yaw part of the prior (the iBUG shapes and the upper quartile of a yaw
score for the train prior; the upper quartile of that score for the test
prior). Only drawable shapes are used (:func:`plausible`: jaw ends on the
head outline, every inner feature inside it, lids and lip corners in order);
a perturbed shape that fails is redrawn, which drops the most extreme
profile shapes of the prior (about a third of the hard pool) whose far-side
features would stick out of the drawn head.

Rendering: why each landmark is fixed by the pixels
---------------------------------------------------
All parts are drawn with OpenCV at 1/16-pixel precision and anti-aliasing,
as smooth curves (uniform Catmull-Rom splines, which pass exactly through
their control points) built on the landmarks themselves:

* jaw 0-16: the lower outline of the filled head (jaw spline, closed over
  the brows by the convex hull of a forehead arc, brows and eyes) in a
  textured skin colour, with a dark shadow rim just outside it, so the jaw is
  an edge against the background, the ears and the darker neck;
* brows 17-21 / 22-26: the landmarks are the *upper edge* of a dark, tapered
  band hanging below the spline (iBUG annotates the brow's upper contour);
* nose: a shaded ridge line through 27-30 ending in a highlight at the tip
  30; the nose base is a dark spline 31-35 with nostril blobs above 32 and 34
  and alar creases starting at 31 and 35;
* eyes: a sclera polygon bounded by the upper-lid spline (36-39 / 42-45) and
  the lower-lid spline (39-41,36 / 45-47,42), with sharp corners at 36, 39,
  42, 45, an iris and pupil clipped to it, and dark lid outlines on it;
* mouth: the outer lip polygon (48-54 upper, 54-59,48 lower) filled with a
  lip colour, the inner mouth (60-64 / 64-67,60) filled dark (with teeth when
  open) and outlined, so a closed mouth shows its parting line.

Landmarks are pixel coordinates with pixel centres at integers (OpenCV's and
MMPose's ``TopdownAffine`` convention) and stay at their true positions when
occluded.

Nuisances (scaled by ``difficulty`` in [0, 2], 1 by default): in-plane
rotation (train: uniform +-20 deg, hard train samples +-45, challenge test
+-60), face box 40-70 % of the image side at a random position, skin tone
(rarely an unnatural colour), hair, ears, clothes, background (gradients,
low-frequency colour noise, random shapes, stripes, skin-coloured blobs),
lighting gradient and colour cast, Gaussian blur, sensor noise, JPEG
artefacts and occluders (rectangles, ellipses, hands, hair strands,
sunglasses, glasses frames, bars) placed on random landmarks.

Variants (``variant=`` / ``--variant``; default ``diverse_xshapes``)
--------------------------------------------------------------------
The rendering above is ``classic``. The other variants (keys of
:data:`VARIANTS`, recorded in ``synthface_meta.json``) add variety that a few
labelled faces cannot cover and that flip/rotation/scale augmentation does
not synthesise, while every landmark stays on a drawn feature. The default,
``diverse_xshapes``, is the one that leaves room for semi-supervision: at
the 3,000-iteration CPU budget a supervised HRNet on 5 % of its labels
tests +35.2 % worse (NME) than on all of them; ``classic``, the default
before, gives +20.0 % (``tools/benchmarks/label_fraction_gap.py``).

* ``styles`` group: per face, independent drawing-style families
  (:func:`_face_style`): render mode (shaded photo-like, flat colours, line
  art), skin texture (smooth, low-frequency, grain, stripes, spots), brows
  (band, line, outline, hair strokes; the landmarks stay on the upper edge
  or the line), eyes (realistic, outline + pupil, dark almond, eyeliner
  with shadow, cartoon), nose (shaded, line, side shadow), mouth (realistic,
  outline, lipstick of any hue, thin), jaw (plain, outlined, beard), painted
  feature colours, light-on-dark polarity; ``post`` group: a global channel
  permutation, negative, posterisation, pencil sketch or grey image
  (:func:`_post_style`);
* ``distract`` group: 1-4 extra eyes, brows, noses or mouths in the same
  style around the head, drawn before it (:func:`_part_distractors`);
* ``crowd`` group: up to two neighbouring faces partly behind the target
  face (:func:`_neighbour_face`) and sometimes a painted eye or mouth on the
  forehead (:func:`_forehead_glyph`);
* ``shapes`` group: exaggerated identities: twice the PCA spread and
  independent per-part size/position changes (:func:`_identity_edit`).

* ``xshapes`` group: as ``shapes``, plus inner parts (brows, eyes, nose,
  mouth) taken from other real shapes (:func:`_mix_parts`) and 32 PCA modes
  at 1.5x the spread.

``diverse_xshapes`` (default) = styles + post + distract + xshapes;
``diverse`` = styles + post + distract + shapes; ``diverse_crowd`` adds
crowd to ``diverse``; ``styles``, ``distract`` (+ crowd: ``crowd``),
``shapes`` switch on one group. ``classic`` images are byte-identical to
those made before the option existed, and a set without a recorded variant
is a ``classic`` set.

Splits
------
``valid_challenge`` is 20 % of the test set (chosen by a seeded permutation):
large-yaw test shapes with extra yaw, rotation up to +-60 deg and heavy
occlusion. ``valid_common`` is the rest. The train set holds 15 % hard samples
(large-yaw shapes, rotation up to +-45 deg, more occlusion), like 300-W's AFW
part.

Boxes: ``center`` is the centre of the keypoints' bounding box and
``scale = max(w, h) / 200`` of that box (factor 1.0: HRNet's 300-W CSVs have
scale * 200 / max(w, h) = 1.00-1.02); ``bbox`` is written by
:mod:`face300w_json` (keypoint box enlarged 1.2x).

Determinism: each image uses its own generator seeded by
``(seed, split, index)``; same arguments give identical files whatever the
number of worker processes.
"""
import gzip
import json
import math
import os
import os.path as osp
import re
import time
from multiprocessing import get_context
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .face300w_json import (dump_face300w_json, face300w_annotation,
                            face300w_image)

#: Bump when the rendering changes: an existing set with another version is
#: regenerated.
GENERATOR_VERSION = '1.0'
NUM_KEYPOINTS = 68

#: iBUG 68-point horizontal flip permutation (MMPose's 300-W flip pairs).
FLIP_INDICES = (
    list(range(16, -1, -1)) + list(range(26, 16, -1)) + [27, 28, 29, 30] +
    [35, 34, 33, 32, 31] + [45, 44, 43, 42, 47, 46] +
    [39, 38, 37, 36, 41, 40] + [54, 53, 52, 51, 50, 49, 48] +
    [59, 58, 57, 56, 55] + [64, 63, 62, 61, 60] + [67, 66, 65])

#: Facial parts as (start, stop) index ranges.
PARTS = dict(
    jaw=(0, 17),
    right_brow=(17, 22),
    left_brow=(22, 27),
    nose_bridge=(27, 31),
    nose_base=(31, 36),
    right_eye=(36, 42),
    left_eye=(42, 48),
    outer_lip=(48, 60),
    inner_lip=(60, 68))

#: BGR colours of the parts on the contact sheet.
PART_COLOURS = dict(
    jaw=(255, 255, 0),
    right_brow=(0, 165, 255),
    left_brow=(0, 165, 255),
    nose_bridge=(0, 255, 0),
    nose_base=(0, 255, 0),
    right_eye=(255, 0, 255),
    left_eye=(255, 0, 255),
    outer_lip=(0, 0, 255),
    inner_lip=(255, 255, 255))

ANN_FILES = dict(
    train='face_landmarks_300w_train.json',
    valid='face_landmarks_300w_valid.json',
    valid_common='face_landmarks_300w_valid_common.json',
    valid_challenge='face_landmarks_300w_valid_challenge.json')

CHALLENGE_FRACTION = 0.2
TRAIN_HARD_FRACTION = 0.15
#: Face box = keypoint box, longer side (HRNet's 300-W convention).
BOX_FACTOR = 1.0
TEST_ID_OFFSET = 1_000_000

_SPLIT_CODES = dict(train=0, test=1)


# ---------------------------------------------------------------------------
# shape prior
# ---------------------------------------------------------------------------
#: HRNet's 300-W evaluation CSVs (valid: 689 faces, test: 600 faces), gzipped
#: and shipped with the package so that a fresh clone can generate the set.
PACKAGED_PRIOR_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'shape_prior')


def default_annotation_dir() -> str:
    """Where HRNet's 300-W CSVs (the shape prior) are read from:
    ``$SYNTHFACE_300W_CSV_DIR`` if set, else the copy shipped in
    :data:`PACKAGED_PRIOR_DIR` (the same files as
    ``shared/data/300w_annotations``, gzipped)."""
    return os.environ.get('SYNTHFACE_300W_CSV_DIR') or PACKAGED_PRIOR_DIR


def _prior_csv(ann_dir: str, name: str) -> str:
    """``face_landmarks_300w_{name}.csv`` in ``ann_dir``, plain or gzipped."""
    path = osp.join(ann_dir, f'face_landmarks_300w_{name}.csv')
    for cand in (path, path + '.gz'):
        if osp.isfile(cand):
            return cand
    raise FileNotFoundError(
        f'SynthFace-68 needs HRNet\'s 300-W CSV {path}[.gz] as its shape '
        'prior; set SYNTHFACE_300W_CSV_DIR to a folder holding it, or unset '
        'it to use the copy shipped with the package')


def read_hrnet_csv(path: str) -> Tuple[List[str], np.ndarray]:
    """Read an HRNet 300-W CSV: returns image names and (N, 68, 2) points."""
    names, rows = [], []
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt') as f:
        header = f.readline().strip().split(',')
        first = header.index('original_0_x')
        for line in f:
            parts = line.strip().split(',')
            if len(parts) < first + 2 * NUM_KEYPOINTS:
                continue
            names.append(parts[0])
            rows.append([float(v) for v in parts[first:first + 136]])
    return names, np.asarray(rows, np.float64).reshape(-1, NUM_KEYPOINTS, 2)


def _rot(theta: float) -> np.ndarray:
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _eye_centres(shape: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    return shape[..., 36:42, :].mean(-2), shape[..., 42:48, :].mean(-2)


def renormalise(shape: np.ndarray) -> np.ndarray:
    """Centre ``shape`` (68, 2) on its keypoint box and divide by the box's
    longer side."""
    lo, hi = shape.min(0), shape.max(0)
    return (shape - (lo + hi) / 2) / max((hi - lo).max(), 1e-6)


def normalise_shapes(shapes: np.ndarray) -> np.ndarray:
    """De-roll (eye line horizontal), centre and scale real shapes."""
    out = np.empty_like(shapes)
    for i, s in enumerate(shapes):
        right, left = _eye_centres(s)
        v = left - right
        out[i] = renormalise(s @ _rot(-math.atan2(v[1], v[0])).T)
    return out


def yaw_score(shapes: np.ndarray) -> np.ndarray:
    """Signed yaw proxy of de-rolled shapes: where the nose tip sits between
    the jaw ends (0 = centred, +-0.5 = at a jaw end)."""
    x = shapes[..., 0]
    return (x[..., 30] - x[..., 0]) / np.maximum(x[..., 16] - x[..., 0],
                                                 1e-6) - 0.5


def flip_shape(shape: np.ndarray) -> np.ndarray:
    """Mirror a centred shape and relabel it with the iBUG permutation."""
    out = shape.copy()
    out[:, 0] = -out[:, 0]
    return out[FLIP_INDICES]


class ShapePrior:
    """Real normalised shapes, their PCA modes and a hard (large-yaw) pool."""

    def __init__(self, shapes: np.ndarray, hard: np.ndarray,
                 num_modes: int = 12):
        self.shapes = shapes
        ok = np.array([plausible(x) for x in shapes], bool)
        # only drawable real shapes seed new ones (see plausible())
        self.hard_idx = np.flatnonzero(hard & ok)
        self.easy_idx = np.flatnonzero(~hard & ok)
        flat = shapes.reshape(len(shapes), -1)
        self.mean = flat.mean(0)
        _, sv, vt = np.linalg.svd(flat - self.mean, full_matrices=False)
        self.modes = vt[:num_modes]
        self.stds = sv[:num_modes] / math.sqrt(len(shapes) - 1)
        # more modes for the ``xshapes`` group
        self.modes_x = vt[:32]
        self.stds_x = sv[:32] / math.sqrt(len(shapes) - 1)

    @classmethod
    def from_csv(cls, path: str, hard_quantile: float = 0.75):
        names, raw = read_hrnet_csv(path)
        shapes = normalise_shapes(raw)
        yaw = np.abs(yaw_score(shapes))
        ibug = np.array(['ibug' in n for n in names])
        rest = ~ibug
        thr = np.quantile(yaw[rest], hard_quantile)
        return cls(shapes, ibug | (yaw >= thr))

    def sample(self, rng: np.random.Generator, hard: bool,
               exaggerate: bool = False, mix: bool = False) -> np.ndarray:
        """A new plausible shape (68, 2), normalised, upright.

        ``exaggerate`` (the ``diverse`` variants): twice the PCA spread and
        independent per-part changes of size and position (see
        :func:`_identity_edit`). ``mix`` (the ``xshapes`` group): inner
        parts taken from other real shapes (:func:`_mix_parts`) and 32 PCA
        modes at 1.5x the spread on top."""
        pool = self.hard_idx if hard else self.easy_idx
        base = self.shapes[pool[rng.integers(len(pool))]]
        for _ in range(8):
            s = base.copy()
            if mix:
                s = _mix_parts(s, self.shapes[self.easy_idx], rng)
                coef = rng.normal(0, 1.5, len(self.stds_x)) * self.stds_x
                s += (coef @ self.modes_x).reshape(NUM_KEYPOINTS, 2)
            coef = rng.normal(0, 1.0 if exaggerate else 0.5,
                              len(self.stds)) * self.stds
            s += (coef @ self.modes).reshape(NUM_KEYPOINTS, 2)
            if exaggerate:
                s = _identity_edit(s, rng)
            if rng.random() < 0.5:
                s = flip_shape(s)
            s = _mouth_expression(s, rng)
            s = _eye_expression(s, rng)
            if rng.random() < (0.8 if hard else 0.3):
                amt = rng.uniform(0.1, 0.35) if hard else \
                    rng.uniform(0.0, 0.2)
                yaw = float(yaw_score(s))
                side = int(np.sign(yaw)) if abs(yaw) > 0.05 else \
                    (1 if rng.random() < 0.5 else -1)
                s = _yaw_compress(s, amt, side)
            s = renormalise(s)
            if plausible(s):
                return s
        return base.copy()  # a real, plausible shape


# --- expression and pose edits (normalised, upright frame, y down) ---------
def _scale_about(s: np.ndarray, idx, k, dx=0.0, dy=0.0) -> None:
    c = s[idx].mean(0)
    s[idx] = c + (s[idx] - c) * np.asarray(k) + np.array([dx, dy])


_MIX_GROUPS = (list(range(17, 27)), list(range(36, 48)), list(range(27, 36)),
               list(range(48, 68)))


def _mix_parts(s: np.ndarray, donors: np.ndarray, rng) -> np.ndarray:
    """Brows, eyes, nose and mouth each (p = 0.6) replaced by that part of
    another real shape, re-centred on the part's place (``xshapes``)."""
    s = s.copy()
    for idx in _MIX_GROUPS:
        if rng.random() < 0.6:
            d = donors[rng.integers(len(donors))]
            part = d[idx] - d[idx].mean(0)
            s[idx] = s[idx].mean(0) + part
    return s


def _identity_edit(s: np.ndarray, rng) -> np.ndarray:
    """Independent per-part identity changes (``diverse`` variants): eye
    size and spacing, brow height and thickness of the arch, nose length and
    width, mouth width and height, jaw width and chin length."""
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


_LOWER_OUTER = [55, 56, 57, 58, 59]
_LOWER_OUTER_W = [0.4, 0.85, 1.0, 0.85, 0.4]
_LOWER_INNER = [65, 66, 67]
_UPPER_INNER = [63, 62, 61]  # the upper partner of 65, 66, 67
_JAW_W = {4: 0.15, 5: 0.35, 6: 0.6, 7: 0.85, 8: 1.0, 9: 0.85, 10: 0.6,
          11: 0.35, 12: 0.15}


def _move_lower_face(s: np.ndarray, dy: float) -> None:
    for i, w in zip(_LOWER_OUTER, _LOWER_OUTER_W):
        s[i, 1] += w * dy
    for i, w in _JAW_W.items():
        s[i, 1] += w * dy * 0.8


def _mouth_expression(s: np.ndarray, rng) -> np.ndarray:
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


def _eye_expression(s: np.ndarray, rng) -> np.ndarray:
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


def _yaw_compress(s: np.ndarray, amount: float, side: int) -> np.ndarray:
    """Compress the half of the face on ``side`` (+1: image right) towards
    the nose line and shift the nose and mouth centre to that side."""
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


# ---------------------------------------------------------------------------
# drawing helpers
# ---------------------------------------------------------------------------
def catmull_rom(points: np.ndarray, closed: bool = False,
                samples: int = 8) -> np.ndarray:
    """Uniform Catmull-Rom spline through ``points`` (N, 2): it passes
    exactly through every point. Open curves reflect their end points."""
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


def _ellipse(centre, ax, ay, angle=0.0, n=24) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = np.stack([ax * np.cos(t), ay * np.sin(t)], 1) @ _rot(angle).T
    return pts + np.asarray(centre, np.float64)


def _capsule(p0, p1, radius, n=8) -> np.ndarray:
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    a = math.atan2(d[1], d[0])
    t0 = np.linspace(a + np.pi / 2, a + 3 * np.pi / 2, n)
    t1 = np.linspace(a - np.pi / 2, a + np.pi / 2, n)
    c0 = p0 + radius * np.stack([np.cos(t0), np.sin(t0)], 1)
    c1 = p1 + radius * np.stack([np.cos(t1), np.sin(t1)], 1)
    return np.concatenate([c0, c1])


class _Painter:
    """Alpha-composites anti-aliased polygons and strokes into a float image,
    working only inside each primitive's bounding box."""

    def __init__(self, img: np.ndarray):
        self.img = img
        self.h, self.w = img.shape[:2]

    def _roi(self, polys, pad):
        allp = np.concatenate(polys)
        x0 = max(int(math.floor(allp[:, 0].min() - pad)), 0)
        y0 = max(int(math.floor(allp[:, 1].min() - pad)), 0)
        x1 = min(int(math.ceil(allp[:, 0].max() + pad)) + 1, self.w)
        y1 = min(int(math.ceil(allp[:, 1].max() + pad)) + 1, self.h)
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def mask(self, polys, thickness=0, closed=True, blur=0.0, roi=None):
        """Float coverage mask (full image, or ``roi`` sized)."""
        x0, y0, x1, y1 = roi if roi is not None else (0, 0, self.w, self.h)
        m = np.zeros((y1 - y0, x1 - x0), np.uint8)
        pts = [np.round((np.asarray(p) - (x0, y0)) * 16).astype(np.int32)
               for p in polys]
        if thickness <= 0:
            cv2.fillPoly(m, pts, 255, cv2.LINE_AA, 4)
        else:
            cv2.polylines(m, pts, closed, 255, int(thickness), cv2.LINE_AA, 4)
        m = m.astype(np.float32) * (1 / 255)
        if blur > 0:
            m = cv2.GaussianBlur(m, (0, 0), blur)
        return m

    def paint(self, polys, colour, alpha=1.0, thickness=0, closed=True,
              blur=0.0, clip=None):
        """Fill (``thickness`` 0) or stroke ``polys`` with ``colour`` (BGR
        triple or a full-size texture image)."""
        polys = [np.asarray(p, np.float64) for p in polys if len(p) > 1]
        if not polys:
            return None
        pad = thickness + 3 * blur + 2
        roi = self._roi(polys, pad)
        if roi is None:
            return None
        x0, y0, x1, y1 = roi
        m = self.mask(polys, thickness, closed, blur, roi) * alpha
        if clip is not None:
            m = m * clip[y0:y1, x0:x1]
        sub = self.img[y0:y1, x0:x1]
        if isinstance(colour, np.ndarray) and colour.ndim == 3:
            col = colour[y0:y1, x0:x1]
        else:
            col = np.asarray(colour, np.float32)
        sub += (col - sub) * m[..., None]
        return roi


def _lowfreq(rng, size, grid, channels=3) -> np.ndarray:
    g = rng.normal(0, 1, (grid, grid, channels)).astype(np.float32)
    out = cv2.resize(g, (size, size), interpolation=cv2.INTER_CUBIC)
    return out.reshape(size, size, channels)


def _rand_colour(rng, lo=0, hi=255) -> np.ndarray:
    return rng.uniform(lo, hi, 3).astype(np.float32)


_SKIN_TONES = np.array([  # BGR, light to dark
    [196, 214, 246], [166, 192, 234], [140, 170, 222], [110, 146, 198],
    [82, 116, 170], [60, 88, 134], [44, 62, 96]], np.float32)
_HAIR_TONES = np.array([
    [20, 20, 25], [30, 40, 60], [40, 60, 100], [70, 110, 160],
    [120, 170, 210], [160, 160, 165], [40, 50, 140], [30, 30, 40]],
    np.float32)
_IRIS_TONES = np.array([
    [30, 50, 80], [40, 70, 110], [140, 110, 60], [90, 120, 70],
    [60, 60, 60], [120, 90, 50]], np.float32)


def _skin_colour(rng, difficulty) -> np.ndarray:
    if rng.random() < 0.06 * difficulty:  # painted / unnatural
        return _rand_colour(rng, 40, 230)
    t = rng.uniform(0, len(_SKIN_TONES) - 1)
    i = min(int(t), len(_SKIN_TONES) - 2)
    c = _SKIN_TONES[i] * (1 - (t - i)) + _SKIN_TONES[i + 1] * (t - i)
    return np.clip(c * rng.uniform(0.9, 1.1, 3), 0, 255).astype(np.float32)


def _jitter(rng, base, amount=20.0) -> np.ndarray:
    return np.clip(base + rng.normal(0, amount, 3), 0, 255).astype(np.float32)


# ---------------------------------------------------------------------------
# scene
# ---------------------------------------------------------------------------
def _background(rng, size, difficulty, skin) -> np.ndarray:
    d = min(difficulty, 2.0)
    if rng.random() < 0.5:  # linear gradient
        a, b = _rand_colour(rng), _rand_colour(rng)
        ang = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
        t = np.clip((xx - 0.5) * math.cos(ang) + (yy - 0.5) * math.sin(ang) +
                    0.5, 0, 1)
        img = a + (b - a) * t[..., None]
    else:  # low-frequency colour noise
        base = _rand_colour(rng, 30, 225)
        img = base + _lowfreq(rng, size, int(rng.integers(2, 7))) * \
            rng.uniform(15, 60)
    img = img.astype(np.float32)
    if d <= 0:
        return np.clip(img, 0, 255)
    p = _Painter(img)
    if rng.random() < 0.3 * d:  # stripes
        ang = rng.uniform(0, np.pi)
        freq = rng.uniform(3, 20) / size
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        wave = np.sin(2 * np.pi * freq *
                      (xx * math.cos(ang) + yy * math.sin(ang)))
        img += (wave[..., None] * rng.uniform(10, 50) *
                rng.uniform(-1, 1, 3)).astype(np.float32)
    n_shapes = int(rng.poisson(4 * d))
    for _ in range(n_shapes):
        c = rng.uniform(-0.1, 1.1, 2) * size
        r = rng.uniform(0.03, 0.25) * size
        col = _jitter(rng, skin, 25) if rng.random() < 0.15 else \
            _rand_colour(rng)
        kind = rng.integers(3)
        if kind == 0:
            poly = [_ellipse(c, r, r * rng.uniform(0.3, 1), rng.uniform(0, 3))]
            p.paint(poly, col, rng.uniform(0.4, 1.0))
        elif kind == 1:
            poly = [_ellipse(c, r, r * rng.uniform(0.2, 1), rng.uniform(0, 3),
                             n=4)]
            p.paint(poly, col, rng.uniform(0.4, 1.0))
        else:
            q = c + rng.normal(0, r * 2, 2)
            p.paint([np.stack([c, q])], col, rng.uniform(0.4, 1.0),
                    thickness=int(rng.integers(1, max(2, int(size * 0.02)))),
                    closed=False)
    noise_amp = rng.uniform(0, 12) * d
    if noise_amp > 0:
        img += _lowfreq(rng, size, int(rng.integers(16, 48)), 1) * noise_amp
    return np.clip(img, 0, 255)


def _place(rng, shape, size, theta, frac, margin) -> np.ndarray:
    """Similarity transform (2x3) mapping the normalised shape to the
    image, so that its keypoint box has longer side ``frac * size``."""
    R = _rot(theta)
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


def _tf(M, pts) -> np.ndarray:
    return np.asarray(pts, np.float64) @ M[:, :2].T + M[:, 2]


def head_outline(s: np.ndarray, forehead: float = 0.3,
                 bulge: float = 0.05) -> Optional[np.ndarray]:
    """Closed head outline (normalised frame): the jaw spline 0 -> 16, then
    the upper half of the convex hull of a forehead arc, the brows and eyes
    (pushed out by a margin) and the jaw ends, back from 16 to 0. ``None``
    when a jaw end is not on that hull (it would not lie on the outline)."""
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
    (27-67) at least ``margin`` inside, eyes and lips not self-crossing."""
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


def _tangent_normals(curve: np.ndarray) -> np.ndarray:
    d = np.gradient(curve, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    return np.stack([-d[:, 1], d[:, 0]], 1)


def _random_head(rng, s: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The head outline of shape ``s`` (jaw + a random forehead) and its
    upper part above the jaw; shapes that fail :func:`plausible` get the
    jaw closed by the brows raised by 0.3."""
    head = head_outline(s, rng.uniform(0.22, 0.36), rng.uniform(0.0, 0.1))
    if head is None:  # only for shapes that fail plausible()
        head = np.concatenate([catmull_rom(s[0:17], samples=6),
                               s[26:16:-1] + np.array([0, -0.3])])
    return head, head[len(catmull_rom(s[0:17], samples=6)):]


def _long_hair_back(rng, s: np.ndarray, upper: np.ndarray,
                    centre: np.ndarray) -> np.ndarray:
    """Control points of long hair behind the head (face units)."""
    hw = (s[16, 0] - s[0, 0]) / 2 * rng.uniform(1.15, 1.35)
    top = upper[:, 1].min() - 0.05
    bottom = s[8, 1] + rng.uniform(0.0, 0.5)
    return np.array([[centre[0] - hw, bottom], [centre[0] - hw, top + 0.25],
                     [centre[0], top], [centre[0] + hw, top + 0.25],
                     [centre[0] + hw, bottom]])


def _paint_teeth(p, rng, roi, inner, up_i, gap, T) -> None:
    """Teeth under the upper inner lip of an open mouth (``gap``: lip
    opening in face units; ``roi``: the inner mouth's painted box), clipped
    to the inner mouth polygon; 70 % of open mouths."""
    if roi is not None and gap > 0.02 and rng.random() < 0.7:
        clip = np.zeros((p.h, p.w), np.float32)
        x0, y0, x1, y1 = roi
        clip[y0:y1, x0:x1] = p.mask([inner], roi=roi)
        tdepth = gap * rng.uniform(0.3, 0.6)
        teeth = np.concatenate([up_i, up_i[::-1] + np.array([0, tdepth])])
        p.paint([T(teeth)], _jitter(rng, np.array([215, 230, 235]), 12),
                clip=clip)


def _draw_face(p: _Painter, rng, s: np.ndarray, M: np.ndarray, B: float,
               skin: np.ndarray) -> np.ndarray:
    """Draw head, hair and features; returns the head mask."""
    size = p.w
    T = lambda q: _tf(M, q)  # noqa: E731
    px = lambda v: max(1, int(round(v * B)))  # noqa: E731
    hair_col = _jitter(rng, _HAIR_TONES[rng.integers(len(_HAIR_TONES))], 12)
    head, upper = _random_head(rng, s)
    centre = s.mean(0)

    # long hair, neck, clothes, ears (behind the head)
    long_hair = rng.random() < 0.35
    if long_hair:
        hair_back = _long_hair_back(rng, s, upper, centre)
        p.paint([T(catmull_rom(hair_back, samples=6))], hair_col)
    neck_w = (s[12, 0] - s[4, 0]) * rng.uniform(0.2, 0.28)
    nx = s[8, 0] * 0.5 + centre[0] * 0.5
    neck = np.array([[nx - neck_w, s[5, 1] - 0.1], [nx + neck_w,
                     s[11, 1] - 0.1], [nx + neck_w * 1.1, s[8, 1] + 0.6],
                     [nx - neck_w * 1.1, s[8, 1] + 0.6]])
    p.paint([T(neck)], skin * rng.uniform(0.6, 0.8))
    if rng.random() < 0.8:
        y0 = s[8, 1] + rng.uniform(0.2, 0.4)
        w = rng.uniform(0.7, 1.1)
        collar = rng.uniform(0.6, 1.0) * neck_w
        clothes = np.array([[nx - w, y0 + 0.3], [nx - w * 0.4, y0],
                            [nx - collar, y0], [nx, y0 + rng.uniform(0, 0.15)],
                            [nx + collar, y0], [nx + w * 0.4, y0],
                            [nx + w, y0 + 0.3], [nx + w, 2.5], [nx - w, 2.5]])
        p.paint([T(clothes)], _rand_colour(rng))
    for side, (i, j) in ((-1, (1, 3)), (1, (15, 13))):
        if rng.random() < 0.8:
            c = (s[i] + s[j]) / 2 + np.array([side * 0.03, 0])
            ear = _ellipse(c, 0.05, rng.uniform(0.09, 0.13),
                           side * rng.uniform(0.0, 0.3))
            p.paint([T(ear)], skin * rng.uniform(0.8, 0.95))

    # a soft shadow rim along the jaw (its inner half is covered by the
    # head): the jaw stays an edge against ears, neck and any background
    jaw_i = T(catmull_rom(s[0:17], samples=6))
    p.paint([jaw_i], skin * rng.uniform(0.25, 0.5),
            alpha=rng.uniform(0.6, 0.9), thickness=px(0.035), closed=False,
            blur=0.004 * B)

    # head with skin texture and edge shading
    tex = skin + _lowfreq(rng, size, int(rng.integers(3, 8))) * \
        rng.uniform(4, 14)
    head_img = T(head)
    p.paint([head_img], tex)
    head_mask = p.mask([head_img])
    shade_k = rng.uniform(0.05, 0.25)
    soft = cv2.GaussianBlur(head_mask, (0, 0), max(0.07 * B, 1.0))
    p.img *= (1 - shade_k * head_mask * (1 - soft))[..., None]

    # top hair
    if rng.random() < 0.8 or long_hair:
        brow_top = s[17:27, 1].min()
        hl = brow_top - rng.uniform(0.06, 0.2)
        n = 7
        xs = np.linspace(s[0, 0] - 0.05, s[16, 0] + 0.05, n)
        ys = hl + rng.normal(0, 0.02, n) + \
            rng.uniform(0, 0.12) * ((xs - centre[0]) / 0.5) ** 2
        ys = np.minimum(ys, brow_top - 0.02)  # never over the brows
        line = catmull_rom(np.stack([xs, ys], 1), samples=6)
        # hairline left -> right, then back over the (enlarged) skull; the
        # sideburns stop above the brows, so the jaw ends 0/16 stay visible
        outer = centre + (upper - centre) * np.array([1.06, 1.08])
        outer = outer[outer[:, 1] < min(ys[0], ys[-1]) + 0.04]
        p.paint([T(np.concatenate([line, outer]))], hair_col)

    # eye socket shading
    for a, b in ((36, 42), (42, 48)):
        e = s[a:b]
        c = e.mean(0) + np.array([0, -0.01])
        sock = c + (catmull_rom(e, closed=True) - c) * np.array([1.4, 2.2])
        p.paint([T(sock)], skin * 0.7, alpha=rng.uniform(0.2, 0.5),
                blur=0.03 * B)

    # brows: landmarks on the upper edge of a tapered dark band
    brow_col = hair_col * rng.uniform(0.4, 1.0)
    brow_alpha = rng.uniform(0.55, 1.0)
    th = rng.uniform(0.025, 0.05)
    for a, b, inner_last in ((17, 22, True), (22, 27, False)):
        c = catmull_rom(s[a:b], samples=6)
        u = np.linspace(0, 1, len(c))
        if not inner_last:
            u = u[::-1]
        prof = th * (0.35 + 0.65 * np.sqrt(u))
        nrm = _tangent_normals(c)
        nrm *= np.sign(nrm[:, 1:2] + 1e-9)  # point down (+y)
        lower = c + nrm * prof[:, None]
        p.paint([T(np.concatenate([c, lower[::-1]]))], brow_col,
                alpha=brow_alpha)

    # nose
    w = np.linalg.norm(s[35] - s[31])
    ridge = catmull_rom(s[27:31], samples=6)
    side = 1 if rng.random() < 0.5 else -1
    p.paint([T(ridge + np.array([side * 0.008, 0]))], skin * 0.6,
            alpha=rng.uniform(0.3, 0.6), thickness=px(0.02), closed=False,
            blur=0.006 * B)
    p.paint([T(ridge)], skin * rng.uniform(0.45, 0.65),
            alpha=rng.uniform(0.6, 0.9), thickness=px(0.014), closed=False)
    p.paint([T(_ellipse(s[30] + np.array([0, -0.01]), 0.35 * w, 0.2 * w))],
            np.minimum(skin * 1.25 + 15, 255), alpha=0.35, blur=0.01 * B)
    for i, sg in ((31, -1), (35, 1)):
        ala = np.array([s[i], s[i] + np.array([sg * 0.12 * w, -0.3 * w]),
                        s[i] + np.array([-sg * 0.02 * w, -0.6 * w])])
        p.paint([T(catmull_rom(ala, samples=5))], skin * 0.55, alpha=0.7,
                thickness=px(0.012), closed=False)
    for i, j in ((32, 31), (34, 35)):
        c = s[i] * 0.65 + s[j] * 0.35 + np.array([0, -0.12 * w])
        ang = math.atan2(s[j, 1] - s[i, 1], s[j, 0] - s[i, 0])
        p.paint([T(_ellipse(c, 0.2 * w, 0.09 * w, ang, n=12))], skin * 0.25,
                alpha=0.85)
    p.paint([T(catmull_rom(s[31:36], samples=5))], skin * 0.45, alpha=0.9,
            thickness=px(0.012), closed=False)

    # eyes: sclera with sharp corners, iris/pupil clipped, lid outlines
    sclera = _jitter(rng, np.array([225, 232, 238], np.float32), 10)
    iris_col = _jitter(rng, _IRIS_TONES[rng.integers(len(_IRIS_TONES))], 15)
    lid_col = np.minimum(skin * rng.uniform(0.15, 0.4), hair_col + 30)
    gaze = np.array([rng.uniform(-0.18, 0.18), rng.uniform(-0.06, 0.06)])
    lid_t = px(0.012)
    for a, b, c_, d in ((36, 39, 40, 41), (42, 45, 46, 47)):
        upper = catmull_rom(s[a:b + 1], samples=6)
        lower = catmull_rom(np.stack([s[b], s[c_], s[d], s[a]]), samples=6)
        poly = np.concatenate([upper, lower[1:-1]])
        poly_i = T(poly)
        roi = p.paint([poly_i], sclera)
        if roi is not None:
            clip = np.zeros((p.h, p.w), np.float32)
            x0, y0, x1, y1 = roi
            clip[y0:y1, x0:x1] = p.mask([poly_i], roi=roi)
            ew = np.linalg.norm(s[b] - s[a])
            ic = (s[a] + s[b]) / 2 + gaze * ew
            r = ew * rng.uniform(0.2, 0.26)
            p.paint([T(_ellipse(ic, r, r, n=20))], iris_col, clip=clip)
            p.paint([T(_ellipse(ic, r * 0.45, r * 0.45, n=16))],
                    (10, 10, 10), clip=clip)
            hc = ic + np.array([-0.3, -0.3]) * r
            p.paint([T(_ellipse(hc, r * 0.18, r * 0.18, n=8))],
                    (245, 245, 245), alpha=0.8, clip=clip)
        p.paint([T(lower)], lid_col, alpha=0.7, thickness=lid_t,
                closed=False)
        p.paint([T(upper)], lid_col, thickness=lid_t + 1, closed=False)

    # mouth
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
    _paint_teeth(p, rng, roi, inner, up_i, gap, T)
    p.paint([inner], mouth_dark * 0.8, thickness=px(0.008))
    return head_mask


def _occluders(p: _Painter, rng, kpts: np.ndarray, B: float, skin,
               n: int, big: bool) -> None:
    size = p.w
    for _ in range(n):
        c = kpts[rng.integers(NUM_KEYPOINTS)] + rng.normal(0, 0.08 * B, 2)
        r = B * (rng.uniform(0.15, 0.3) if big else rng.uniform(0.08, 0.2))
        if rng.random() < 0.5:
            col = _rand_colour(rng)
        else:
            col = _rand_colour(rng, 30, 220) + _lowfreq(
                rng, size, int(rng.integers(4, 24))) * rng.uniform(10, 50)
        kind = rng.choice(['rect', 'ellipse', 'hand', 'hair', 'sunglasses',
                           'glasses', 'bar'],
                          p=[0.2, 0.15, 0.2, 0.15, 0.1, 0.1, 0.1])
        ang = rng.uniform(0, np.pi)
        if kind == 'rect':
            poly = _ellipse(c, r, r * rng.uniform(0.3, 1.0), ang, n=4)
            p.paint([poly], col)
        elif kind == 'ellipse':
            p.paint([_ellipse(c, r, r * rng.uniform(0.4, 1.0), ang)], col)
        elif kind == 'bar':
            q = rng.normal(0, 1, 2)
            q = q / max(np.linalg.norm(q), 1e-6) * r * 2.5
            p.paint([_capsule(c - q, c + q, r * rng.uniform(0.1, 0.25))], col)
        elif kind == 'hand':
            hcol = _jitter(rng, _skin_colour(rng, 1.0) if rng.random() < 0.5
                           else skin, 15)
            d = np.array([math.cos(ang), math.sin(ang)])
            nrm = np.array([-d[1], d[0]])
            palm_c = c - d * r * 0.4
            polys = [_ellipse(palm_c, r * 0.6, r * 0.5, ang)]
            for k in range(4):
                base = palm_c + nrm * r * (k - 1.5) * 0.3 + d * r * 0.3
                fd = d + nrm * (k - 1.5) * 0.12
                tip = base + fd * r * rng.uniform(0.7, 1.0)
                polys.append(_capsule(base, tip, r * 0.12))
            tb = palm_c - nrm * r * 0.5
            polys.append(_capsule(tb, tb - nrm * r * 0.5 + d * r * 0.3,
                                  r * 0.13))
            for poly in polys:
                p.paint([poly], hcol * 0.7, thickness=1)
            for poly in polys:
                p.paint([poly], hcol)
        elif kind == 'hair':
            hcol = _jitter(rng, _HAIR_TONES[rng.integers(len(_HAIR_TONES))],
                           10)
            for _ in range(int(rng.integers(3, 10))):
                st = c + rng.normal(0, r * 0.6, 2) + np.array([0, -r * 1.5])
                pts = [st]
                for _ in range(3):
                    pts.append(pts[-1] + np.array([rng.normal(0, 0.4 * r),
                                                   r * rng.uniform(0.5, 1.1)]))
                curve = catmull_rom(np.array(pts), samples=6)
                p.paint([curve], hcol, thickness=max(1, int(B * rng.uniform(
                    0.008, 0.03))), closed=False)
        else:  # glasses over both eyes
            fcol = _rand_colour(rng, 0, 120)
            for a, b in ((36, 42), (42, 48)):
                e = kpts[a:b]
                ec = e.mean(0)
                ew = np.linalg.norm(kpts[a + 3] - kpts[a])
                v = kpts[a + 3] - kpts[a]
                ea = math.atan2(v[1], v[0])
                lens = _ellipse(ec, ew * 0.85, ew * 0.6, ea)
                if kind == 'sunglasses':
                    p.paint([lens], fcol * 0.4, alpha=rng.uniform(0.85, 1.0))
                p.paint([lens], fcol, thickness=max(1, int(B * 0.015)))
            p.paint([kpts[[39, 42]]], fcol, thickness=max(1, int(B * 0.012)),
                    closed=False)


# ---------------------------------------------------------------------------
# ``diverse`` variants: drawing-style families, distractors, post styles
# ---------------------------------------------------------------------------
#: Generator variants. ``classic`` is the plain rendering above; the others
#: switch on independent groups of extra variety (see :func:`render_sample`);
#: :data:`DEFAULT_VARIANT` says which one is used without ``variant=``.
VARIANTS = dict(
    classic=frozenset(),
    styles=frozenset({'styles', 'post'}),
    distract=frozenset({'distract'}),
    shapes=frozenset({'shapes'}),
    crowd=frozenset({'distract', 'crowd'}),
    diverse_xshapes=frozenset({'styles', 'post', 'distract', 'xshapes'}),
    diverse_crowd=frozenset({'styles', 'post', 'distract', 'shapes',
                             'crowd'}),
    diverse=frozenset({'styles', 'post', 'distract', 'shapes'}),
)
#: The default since the label-fraction check (README, "Does SynthFace-68
#: leave room for semi-supervision?"): at the 3,000-iteration CPU budget a
#: supervised HRNet on 5 % of its labels is +35.2 % worse (NME) than on all
#: of them, against +20.0 % for ``classic`` (the default before).
DEFAULT_VARIANT = 'diverse_xshapes'

_STYLE_CHOICES = dict(
    mode=(('photo', 0.45), ('flat', 0.3), ('line', 0.25)),
    skin_tex=(('smooth', 0.25), ('lowfreq', 0.25), ('grain', 0.15),
              ('stripes', 0.15), ('spots', 0.2)),
    brow=(('band', 0.3), ('line', 0.25), ('outline', 0.2), ('strokes', 0.25)),
    eye=(('real', 0.3), ('outline', 0.2), ('dark', 0.15), ('liner', 0.2),
         ('cartoon', 0.15)),
    nose=(('real', 0.35), ('line', 0.3), ('shadow', 0.35)),
    mouth=(('real', 0.3), ('outline', 0.25), ('lipstick', 0.25),
           ('thin', 0.2)),
    jaw=(('plain', 0.45), ('stroke', 0.35), ('beard', 0.2)),
)


def _pick(rng, options):
    names = [o[0] for o in options]
    probs = np.array([o[1] for o in options], np.float64)
    return names[int(rng.choice(len(names), p=probs / probs.sum()))]


def _random_hue(rng, lo=40, hi=230) -> np.ndarray:
    """A saturated random colour (BGR)."""
    hsv = np.uint8([[[rng.integers(0, 180), rng.integers(120, 256),
                      rng.integers(lo, hi)]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def _contrast_ink(rng, base) -> np.ndarray:
    """A feature colour clearly darker or (rarely) lighter than ``base``."""
    lum = float(np.mean(base))
    if rng.random() < 0.2 and lum < 150:  # light features on dark skin
        return np.clip(base + rng.uniform(70, 140), 0, 255).astype(np.float32)
    if rng.random() < 0.3:
        c = _random_hue(rng, 20, 120)
    else:
        c = base * rng.uniform(0.1, 0.45)
    return np.clip(c, 0, 255).astype(np.float32)


def _skin_texture(rng, size, base, kind) -> np.ndarray:
    tex = np.broadcast_to(base, (size, size, 3)).astype(np.float32).copy()
    if kind == 'lowfreq':
        tex += _lowfreq(rng, size, int(rng.integers(3, 8))) * \
            rng.uniform(6, 20)
    elif kind == 'grain':
        g = _lowfreq(rng, size, int(rng.integers(40, 90)), 1)
        tex += g * rng.uniform(8, 25)
    elif kind == 'stripes':
        ang = rng.uniform(0, np.pi)
        freq = rng.uniform(6, 25) / size
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        wave = np.sin(2 * np.pi * freq *
                      (xx * math.cos(ang) + yy * math.sin(ang)))
        tex += (wave[..., None] * rng.uniform(10, 35) *
                rng.uniform(-1, 1, 3)).astype(np.float32)
    elif kind == 'spots':
        pp = _Painter(tex)
        col = np.clip(base * rng.uniform(0.55, 0.85), 0, 255)
        for _ in range(int(rng.integers(20, 70))):
            c = rng.uniform(0, size, 2)
            r = rng.uniform(0.004, 0.015) * size
            pp.paint([_ellipse(c, r, r * rng.uniform(0.6, 1), 0, n=8)],
                     col, alpha=rng.uniform(0.3, 0.8))
    return tex


def _face_style(rng, skin, d) -> Dict:
    """Independent style choices of one face (``styles`` group)."""
    st = {k: _pick(rng, v) for k, v in _STYLE_CHOICES.items()}
    if st['mode'] == 'flat' and rng.random() < 0.6:
        skin = _random_hue(rng, 90, 240)
    if st['mode'] == 'line':
        st['paper'] = rng.random() < 0.6  # head filled with a paper colour
        skin = _rand_colour(rng, 170, 250) if st['paper'] else skin
    st['skin'] = np.asarray(skin, np.float32)
    st['ink'] = _contrast_ink(rng, st['skin'])
    st['stroke'] = rng.uniform(0.008, 0.03)  # line width (face units)
    st['feature_hue'] = rng.random() < 0.3  # painted, unnatural features
    return st


def _part_colour(rng, st, natural) -> np.ndarray:
    if st['feature_hue']:
        return _random_hue(rng, 30, 200)
    if st['mode'] == 'line':
        return st['ink']
    return np.clip(natural, 0, 255).astype(np.float32)


def _draw_brow(p, rng, st, pts, T, px, col, inner_last):
    c = catmull_rom(pts, samples=6)
    u = np.linspace(0, 1, len(c))
    if not inner_last:
        u = u[::-1]
    th = rng.uniform(0.02, 0.055)
    prof = th * (0.35 + 0.65 * np.sqrt(u))
    nrm = _tangent_normals(c)
    nrm *= np.sign(nrm[:, 1:2] + 1e-9)  # down
    lower = c + nrm * prof[:, None]
    band = np.concatenate([c, lower[::-1]])
    kind = st['brow']
    if kind == 'band':
        p.paint([T(band)], col, alpha=rng.uniform(0.6, 1.0))
    elif kind == 'line':
        p.paint([T(c)], col,
                thickness=max(1, px(st['stroke'] * 1.2)), closed=False)
    elif kind == 'outline':
        p.paint([T(band)], col, thickness=max(1, px(st['stroke'] * 0.6)))
    else:  # hair strokes hanging from the upper edge
        n = int(rng.integers(7, 14))
        idx = np.linspace(0, len(c) - 1, n).round().astype(int)
        lean = rng.uniform(0.2, 0.7) * (1 if inner_last else -1)
        for i in idx:
            q0 = c[i]
            q1 = q0 + np.array([lean * prof[i], prof[i] * 1.2])
            p.paint([T(np.stack([q0, q1]))], col,
                    thickness=max(1, px(0.01)), closed=False)
        p.paint([T(c)], col, thickness=1, closed=False)


def _draw_eye(p, rng, st, e, T, px, ink, iris_col):
    """``e``: the 6 eye landmarks (normalised)."""
    upper = catmull_rom(e[0:4], samples=6)
    lower = catmull_rom(np.stack([e[3], e[4], e[5], e[0]]), samples=6)
    poly = np.concatenate([upper, lower[1:-1]])
    poly_i = T(poly)
    kind = st['eye']
    ew = np.linalg.norm(e[3] - e[0])
    if kind == 'dark':
        p.paint([poly_i], ink)
        hc = e.mean(0) + np.array([-0.1, -0.15]) * ew
        p.paint([T(_ellipse(hc, ew * 0.07, ew * 0.07, n=8))],
                (240, 240, 240), alpha=0.8)
        return
    sclera = _jitter(rng, np.array([225, 232, 238], np.float32), 12) \
        if kind != 'outline' else None
    if kind == 'outline':
        roi = None
        ic = e.mean(0) + np.array([rng.uniform(-0.12, 0.12) * ew, 0])
        r = ew * 0.1
        p.paint([T(_ellipse(ic, r, r, n=10))], ink)
    else:
        roi = p.paint([poly_i], sclera)
    if roi is not None:
        clip = np.zeros((p.h, p.w), np.float32)
        x0, y0, x1, y1 = roi
        clip[y0:y1, x0:x1] = p.mask([poly_i], roi=roi)
        gaze = np.array([rng.uniform(-0.18, 0.18), rng.uniform(-0.06, 0.06)])
        ic = (e[0] + e[3]) / 2 + gaze * ew
        r = ew * (rng.uniform(0.3, 0.38) if kind == 'cartoon'
                  else rng.uniform(0.2, 0.26))
        p.paint([T(_ellipse(ic, r, r, n=20))], iris_col, clip=clip)
        p.paint([T(_ellipse(ic, r * 0.45, r * 0.45, n=16))], (10, 10, 10),
                clip=clip)
        hc = ic + np.array([-0.3, -0.3]) * r
        p.paint([T(_ellipse(hc, r * 0.2, r * 0.2, n=8))], (245, 245, 245),
                alpha=0.8, clip=clip)
    t = max(1, px(st['stroke'] * 0.8))
    if kind == 'liner':
        shadow = np.concatenate([upper, (upper + np.array(
            [0, -0.045]))[::-1]])
        p.paint([T(shadow)], _random_hue(rng, 60, 200),
                alpha=rng.uniform(0.4, 0.8), blur=1.0)
        p.paint([T(upper)], ink, thickness=max(2, px(0.022)), closed=False)
        p.paint([T(lower)], ink, alpha=0.8, thickness=t, closed=False)
    elif kind == 'cartoon':
        p.paint([poly_i], ink, thickness=max(2, px(0.018)))
    else:
        p.paint([T(lower)], ink, alpha=0.75, thickness=t, closed=False)
        p.paint([T(upper)], ink, thickness=t + 1, closed=False)


def _draw_nose(p, rng, st, n9, T, px, skin, ink):
    """``n9``: landmarks 27-35 (normalised)."""
    w = np.linalg.norm(n9[8] - n9[4])
    ridge = catmull_rom(n9[0:4], samples=6)
    base = catmull_rom(n9[4:9], samples=5)
    kind = st['nose']
    dark = ink if st['mode'] == 'line' else skin * 0.45
    if kind == 'real':
        side = 1 if rng.random() < 0.5 else -1
        p.paint([T(ridge + np.array([side * 0.008, 0]))], skin * 0.6,
                alpha=rng.uniform(0.3, 0.6), thickness=px(0.02),
                closed=False, blur=1.0)
        p.paint([T(ridge)], dark, alpha=rng.uniform(0.6, 0.9),
                thickness=px(0.014), closed=False)
    elif kind == 'line':
        p.paint([T(ridge)], dark, thickness=max(1, px(st['stroke'])),
                closed=False)
    else:  # shadow: a soft band beside the ridge, sharp edge on it
        side = 1 if rng.random() < 0.5 else -1
        off = ridge + np.array([side * 0.035, 0])
        band = np.concatenate([ridge, off[::-1]])
        p.paint([T(band)], skin * 0.55, alpha=rng.uniform(0.5, 0.9))
    p.paint([T(_ellipse(n9[3] + np.array([0, -0.01]), 0.3 * w, 0.18 * w))],
            np.minimum(skin * 1.3 + 20, 255) if st['mode'] != 'line'
            else dark, alpha=0.5 if st['mode'] != 'line' else 0.8)
    for i, j in ((5, 4), (7, 8)):
        c = n9[i] * 0.65 + n9[j] * 0.35 + np.array([0, -0.12 * w])
        ang = math.atan2(n9[j, 1] - n9[i, 1], n9[j, 0] - n9[i, 0])
        p.paint([T(_ellipse(c, 0.2 * w, 0.09 * w, ang, n=12))], dark * 0.6,
                alpha=0.85)
    for i, sg in ((4, -1), (8, 1)):
        ala = np.array([n9[i], n9[i] + np.array([sg * 0.12 * w, -0.3 * w]),
                        n9[i] + np.array([-sg * 0.02 * w, -0.6 * w])])
        p.paint([T(catmull_rom(ala, samples=5))], dark, alpha=0.7,
                thickness=max(1, px(0.012)), closed=False)
    p.paint([T(base)], dark, alpha=0.9,
            thickness=max(1, px(st['stroke'] * 0.9)), closed=False)


def _draw_mouth(p, rng, st, m20, T, px, skin, ink):
    """``m20``: landmarks 48-67 (normalised)."""
    up_o = catmull_rom(m20[0:7], samples=6)
    lo_o = catmull_rom(m20[[6, 7, 8, 9, 10, 11, 0]], samples=6)
    outer = T(np.concatenate([up_o, lo_o[1:-1]]))
    up_i = catmull_rom(m20[12:17], samples=6)
    lo_i = catmull_rom(m20[[16, 17, 18, 19, 12]], samples=6)
    inner = T(np.concatenate([up_i, lo_i[1:-1]]))
    kind = st['mouth']
    t = max(1, px(st['stroke'] * 0.8))
    mouth_dark = np.array([35, 25, 55], np.float32) * rng.uniform(0.5, 1.2)
    if kind == 'outline':
        p.paint([inner], mouth_dark if st['mode'] != 'line' else ink,
                alpha=rng.uniform(0.0, 1.0))
        p.paint([outer], ink, thickness=t)
        p.paint([inner], ink, thickness=t)
        return
    if kind == 'real':
        lip = skin * rng.uniform(0.5, 0.8) + \
            np.array([0, 0, 1], np.float32) * rng.uniform(10, 60)
    elif kind == 'lipstick':
        lip = _random_hue(rng, 60, 230)
    else:  # thin: lips nearly skin coloured, outline faint
        lip = skin * rng.uniform(0.8, 0.92)
    lip = np.clip(lip, 0, 255).astype(np.float32)
    p.paint([outer], lip)
    p.paint([outer], lip * 0.6, alpha=0.9 if kind != 'thin' else 0.6,
            thickness=1)
    roi = p.paint([inner], mouth_dark)
    gap = float((m20[[17, 18, 19], 1] - m20[[15, 14, 13], 1]).max())
    _paint_teeth(p, rng, roi, inner, up_i, gap, T)
    p.paint([inner], mouth_dark * 0.8, thickness=max(1, px(0.008)))


def _draw_features(p, rng, st, s, T, px, skin, hair_col):
    """Brows, eyes, nose and mouth of a face in style ``st`` (``s`` may be
    any 68-point shape, ``T`` its transform into the image)."""
    ink = st['ink']
    brow_col = _part_colour(rng, st, hair_col * rng.uniform(0.4, 1.0)
                            if rng.random() < 0.7 else ink)
    for a, b, inner_last in ((17, 22, True), (22, 27, False)):
        _draw_brow(p, rng, st, s[a:b], T, px, brow_col, inner_last)
    eye_ink = _part_colour(rng, st, np.minimum(skin * rng.uniform(0.15, 0.4),
                                               hair_col + 30))
    iris = _jitter(rng, _IRIS_TONES[rng.integers(len(_IRIS_TONES))], 15) \
        if rng.random() < 0.7 else _random_hue(rng, 40, 200)
    for a in (36, 42):
        _draw_eye(p, rng, st, s[a:a + 6], T, px, eye_ink, iris)
    _draw_nose(p, rng, st, s[27:36], T, px, skin,
               _part_colour(rng, st, skin * 0.4))
    _draw_mouth(p, rng, st, s[48:68], T, px, skin,
                _part_colour(rng, st, skin * 0.35))


def _part_distractors(p, rng, st, s, M, B, skin, hair_col, n):
    """``n`` extra facial parts (eyes, eye pairs, brows, noses, mouths)
    drawn in the same style around the head; the head is drawn over them
    later, so they never touch the real features."""
    size = p.w
    px = lambda v: max(1, int(round(v * B)))  # noqa: E731
    groups = dict(eye=list(range(36, 42)), eyes=list(range(36, 48)),
                  brow=list(range(17, 22)), nose=list(range(27, 36)),
                  mouth=list(range(48, 68)),
                  eyebrow=list(range(17, 27)) + list(range(36, 48)))
    names = list(groups)
    for _ in range(n):
        g = names[int(rng.integers(len(names)))]
        idx = groups[g]
        part = s[idx]
        ang = rng.uniform(0, 2 * np.pi)
        dist = rng.uniform(0.5, 0.85)
        k = rng.uniform(0.7, 1.3)
        rot = _rot(rng.normal(0, 0.4))
        c = part.mean(0)
        q = (part - c) @ rot.T * k + np.array(
            [math.cos(ang), math.sin(ang)]) * dist
        full = s.copy()
        full[idx] = q
        T = lambda x: _tf(M, x)  # noqa: E731
        pts = T(q)
        if (pts.max(0) < 0).any() or (pts.min(0) > size - 1).any():
            continue
        sub = p
        if g in ('eye', 'eyes', 'eyebrow'):
            for a in (36, 42):
                if a in idx:
                    _draw_eye(sub, rng, st, full[a:a + 6], T, px,
                              st['ink'], _jitter(rng, _IRIS_TONES[
                                  rng.integers(len(_IRIS_TONES))], 15))
        if g in ('brow', 'eyebrow'):
            for a, b, il in ((17, 22, True), (22, 27, False)):
                if a in idx:
                    _draw_brow(sub, rng, st, full[a:b], T, px,
                               hair_col * 0.7, il)
        if g == 'nose':
            _draw_nose(sub, rng, st, full[27:36], T, px, skin, st['ink'])
        if g == 'mouth':
            _draw_mouth(sub, rng, st, full[48:68], T, px, skin, st['ink'])


def _post_style(rng, img: np.ndarray) -> np.ndarray:
    """Global colour / rendering transforms (``post`` group): channel
    permutation, negative, posterisation, pencil sketch, grey."""
    u = rng.random()
    if u < 0.25:
        img = img[..., list(rng.permutation(3))]
    elif u < 0.37:
        img = 255 - img
    elif u < 0.47:
        levels = int(rng.integers(3, 6))
        img = np.round(img / 255 * (levels - 1)) * (255 / (levels - 1))
    elif u < 0.59:  # pencil sketch: dark where the image has edges
        g = cv2.cvtColor(np.clip(img, 0, 255).astype(np.float32),
                         cv2.COLOR_BGR2GRAY)
        g = cv2.GaussianBlur(g, (0, 0), 0.8)
        e = np.abs(cv2.Laplacian(g, cv2.CV_32F, ksize=3))
        paper = _rand_colour(rng, 180, 255)
        k = rng.uniform(2.0, 5.0)
        img = paper * (1 - np.clip(e * k / 255, 0, 1))[..., None]
    elif u < 0.67:
        img = np.repeat(img.mean(2, keepdims=True), 3, 2)
    return np.ascontiguousarray(img, np.float32)


def _classic_style(skin) -> Dict:
    """The style dict of the classic drawing (for distractor parts)."""
    return dict(mode='photo', brow='band', eye='real', nose='real',
                mouth='real', skin=np.asarray(skin, np.float32),
                ink=np.asarray(skin, np.float32) * 0.3, stroke=0.012,
                feature_hue=False)


def _neighbour_face(p, rng, prior, M, skin, d, flags) -> None:
    """Another face beside the target (``crowd`` group): its own shape,
    style and size, centred 0.75-1.15 face boxes away, drawn before the
    target face so that the target is never covered by it."""
    s2 = prior.sample(rng, False)
    ang = rng.uniform(0, 2 * np.pi)
    off = np.array([math.cos(ang), math.sin(ang) * 0.8]) * \
        rng.uniform(0.75, 1.15)
    k = rng.uniform(0.7, 1.2)
    M2 = np.empty((2, 3))
    M2[:, :2] = M[:, :2] @ _rot(rng.normal(0, 0.25)) * k
    M2[:, 2] = M[:, 2] + M[:, :2] @ off
    B2 = math.hypot(M2[0, 0], M2[1, 0])
    skin2 = _skin_colour(rng, d) if rng.random() < 0.7 else skin
    if 'styles' in flags:
        _draw_face_styled(p, rng, s2, M2, B2, skin2,
                          _face_style(rng, skin2, d))
    else:
        _draw_face(p, rng, s2, M2, B2, skin2)


def _forehead_glyph(p, rng, st, s, M, B, skin) -> None:
    """A painted eye or mouth on the forehead (``crowd`` group)."""
    px = lambda v: max(1, int(round(v * B)))  # noqa: E731
    T = lambda q: _tf(M, q)  # noqa: E731
    c = np.array([s[27, 0], s[17:27, 1].min() - rng.uniform(0.08, 0.14)])
    k = rng.uniform(0.5, 0.8)
    if rng.random() < 0.6:
        e = s[36:42]
        _draw_eye(p, rng, st, (e - e.mean(0)) * k + c, T, px, st['ink'],
                  _jitter(rng, _IRIS_TONES[rng.integers(len(_IRIS_TONES))],
                          15))
    else:
        m = s[48:68]
        _draw_mouth(p, rng, st, (m - m.mean(0)) * k * 0.7 + c, T, px, skin,
                    st['ink'])


def _draw_face_styled(p: _Painter, rng, s: np.ndarray, M: np.ndarray,
                      B: float, skin: np.ndarray, st: Dict,
                      n_distract: int = 0) -> None:
    """The ``styles`` drawing of one face: head, hair and features in the
    per-face style ``st`` (:func:`_face_style`); ``n_distract`` extra parts
    are drawn around the head first."""
    size = p.w
    T = lambda q: _tf(M, q)  # noqa: E731
    px = lambda v: max(1, int(round(v * B)))  # noqa: E731
    skin = st['skin']
    line = st['mode'] == 'line'
    hair_col = _jitter(rng, _HAIR_TONES[rng.integers(len(_HAIR_TONES))], 12) \
        if rng.random() < 0.75 else _random_hue(rng, 30, 220)
    head, upper = _random_head(rng, s)
    centre = s.mean(0)
    if n_distract and (not line or st.get('paper')):
        # (an unfilled line-art head would not hide them)
        _part_distractors(p, rng, st, s, M, B, skin, hair_col, n_distract)

    long_hair = rng.random() < 0.35
    if long_hair:
        hair_back = _long_hair_back(rng, s, upper, centre)
        hb = T(catmull_rom(hair_back, samples=6))
        if line:
            p.paint([hb], st['ink'], thickness=max(1, px(st['stroke'])))
        else:
            p.paint([hb], hair_col)
    neck_w = (s[12, 0] - s[4, 0]) * rng.uniform(0.2, 0.28)
    nx = s[8, 0] * 0.5 + centre[0] * 0.5
    neck = T(np.array([[nx - neck_w, s[5, 1] - 0.1], [nx + neck_w,
                       s[11, 1] - 0.1], [nx + neck_w * 1.1, s[8, 1] + 0.6],
                       [nx - neck_w * 1.1, s[8, 1] + 0.6]]))
    if line:
        p.paint([neck], st['ink'], thickness=max(1, px(st['stroke'])))
    else:
        p.paint([neck], skin * rng.uniform(0.6, 0.8))
    for side, (i, j) in ((-1, (1, 3)), (1, (15, 13))):
        if rng.random() < 0.8:
            c = (s[i] + s[j]) / 2 + np.array([side * 0.03, 0])
            ear = T(_ellipse(c, 0.05, rng.uniform(0.09, 0.13),
                             side * rng.uniform(0.0, 0.3)))
            if line:
                p.paint([ear], st['ink'], thickness=max(1, px(st['stroke'])))
            else:
                p.paint([ear], skin * rng.uniform(0.8, 0.95))

    jaw = catmull_rom(s[0:17], samples=6)
    jaw_i = T(jaw)
    head_img = T(head)
    if not line:
        p.paint([jaw_i], skin * rng.uniform(0.25, 0.5),
                alpha=rng.uniform(0.6, 0.9), thickness=px(0.035),
                closed=False, blur=0.004 * B)
        tex = _skin_texture(rng, size, skin, st['skin_tex'])
        p.paint([head_img], tex)
        if st['mode'] == 'photo':
            head_mask = p.mask([head_img])
            shade_k = rng.uniform(0.05, 0.25)
            soft = cv2.GaussianBlur(head_mask, (0, 0), max(0.07 * B, 1.0))
            p.img *= (1 - shade_k * head_mask * (1 - soft))[..., None]
    elif st.get('paper'):
        p.paint([head_img], skin)
    if line or st['jaw'] == 'stroke':
        p.paint([T(head[len(jaw) - 1:])], st['ink'],
                alpha=rng.uniform(0.5, 1.0),
                thickness=max(1, px(st['stroke'])), closed=False)
        p.paint([jaw_i], st['ink'], thickness=max(1, px(st['stroke'])),
                closed=False)
    elif st['jaw'] == 'beard':
        cen = np.array([s[27:36, 0].mean(), s[33, 1]])
        inner = cen + (jaw - cen) * rng.uniform(0.55, 0.8)
        beard = np.concatenate([jaw, inner[::-1]])
        bt = _skin_texture(rng, size, hair_col, 'grain')
        p.paint([T(beard)], bt, alpha=rng.uniform(0.6, 0.95))

    # top hair
    if rng.random() < 0.8 or long_hair:
        brow_top = s[17:27, 1].min()
        hl = brow_top - rng.uniform(0.06, 0.2)
        n = 7
        xs = np.linspace(s[0, 0] - 0.05, s[16, 0] + 0.05, n)
        ys = hl + rng.normal(0, 0.02, n) + \
            rng.uniform(0, 0.12) * ((xs - centre[0]) / 0.5) ** 2
        ys = np.minimum(ys, brow_top - 0.02)
        hline = catmull_rom(np.stack([xs, ys], 1), samples=6)
        outer = centre + (upper - centre) * np.array([1.06, 1.08])
        outer = outer[outer[:, 1] < min(ys[0], ys[-1]) + 0.04]
        hp = T(np.concatenate([hline, outer]))
        if line:
            p.paint([hp], st['ink'], thickness=max(1, px(st['stroke'])))
        else:
            p.paint([hp], hair_col)

    if st['mode'] == 'photo':
        for a, b in ((36, 42), (42, 48)):
            e = s[a:b]
            c = e.mean(0) + np.array([0, -0.01])
            sock = c + (catmull_rom(e, closed=True) - c) * np.array(
                [1.4, 2.2])
            p.paint([T(sock)], skin * 0.7, alpha=rng.uniform(0.2, 0.5),
                    blur=0.03 * B)
    _draw_features(p, rng, st, s, T, px, skin, hair_col)


def render_sample(rng: np.random.Generator, prior: ShapePrior,
                  image_size: int = 256, hard: bool = False,
                  challenge: bool = False,
                  difficulty: float = 1.0,
                  variant: str = DEFAULT_VARIANT
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Render one face. Returns the BGR uint8 image (before the final JPEG
    write) and the (68, 2) landmarks in pixels.

    ``hard`` draws from the large-yaw pool with larger rotations and more
    occlusion; ``challenge`` (test only) pushes rotation to +-60 deg and
    occlusion further.
    """
    d = float(np.clip(difficulty, 0.0, 2.0))
    size = int(image_size)
    flags = VARIANTS[variant]
    if 'xshapes' in flags:
        shape = prior.sample(rng, hard or challenge, exaggerate=True,
                             mix=True)
    elif 'shapes' in flags:
        shape = prior.sample(rng, hard or challenge, exaggerate=True)
    else:
        shape = prior.sample(rng, hard or challenge)
    skin = _skin_colour(rng, d)
    img = _background(rng, size, d, skin)

    max_rot = 60.0 if challenge else (45.0 if hard else 20.0)
    theta = math.radians(rng.uniform(-max_rot, max_rot) * min(d, 1.0))
    half = 0.15 * min(d, 1.33)
    frac = rng.uniform(0.55 - half, 0.55 + half)
    M = _place(rng, shape, size, theta, frac, margin=0.03 * size)
    B = math.hypot(M[0, 0], M[1, 0])
    kpts = _tf(M, shape)

    p = _Painter(img)
    st = None
    if 'crowd' in flags:  # neighbouring faces, partly behind this one
        if 'styles' in flags:
            st = _face_style(rng, skin, d)
        # an unfilled line-art head would show them through the face
        see_through = st is not None and st['mode'] == 'line' and \
            not st.get('paper')
        for _ in range(int(rng.random() < 0.7) + int(rng.random() < 0.3)):
            if not see_through:
                _neighbour_face(p, rng, prior, M, skin, d, flags)
    n_distract = 0
    if 'distract' in flags and rng.random() < 0.75:
        n_distract = 1 + int(rng.poisson(1.5))
    if 'styles' in flags:
        if st is None:
            st = _face_style(rng, skin, d)
        _draw_face_styled(p, rng, shape, M, B, skin, st, n_distract)
    else:
        st = _classic_style(skin)
        if n_distract:
            _part_distractors(p, rng, st, shape, M, B, skin,
                              _HAIR_TONES[rng.integers(len(_HAIR_TONES))],
                              n_distract)
        _draw_face(p, rng, shape, M, B, skin)
    if 'crowd' in flags and rng.random() < 0.35:
        _forehead_glyph(p, rng, st, shape, M, B, skin)

    # occluders
    if challenge:
        n_occ = int(rng.integers(1, 4)) if rng.random() < 0.9 * min(d, 1) \
            else 0
    elif hard:
        n_occ = int(rng.integers(1, 3)) if rng.random() < 0.6 * min(d, 1.5) \
            else 0
    else:
        n_occ = (1 + int(rng.random() < 0.25)) \
            if rng.random() < 0.3 * d else 0
    _occluders(p, rng, kpts, B, skin, n_occ, big=challenge or hard)
    if 'post' in flags:
        img = _post_style(rng, img)

    # lighting gradient, colour cast, grey
    if d > 0:
        ang = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
        amp = rng.uniform(0, 0.6) * min(d, 1.5)
        gain = 1 + amp * (xx * math.cos(ang) + yy * math.sin(ang))
        gain *= rng.uniform(1 - 0.25 * d / 2 - 0.1, 1 + 0.2 * d / 2)
        img *= gain[..., None]
        img *= (1 + rng.normal(0, 0.06 * d, 3)).astype(np.float32)
        if rng.random() < 0.08 * d:
            img[:] = img.mean(2, keepdims=True)
    img = np.clip(img, 0, 255)
    if d > 0 and rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.2 * d))
    if d > 0:
        sigma = rng.uniform(0, 6 * d)
        img = img + rng.normal(0, sigma, img.shape).astype(np.float32)
    out = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    if d > 0 and rng.random() < 0.4 * min(d, 1.5):
        q = int(rng.uniform(25, 75))
        ok, buf = cv2.imencode('.jpg', out, [cv2.IMWRITE_JPEG_QUALITY, q])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out, kpts


# ---------------------------------------------------------------------------
# data set writer
# ---------------------------------------------------------------------------
_PRIORS: Dict[str, ShapePrior] = {}
_PRIOR_CACHE: Dict[str, Dict[str, ShapePrior]] = {}


def load_priors(annotation_dir: Optional[str] = None
                ) -> Dict[str, ShapePrior]:
    """Train prior from ``face_landmarks_300w_valid.csv`` and test prior from
    ``face_landmarks_300w_test.csv`` (disjoint real shapes); cached."""
    ann = osp.abspath(annotation_dir or default_annotation_dir())
    if ann not in _PRIOR_CACHE:
        _PRIOR_CACHE[ann] = dict(
            train=ShapePrior.from_csv(_prior_csv(ann, 'valid')),
            test=ShapePrior.from_csv(_prior_csv(ann, 'test')))
    return _PRIOR_CACHE[ann]


def _init_worker(priors, worker_process=True):
    _PRIORS.clear()
    _PRIORS.update(priors)
    if worker_process:
        cv2.setNumThreads(1)


def sample_seed(seed: int, split: str, index: int) -> np.random.SeedSequence:
    """Per-image seed from (seed, split, index)."""
    return np.random.SeedSequence([int(seed), _SPLIT_CODES[split], int(index)])


def _hard_indices(seed: int, split: str, n: int) -> np.ndarray:
    frac = CHALLENGE_FRACTION if split == 'test' else TRAIN_HARD_FRACTION
    rng = np.random.default_rng([int(seed), _SPLIT_CODES[split], 2**31 - 1])
    k = int(round(frac * n))
    return np.sort(rng.permutation(n)[:k])


def _render_job(job):
    (split, index, hard, image_size, seed, difficulty, path, quality,
     variant) = job
    rng = np.random.default_rng(sample_seed(seed, split, index))
    img, kpts = render_sample(
        rng, _PRIORS[split], image_size, hard=hard and split == 'train',
        challenge=hard and split == 'test', difficulty=difficulty,
        variant=variant)
    ok = cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise IOError(f'cannot write {path}')
    return index, np.round(kpts, 3)


def _face_box(kpts: np.ndarray) -> Tuple[List[float], float]:
    lo, hi = kpts.min(0), kpts.max(0)
    centre = (lo + hi) / 2
    return [round(float(centre[0]), 3), round(float(centre[1]), 3)], \
        round(float((hi - lo).max() * BOX_FACTOR / 200.0), 6)


def _meta_args(num_train, num_test, image_size, seed, difficulty, quality,
               variant=DEFAULT_VARIANT):
    args = dict(num_train=int(num_train), num_test=int(num_test),
                image_size=int(image_size), seed=int(seed),
                difficulty=float(difficulty), jpeg_quality=int(quality))
    if variant != 'classic':
        # ``classic`` sets record no variant, so sets made before the
        # option existed are read as what they are: classic
        args['variant'] = str(variant)
    return args


def is_up_to_date(out_dir: str, **kwargs) -> bool:
    """True when ``out_dir`` holds a complete set made by this generator
    version with the same arguments (keys of :func:`generate_synthface`)."""
    path = osp.join(out_dir, 'synthface_meta.json')
    if not osp.isfile(path):
        return False
    try:
        with open(path) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    args = _meta_args(
        kwargs.get('num_train', 3000), kwargs.get('num_test', 600),
        kwargs.get('image_size', 256), kwargs.get('seed', 0),
        kwargs.get('difficulty', 1.0), kwargs.get('jpeg_quality', 95),
        kwargs.get('variant', DEFAULT_VARIANT))
    if meta.get('version') != GENERATOR_VERSION or meta.get('args') != args:
        return False
    return all(
        osp.isfile(osp.join(out_dir, 'annotations', f))
        for f in ANN_FILES.values())


def generate_synthface(out_dir: str,
                       num_train: int = 3000,
                       num_test: int = 600,
                       image_size: int = 256,
                       seed: int = 0,
                       difficulty: float = 1.0,
                       workers: int = 1,
                       jpeg_quality: int = 95,
                       contact_sheet: Optional[str] = '',
                       variant: str = DEFAULT_VARIANT,
                       annotation_dir: Optional[str] = None,
                       force: bool = True) -> Dict:
    """Generate SynthFace-68 into ``out_dir`` (MMPose 300-W layout).

    Args:
        out_dir: output root (use it as the config's ``data_root``).
        num_train, num_test: numbers of images per split.
        image_size: square image side in pixels.
        seed: master seed; each image's seed is ``(seed, split, index)``.
        difficulty: nuisance strength in [0, 2] (0: upright faces of a
            fixed relative size on smooth backgrounds, no occluders,
            lighting, blur, noise or JPEG artefacts).
        workers: processes (results do not depend on it).
        jpeg_quality: quality of the written JPEG files.
        contact_sheet: path of the contact sheet PNG; ``''`` for
            ``out_dir/contact_sheet.png``, ``None`` for none.
        annotation_dir: folder of HRNet's 300-W CSVs (shape prior).
        force: regenerate even if :func:`is_up_to_date`.
        variant: rendering variant, a key of :data:`VARIANTS` (default
            ``diverse_xshapes``: drawing-style families, distractor parts,
            global colour / sketch transforms and the widest identity
            shapes; ``classic``: the plain rendering, the default before;
            ``diverse``: as the default with milder shapes; ``styles``,
            ``distract``, ``shapes``: one group each). Recorded in
            ``synthface_meta.json``.

    Returns:
        A summary dict (counts, files, seconds, ``skipped``).
    """
    if not 0.0 <= difficulty <= 2.0:
        raise ValueError(f'difficulty must be in [0, 2], got {difficulty}')
    if variant not in VARIANTS:
        raise ValueError(f'variant must be one of {sorted(VARIANTS)}, got '
                         f'{variant!r}')
    args = _meta_args(num_train, num_test, image_size, seed, difficulty,
                      jpeg_quality, variant)
    ann_dir = osp.join(out_dir, 'annotations')
    summary = dict(
        out_dir=out_dir, version=GENERATOR_VERSION, args=args,
        annotation_files={k: osp.join(ann_dir, v)
                          for k, v in ANN_FILES.items()})
    sheet = osp.join(out_dir, 'contact_sheet.png') if contact_sheet == '' \
        else contact_sheet
    if not force and is_up_to_date(out_dir, **args):
        with open(osp.join(out_dir, 'synthface_meta.json')) as f:
            summary.update(json.load(f)['counts'], skipped=True, seconds=0.0)
        return summary

    t0 = time.time()
    os.makedirs(ann_dir, exist_ok=True)
    meta_path = osp.join(out_dir, 'synthface_meta.json')
    if osp.exists(meta_path):  # an interrupted rewrite must not look complete
        os.remove(meta_path)
    priors = load_priors(annotation_dir)
    splits = dict(train=int(num_train), test=int(num_test))
    jobs, hard_sets = [], {}
    for split, n in splits.items():
        img_dir = osp.join(out_dir, 'images', split)
        os.makedirs(img_dir, exist_ok=True)
        hard_sets[split] = set(_hard_indices(seed, split, n).tolist())
        for i in range(n):
            jobs.append((split, i, i in hard_sets[split], int(image_size),
                         int(seed), float(difficulty),
                         osp.join(img_dir, f'{i:06d}.jpg'), jpeg_quality,
                         variant))

    results = {}
    if workers and workers > 1:
        ctx = get_context('fork') if hasattr(os, 'fork') else get_context()
        with ctx.Pool(workers, _init_worker, (priors, )) as pool:
            for job, res in zip(jobs, pool.imap(_render_job, jobs,
                                                chunksize=16)):
                results[(job[0], res[0])] = res[1]
    else:
        _init_worker(priors, worker_process=False)
        for job in jobs:
            res = _render_job(job)
            results[(job[0], res[0])] = res[1]

    # annotations
    entries = dict(train=([], []), valid=([], []), valid_common=([], []),
                   valid_challenge=([], []))
    for split, n in splits.items():
        for i in range(n):
            kpts = results[(split, i)]
            iid = i + 1 if split == 'train' else TEST_ID_OFFSET + i + 1
            centre, scale = _face_box(kpts)
            im = face300w_image(iid, f'{split}/{i:06d}.jpg', image_size,
                                image_size)
            an = face300w_annotation(kpts, centre, scale, iid, iid)
            keys = ['train'] if split == 'train' else [
                'valid', 'valid_challenge' if i in hard_sets[split]
                else 'valid_common']
            for k in keys:
                entries[k][0].append(im)
                entries[k][1].append(an)
    for k, (ims, ans) in entries.items():
        dump_face300w_json(ims, ans, osp.join(ann_dir, ANN_FILES[k]))

    # drop stale images of a previous, larger set
    for split, n in splits.items():
        img_dir = osp.join(out_dir, 'images', split)
        for name in os.listdir(img_dir):
            m = re.fullmatch(r'(\d{6})\.jpg', name)
            if m and int(m.group(1)) >= n:
                os.remove(osp.join(img_dir, name))

    counts = dict(
        train=splits['train'], train_hard=len(hard_sets['train']),
        valid=splits['test'], valid_common=len(entries['valid_common'][0]),
        valid_challenge=len(entries['valid_challenge'][0]))
    meta = dict(
        generator='SynthFace-68', version=GENERATOR_VERSION, args=args,
        variant=str(variant), seed=int(seed), counts=counts,
        challenge_fraction=CHALLENGE_FRACTION,
        train_hard_fraction=TRAIN_HARD_FRACTION, box_factor=BOX_FACTOR,
        train_hard_indices=sorted(hard_sets['train']))
    if sheet:
        make_contact_sheet(out_dir, sheet, train_hard=hard_sets['train'])
        summary['contact_sheet'] = sheet
    # written last: its presence marks a complete set
    with open(osp.join(out_dir, 'synthface_meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    seconds = time.time() - t0
    summary.update(counts, skipped=False, seconds=round(seconds, 2))
    return summary


# ---------------------------------------------------------------------------
# contact sheet
# ---------------------------------------------------------------------------
def draw_landmarks(img: np.ndarray, kpts: np.ndarray,
                   radius: int = 2) -> np.ndarray:
    """Landmarks coloured by facial part, with the part outlines."""
    out = img.copy()
    k = np.asarray(kpts, np.float64)
    for name, (a, b) in PARTS.items():
        col = PART_COLOURS[name]
        pts = np.round(k[a:b] * 16).astype(np.int32)
        closed = name in ('right_eye', 'left_eye', 'outer_lip', 'inner_lip')
        cv2.polylines(out, [pts], closed, col, 1, cv2.LINE_AA, 4)
        for q in pts:
            cv2.circle(out, tuple(int(v) for v in q), radius * 16, col, -1,
                       cv2.LINE_AA, 4)
    return out


def make_contact_sheet(out_dir: str, path: str, cols: int = 6,
                       rows: int = 4, tile: int = 256,
                       train_hard: Optional[Sequence[int]] = None) -> str:
    """Grid of train (top half) and test (bottom half) images read back from
    ``out_dir`` with their landmarks; hard train samples get an orange
    frame, challenge test samples a red one."""
    ann_dir = osp.join(out_dir, 'annotations')

    def load(name):
        with open(osp.join(ann_dir, ANN_FILES[name])) as f:
            return json.load(f)

    train, valid, chal = load('train'), load('valid'), load('valid_challenge')
    chal_ids = {im['id'] for im in chal['images']}
    if train_hard is None:
        meta_path = osp.join(out_dir, 'synthface_meta.json')
        train_hard = []
        if osp.isfile(meta_path):
            with open(meta_path) as f:
                train_hard = json.load(f).get('train_hard_indices', [])
    train_hard = {int(i) + 1 for i in train_hard}  # image ids
    n_half = cols * rows // 2

    def pick(data, special, n_special):
        ims = data['images']
        sp = [im for im in ims if im['id'] in special][:n_special]
        rest = [im for im in ims if im['id'] not in special]
        chosen = rest[:n_half - len(sp)] + sp
        return chosen

    anns = {a['image_id']: a for a in train['annotations'] +
            valid['annotations']}
    chosen = [(im, 'train', im['id'] in train_hard)
              for im in pick(train, train_hard, n_half // 4)]
    chosen += [(im, 'test', im['id'] in chal_ids)
               for im in pick(valid, chal_ids, n_half // 3)]
    sheet = np.full((rows * tile, cols * tile, 3), 40, np.uint8)
    for k, (im, split, special) in enumerate(chosen[:rows * cols]):
        img = cv2.imread(osp.join(out_dir, 'images', im['file_name']))
        kp = np.array(anns[im['id']]['keypoints'], np.float64).reshape(-1, 3)
        f = tile / max(img.shape[:2])
        img = cv2.resize(img, (tile, tile), interpolation=cv2.INTER_LINEAR)
        # keypoints at pixel centres: x' = (x + 0.5) * f - 0.5
        vis = draw_landmarks(img, (kp[:, :2] + 0.5) * f - 0.5)
        if special:
            col = (0, 0, 255) if split == 'test' else (0, 140, 255)
            cv2.rectangle(vis, (1, 1), (tile - 2, tile - 2), col, 3)
        label = f'{split} {im["file_name"].split("/")[-1][:-4]}' + (
            (' CHALLENGE' if split == 'test' else ' HARD') if special else '')
        cv2.putText(vis, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(vis, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (255, 255, 255), 1, cv2.LINE_AA)
        r, c = divmod(k, cols)
        sheet[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile] = vis
    cv2.imwrite(path, sheet)
    return path
