"""The shape prior of SynthFace-68: real 300-W shapes, normalised.

Every face starts from a real 68-point shape of HRNet's 300-W CSVs: the
train split from ``face_landmarks_300w_valid.csv`` (689 shapes), the test
split from ``face_landmarks_300w_test.csv`` (600 other shapes), so no test
shape is a train shape. Each shape is de-rolled (eye line horizontal),
centred on its keypoint box and divided by the box's longer side; a
:class:`ShapePrior` then draws new shapes from them.
"""
import math
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np

from ..datasets.hrnet_csv import read_hrnet_csv, stack_keypoints
from .curves import rotation
from .head_outline import plausible
from .layout import FLIP_INDICES, NUM_KEYPOINTS
from .shape_edits import (eye_expression, identity_edit, mix_parts,
                          mouth_expression, yaw_compress)

#: HRNet's 300-W evaluation CSVs (valid: 689 faces, test: 600 faces), gzipped
#: and shipped with the package so that a fresh clone can generate the set.
PACKAGED_PRIOR_DIR = osp.join(osp.dirname(osp.abspath(__file__)),
                              'shape_prior')


def default_annotation_dir() -> str:
    """Where HRNet's 300-W CSVs (the shape prior) are read from:
    ``$SYNTHFACE_300W_CSV_DIR`` if set, else the copy shipped in
    :data:`PACKAGED_PRIOR_DIR` (the same files as
    ``shared/data/300w_annotations``, gzipped)."""
    return os.environ.get('SYNTHFACE_300W_CSV_DIR') or PACKAGED_PRIOR_DIR


def prior_csv_path(ann_dir: str, name: str) -> str:
    """``face_landmarks_300w_{name}.csv`` in ``ann_dir``, plain or gzipped.

    Raises:
        FileNotFoundError: neither file exists; the message says how to
            point the generator at a folder holding it.
    """
    path = osp.join(ann_dir, f'face_landmarks_300w_{name}.csv')
    for cand in (path, path + '.gz'):
        if osp.isfile(cand):
            return cand
    raise FileNotFoundError(
        f'SynthFace-68 needs HRNet\'s 300-W CSV {path}[.gz] as its shape '
        'prior; set SYNTHFACE_300W_CSV_DIR to a folder holding it, or unset '
        'it to use the copy shipped with the package')


def _eye_centres(shape: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    return shape[..., 36:42, :].mean(-2), shape[..., 42:48, :].mean(-2)


def renormalise(shape: np.ndarray) -> np.ndarray:
    """Centre ``shape`` (68, 2) on its keypoint box and divide by the box's
    longer side."""
    lo, hi = shape.min(0), shape.max(0)
    return (shape - (lo + hi) / 2) / max((hi - lo).max(), 1e-6)


def normalise_shapes(shapes: np.ndarray) -> np.ndarray:
    """De-roll (eye line horizontal), centre and scale real shapes
    (N, 68, 2); returns (N, 68, 2)."""
    out = np.empty_like(shapes)
    for i, s in enumerate(shapes):
        right, left = _eye_centres(s)
        v = left - right
        out[i] = renormalise(s @ rotation(-math.atan2(v[1], v[0])).T)
    return out


def yaw_score(shapes: np.ndarray) -> np.ndarray:
    """Signed yaw proxy of de-rolled shapes (..., 68, 2): where the nose tip
    sits between the jaw ends (0 = centred, +-0.5 = at a jaw end)."""
    x = shapes[..., 0]
    return (x[..., 30] - x[..., 0]) / np.maximum(x[..., 16] - x[..., 0],
                                                 1e-6) - 0.5


def flip_shape(shape: np.ndarray) -> np.ndarray:
    """Mirror a centred shape (68, 2) and relabel it with the iBUG
    permutation."""
    out = shape.copy()
    out[:, 0] = -out[:, 0]
    return out[FLIP_INDICES]


class ShapePrior:
    """Real normalised shapes, their PCA modes and a hard (large-yaw) pool.

    Args:
        shapes: (N, 68, 2) normalised real shapes.
        hard: (N,) bool, the large-yaw shapes.
        num_modes: PCA modes perturbed by :meth:`sample`.
    """

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
        """The prior of one HRNet CSV: its iBUG shapes and the upper
        ``hard_quantile`` of the others' :func:`yaw_score` are hard."""
        rows = read_hrnet_csv(path, NUM_KEYPOINTS)
        shapes = normalise_shapes(stack_keypoints(rows, NUM_KEYPOINTS))
        yaw = np.abs(yaw_score(shapes))
        ibug = np.array(['ibug' in r.image_name for r in rows])
        rest = ~ibug
        thr = np.quantile(yaw[rest], hard_quantile)
        return cls(shapes, ibug | (yaw >= thr))

    def sample(self, rng: np.random.Generator, hard: bool,
               exaggerate: bool = False, mix: bool = False) -> np.ndarray:
        """A new plausible shape (68, 2), normalised, upright.

        A real shape of the easy or hard pool, perturbed along the PCA
        modes, mirrored (p = 0.5), with mouth and eye expressions and a
        yaw-like asymmetry; redrawn up to 8 times until :func:`plausible`,
        else the real shape itself.

        Args:
            rng: the sample's generator.
            hard: draw from the large-yaw pool, with more yaw.
            exaggerate: (the ``diverse`` variants) twice the PCA spread and
                independent per-part changes of size and position (see
                :func:`identity_edit`).
            mix: (the ``xshapes`` group) inner parts taken from other real
                shapes (:func:`mix_parts`) and 32 PCA modes at 1.5x the
                spread on top.
        """
        pool = self.hard_idx if hard else self.easy_idx
        base = self.shapes[pool[rng.integers(len(pool))]]
        for _ in range(8):
            s = base.copy()
            if mix:
                s = mix_parts(s, self.shapes[self.easy_idx], rng)
                coef = rng.normal(0, 1.5, len(self.stds_x)) * self.stds_x
                s += (coef @ self.modes_x).reshape(NUM_KEYPOINTS, 2)
            coef = rng.normal(0, 1.0 if exaggerate else 0.5,
                              len(self.stds)) * self.stds
            s += (coef @ self.modes).reshape(NUM_KEYPOINTS, 2)
            if exaggerate:
                s = identity_edit(s, rng)
            if rng.random() < 0.5:
                s = flip_shape(s)
            s = mouth_expression(s, rng)
            s = eye_expression(s, rng)
            if rng.random() < (0.8 if hard else 0.3):
                amt = rng.uniform(0.1, 0.35) if hard else \
                    rng.uniform(0.0, 0.2)
                yaw = float(yaw_score(s))
                side = int(np.sign(yaw)) if abs(yaw) > 0.05 else \
                    (1 if rng.random() < 0.5 else -1)
                s = yaw_compress(s, amt, side)
            s = renormalise(s)
            if plausible(s):
                return s
        return base.copy()  # a real, plausible shape


_PRIOR_CACHE: Dict[str, Dict[str, ShapePrior]] = {}


def load_priors(annotation_dir: Optional[str] = None
                ) -> Dict[str, ShapePrior]:
    """Train prior from ``face_landmarks_300w_valid.csv`` and test prior from
    ``face_landmarks_300w_test.csv`` (disjoint real shapes); cached.

    Args:
        annotation_dir: folder of the CSVs (default
            :func:`default_annotation_dir`).

    Returns:
        ``dict(train=ShapePrior, test=ShapePrior)``.
    """
    ann = osp.abspath(annotation_dir or default_annotation_dir())
    if ann not in _PRIOR_CACHE:
        _PRIOR_CACHE[ann] = dict(
            train=ShapePrior.from_csv(prior_csv_path(ann, 'valid')),
            test=ShapePrior.from_csv(prior_csv_path(ann, 'test')))
    return _PRIOR_CACHE[ann]
