"""The pre-flight data check: annotation files that fit the config.

A data set that does not fit its config fails late and far from the cause
when nothing checks it first: an annotation with 67 keypoints, or 68-point
data under a 98-point config, dies with an ``IndexError`` inside a data
loader worker; a ``file_name`` that does not resolve dies at the first
iteration; a missing ``valid_common`` subset file dies at the first
validation, after training; a NaN keypoint in the test set prints a ``nan``
NME. :func:`check_data` reads every annotation file a run will read, before
the Runner builds anything (``tools/train.py``, ``tools/test.py``), and
checks that:

- the file parses as JSON (the error names the file, line and column) and
  has COCO's ``images`` and ``annotations`` lists;
- each annotation has the head's keypoint count
  (``model.head.out_channels``), finite keypoints, box, ``center`` and
  ``scale`` (face data sets build their crop from these two), and an
  ``image_id`` listed in ``images``;
- every ``file_name`` resolves to a file under ``data_root`` +
  ``data_prefix.img``;
- every ``subsets`` file of a ``FaceLandmarkMetric`` evaluator exists and
  parses;
- a semi-supervised training set leaves both the labelled and the
  unlabelled pool non-empty under its ``split``.

Each problem is one line naming the file, the entry and the option to
change; :class:`DataCheckError` lists them all (the first
:data:`MAX_LISTED` of each kind, then a count). Image *contents* are not
decoded here (see :mod:`hybridmatch_mmpose.datasets.image_integrity`).
"""
import json
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np

from .data_paths import _join, check_data_paths, dataset_entries

#: Problems of one kind listed per file before the rest are counted.
MAX_LISTED = 5

#: MMPose face data sets whose crop box is built from ``center``/``scale``.
CENTER_SCALE_DATASETS = ('Face300WDataset', 'WFLWDataset', 'AFLWDataset',
                         'Face300WLPDataset', 'Face300VWDataset')


class DataCheckError(ValueError):
    """Annotation files that do not fit the config; ``problems`` holds one
    line per problem."""

    def __init__(self, problems: Sequence[str], total: Optional[int] = None):
        self.problems = list(problems)
        total = len(self.problems) if total is None else total
        super().__init__(
            f'the data do not fit the config ({total} problem(s)):\n  ' +
            '\n  '.join(self.problems))


def read_json(path: str, option: str = '') -> object:
    """``json.load`` with an error that names the file and the position.

    Args:
        path (str): The JSON file.
        option (str): The config key that names the file (for the hint).

    Returns:
        object: The parsed JSON.

    Raises:
        DataCheckError: the file cannot be read or is not valid JSON.
    """
    fix = f'point `{option}` at another file or ' if option else ''
    try:
        with open(path, 'rb') as f:
            return json.load(f)
    except json.JSONDecodeError as err:
        raise DataCheckError([
            f'{path}: not valid JSON at line {err.lineno}, column '
            f'{err.colno} (byte {err.pos} of {osp.getsize(path)}): '
            f'{err.msg}. The file is truncated or not JSON: {fix}write it '
            'again (e.g. tools/dataset_converters/convert_300w.py).'
        ]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataCheckError([f'{path}: cannot be read ({err}); {fix}check '
                              'the file.']) from None


class _Problems:
    """Problem lines, at most :data:`MAX_LISTED` per (file, kind)."""

    def __init__(self):
        self.lines: List[str] = []
        self.counts: Dict[tuple, int] = defaultdict(int)

    def add(self, path: str, kind: str, line: str) -> None:
        self.counts[(path, kind)] += 1
        if self.counts[(path, kind)] <= MAX_LISTED:
            self.lines.append(line)

    def summary(self) -> List[str]:
        more = [f'{path}: {n - MAX_LISTED} more {kind}' for (path, kind), n
                in self.counts.items() if n > MAX_LISTED]
        return self.lines + more

    def total(self) -> int:
        listed = len(self.lines) - sum(min(n, MAX_LISTED)
                                       for n in self.counts.values())
        return listed + sum(self.counts.values())


def head_num_keypoints(cfg) -> Optional[int]:
    """``out_channels`` of the config's head (flat ``model.head`` or
    ``model.detector.head``); None if it has none."""
    model = cfg.get('model', None) or {}
    head = model.get('head', None) or (model.get('detector', None) or
                                       {}).get('head', None) or {}
    out = head.get('out_channels', None)
    return int(out) if isinstance(out, int) else None


def _existing_files(paths: Sequence[str]) -> set:
    """The subset of ``paths`` that are files: one directory listing per
    folder instead of one ``stat`` per path."""
    by_dir = defaultdict(list)
    for p in paths:
        by_dir[osp.dirname(p)].append(p)
    found = set()
    for folder, members in by_dir.items():
        try:
            with os.scandir(folder or '.') as it:
                names = {e.name for e in it if e.is_file()}
        except OSError:
            continue
        found.update(p for p in members if osp.basename(p) in names)
    return found


def _entry(i: int, ann: dict, names: dict) -> str:
    return (f'annotations[{i}] (id {ann.get("id")}, image '
            f'{names.get(ann.get("image_id"), "?")!r})')


def check_annotation_file(path: str, key: str, ds: dict,
                          num_keypoints: Optional[int],
                          problems: _Problems) -> int:
    """Check one COCO-style annotation file of data set ``key``.

    Args:
        path (str): The annotation file.
        key (str): The data set's config key
            (``train_dataloader.dataset.dataset``).
        ds (dict): The data set's config (``data_root``, ``data_prefix``).
        num_keypoints (int, optional): Keypoints per annotation the model
            needs; None skips that check.
        problems (_Problems): Where the problem lines go.

    Returns:
        int: The number of annotations.
    """
    data = read_json(path, f'{key}.ann_file')
    if not isinstance(data, dict) or not isinstance(
            data.get('images'), list) or not isinstance(
                data.get('annotations'), list):
        problems.add(path, 'layout', (
            f'{path}: not a COCO-style annotation file (needs "images" and '
            f'"annotations" lists); set `{key}.ann_file`.'))
        return 0
    img_dir = _join(ds.get('data_root', '') or '',
                    (ds.get('data_prefix', None) or {}).get('img', '') or '')
    names = {im.get('id'): im.get('file_name') for im in data['images']
             if isinstance(im, dict)}
    anns = data['annotations']
    if not anns:
        problems.add(path, 'empty', f'{path}: has no annotations; set '
                     f'`{key}.ann_file` to a file with faces.')
    needs_cs = ds.get('type') in CENTER_SCALE_DATASETS
    flat, ends, owners = [], [], []
    for i, ann in enumerate(anns):
        if not isinstance(ann, dict) or not isinstance(
                ann.get('keypoints'), list):
            problems.add(path, 'annotations without keypoints',
                         f'{path}: annotations[{i}] has no "keypoints" list')
            continue
        kp = ann['keypoints']
        if num_keypoints is not None and len(kp) != 3 * num_keypoints:
            problems.add(path, 'annotations with another keypoint count', (
                f'{path}: {_entry(i, ann, names)} has {len(kp) / 3:g} '
                f'keypoints ({len(kp)} values), the model predicts '
                f'{num_keypoints} (model.head.out_channels): fix this entry,'
                f' or use a config for {len(kp) / 3:g}-point data.'))
        if ann.get('image_id') not in names:
            problems.add(path, 'annotations of unknown images', (
                f'{path}: {_entry(i, ann, names)}: image_id '
                f'{ann.get("image_id")!r} is not in "images".'))
        missing = [k for k in ('center', 'scale') if k not in ann]
        if needs_cs and missing:
            problems.add(path, 'annotations without center/scale', (
                f'{path}: {_entry(i, ann, names)} has no '
                f'{" / ".join(missing)}, which {ds.get("type")} builds the '
                'face box from (convert_300w.py writes both).'))
        values = list(kp)
        for k in ('center', 'scale', 'bbox'):
            v = ann.get(k)
            values += v if isinstance(v, list) else [] if v is None else [v]
        flat += values
        ends.append(len(flat))
        owners.append(i)
    try:
        finite = np.isfinite(np.asarray(flat, dtype=np.float64))
    except (TypeError, ValueError):  # a string among the numbers
        finite = np.array([isinstance(v, (int, float)) and np.isfinite(v)
                           for v in flat], dtype=bool)
    if not finite.all():
        bad_entries = np.unique(np.searchsorted(
            np.asarray(ends), np.flatnonzero(~finite), side='right'))
        for j in bad_entries:
            i = owners[j]
            problems.add(path, 'annotations with non-finite coordinates', (
                f'{path}: {_entry(i, anns[i], names)} has a non-finite or '
                'non-numeric keypoint, center, scale or bbox value (NaN, '
                'Infinity): fix or remove this entry.'))
    wanted = {names[a['image_id']] for a in anns if isinstance(a, dict)
              and a.get('image_id') in names and names[a['image_id']]}
    full = {fn: _join(img_dir, fn) for fn in wanted}
    found = _existing_files(list(full.values()))
    for fn in sorted(fn for fn, p in full.items() if p not in found):
        problems.add(path, 'file names that do not resolve', (
            f'{path}: file_name {fn!r} does not resolve: {full[fn]} is not '
            f'a file. Set `{key}.data_prefix.img` (now '
            f'{(ds.get("data_prefix") or {}).get("img", "")!r}) to the '
            'folder the file names are relative to, or fix the file names.'))
    return len(anns)


def _lookup(cfg, dotted: str):
    node = cfg
    for part in dotted.split('.'):
        node = node[int(part)] if isinstance(node, (list, tuple)) else \
            node.get(part)
    return node


def _check_split(cfg, key: str, num: int, problems: _Problems) -> None:
    """Both pools of the semi-supervised wrapper around ``key`` are
    non-empty (:class:`~hybridmatch_mmpose.datasets.SemiSplit`)."""
    from ..datasets.semi_split import SemiSplit
    parent = key.rsplit('.', 1)[0]
    wrapper = _lookup(cfg, parent) if key.endswith('.dataset') else None
    if not isinstance(wrapper, dict) or 'split' not in wrapper or not num:
        return
    try:
        SemiSplit.from_cfg(dict(wrapper['split'])).num_labelled(num)
    except ValueError as err:
        problems.add(parent, 'split', f'{parent}.{err}')


def check_subset_files(cfg, evaluator: str, problems: _Problems) -> None:
    """Every ``subsets`` file of the ``FaceLandmarkMetric`` evaluators at
    ``evaluator`` (``val_evaluator`` / ``test_evaluator``) exists and
    parses."""
    ev = cfg.get(evaluator, None)
    listed = isinstance(ev, (list, tuple))
    for n, metric in enumerate(ev if listed else [ev]):
        if not isinstance(metric, dict) or not metric.get('subsets'):
            continue
        key = f'{evaluator}.{n}' if listed else evaluator
        root = metric.get('data_root') or ''
        for name, path in metric['subsets'].items():
            full = path if osp.isabs(path) or not root else osp.join(
                root, path)
            if not osp.isfile(full):
                problems.add(key, 'subsets', (
                    f'{key}.subsets.{name}: subset file {full} does not '
                    f'exist; set `{key}.data_root` (now {root!r}) or '
                    f'`{key}.subsets.{name}`.'))
                continue
            try:
                subset = read_json(full, f'{key}.subsets.{name}')
            except DataCheckError as err:
                problems.lines += err.problems
                continue
            if not isinstance(subset, dict) or not isinstance(
                    subset.get('annotations'), list):
                problems.add(key, 'subsets', (
                    f'{full}: has no "annotations" list; set '
                    f'`{key}.subsets.{name}`.'))


def check_data(cfg, loaders: Sequence[str],
               evaluators: Sequence[str] = ()) -> None:
    """The pre-flight check (module docstring) of the data sets of
    ``loaders`` and the subset files of ``evaluators``.

    Args:
        cfg (Config): The run's config, options merged.
        loaders (Sequence[str]): e.g. ``['train_dataloader',
            'val_dataloader']``.
        evaluators (Sequence[str]): e.g. ``['val_evaluator']``.

    Raises:
        DataPathError: a data root, annotation file or image folder is
            missing (:func:`~.data_paths.check_data_paths`).
        DataCheckError: listing every other problem, one line each.
    """
    check_data_paths(cfg, loaders)
    problems = _Problems()
    num_keypoints = head_num_keypoints(cfg)
    checked = set()  # val and test loaders often read the same file
    for key, ds in dataset_entries(cfg, loaders):
        ann = ds.get('ann_file', '') or ''
        root = ds.get('data_root', '') or ''
        img = (ds.get('data_prefix', None) or {}).get('img', '')
        if not ann or '://' in root or (_join(root, ann), img) in checked:
            continue
        checked.add((_join(root, ann), img))
        try:
            num = check_annotation_file(_join(root, ann), key, ds,
                                        num_keypoints, problems)
        except DataCheckError as err:
            problems.lines += err.problems
            continue
        _check_split(cfg, key, num, problems)
    for evaluator in evaluators:
        check_subset_files(cfg, evaluator, problems)
    if problems.summary():
        raise DataCheckError(problems.summary(), problems.total())
