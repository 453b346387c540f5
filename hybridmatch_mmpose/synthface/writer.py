"""Writing a SynthFace-68 set: images, 300-W annotation files, meta file.

Determinism: each image uses its own generator seeded by
``(seed, split, index)``; same arguments give identical files whatever the
number of worker processes.

Boxes: ``center`` is the centre of the keypoints' bounding box and
``scale = max(w, h) / 200`` of that box (factor 1.0: HRNet's 300-W CSVs
have scale * 200 / max(w, h) = 1.00-1.02); ``bbox`` is written by
:mod:`hybridmatch_mmpose.datasets.face300w_json` (keypoint box enlarged
1.2x).
"""
import json
import os
import os.path as osp
import re
import time
from multiprocessing import get_context
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

from ..datasets.face300w_json import (dump_face300w_json, face300w_annotation,
                                      face300w_image)
from .contact_sheet import make_contact_sheet
from .output_layout import (ANN_FILES, BOX_FACTOR, CHALLENGE_FRACTION,
                            GENERATOR_VERSION, META_FILE, SPLIT_CODES,
                            TEST_ID_OFFSET, TRAIN_HARD_FRACTION)
from .render import render_sample
from .shape_prior import ShapePrior, load_priors
from .variants import DEFAULT_VARIANT, VARIANTS

_PRIORS: Dict[str, ShapePrior] = {}


def _init_worker(priors, worker_process=True):
    _PRIORS.clear()
    _PRIORS.update(priors)
    if worker_process:
        cv2.setNumThreads(1)


def sample_seed(seed: int, split: str, index: int) -> np.random.SeedSequence:
    """Per-image seed from (seed, split, index)."""
    return np.random.SeedSequence([int(seed), SPLIT_CODES[split], int(index)])


def _hard_indices(seed: int, split: str, n: int) -> np.ndarray:
    frac = CHALLENGE_FRACTION if split == 'test' else TRAIN_HARD_FRACTION
    rng = np.random.default_rng([int(seed), SPLIT_CODES[split], 2**31 - 1])
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
    path = osp.join(out_dir, META_FILE)
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


def _render_all(jobs, priors, workers) -> Dict[Tuple[str, int], np.ndarray]:
    """{(split, index): (68, 2) landmarks} of every job, the images
    written by ``workers`` processes (or this one)."""
    results = {}
    if workers and workers > 1:
        # spawn, not fork: a child forked after this process ran OpenCV's
        # thread pool (any cv2 call on a large image) hangs in its first
        # cv2 call; spawned workers start clean (one package import each)
        ctx = get_context('spawn')
        with ctx.Pool(workers, _init_worker, (priors, )) as pool:
            for job, res in zip(jobs, pool.imap(_render_job, jobs,
                                                chunksize=16)):
                results[(job[0], res[0])] = res[1]
    else:
        _init_worker(priors, worker_process=False)
        for job in jobs:
            res = _render_job(job)
            results[(job[0], res[0])] = res[1]
    return results


def _write_annotations(results, splits, hard_sets, image_size,
                       ann_dir) -> Dict[str, tuple]:
    """Write the four annotation files; returns their (images,
    annotations) lists by key of :data:`ANN_FILES`."""
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
    return entries


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
        workers: processes (results do not depend on it). More than one
            starts ``spawn`` workers, so a calling script needs the
            ``if __name__ == '__main__':`` guard.
        jpeg_quality: quality of the written JPEG files.
        contact_sheet: path of the contact sheet PNG; ``''`` for
            ``out_dir/contact_sheet.png``, ``None`` for none.
        variant: rendering variant, a key of
            :data:`~.variants.VARIANTS` (default ``diverse_xshapes``:
            drawing-style families, distractor parts, global colour /
            sketch transforms and the widest identity shapes; ``classic``:
            the plain rendering, the default before; ``diverse``: as the
            default with milder shapes; ``styles``, ``distract``,
            ``shapes``: one group each). Recorded in the meta file.
        annotation_dir: folder of HRNet's 300-W CSVs (shape prior).
        force: regenerate even if :func:`is_up_to_date`.

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
    meta_path = osp.join(out_dir, META_FILE)
    if not force and is_up_to_date(out_dir, **args):
        with open(meta_path) as f:
            summary.update(json.load(f)['counts'], skipped=True, seconds=0.0)
        return summary

    t0 = time.time()
    os.makedirs(ann_dir, exist_ok=True)
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
    results = _render_all(jobs, priors, workers)
    entries = _write_annotations(results, splits, hard_sets, image_size,
                                 ann_dir)

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
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=1)
    seconds = time.time() - t0
    summary.update(counts, skipped=False, seconds=round(seconds, 2))
    return summary
