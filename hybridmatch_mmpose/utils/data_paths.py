"""The data sets of a config: where they are, and whether they exist.

Supervised configs keep the training set at ``train_dataloader.dataset``;
semi-supervised ones wrap it (``train_dataloader.dataset.dataset`` for
``LabelledUnlabelledDataset``), and evaluators with a ``data_root`` (the
per-subset ``FaceLandmarkMetric``) read annotation files too. These helpers
walk a config instead of hard-coding either layout:

- :func:`data_root_options`: the ``--cfg-options`` that point every data
  set of a config at one directory (``tools/misc/data_root_options.py``,
  used by ``make demo``);
- :func:`check_data_paths`: a clear error, naming the config key, the
  missing path and the option to set, before the Runner starts (called by
  our ``tools/train.py`` and ``tools/test.py``; MMPose's own scripts fail
  later with ``Annotation file ... does not exist``).
"""
import os.path as osp
from typing import Iterator, List, Sequence, Tuple

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
EVALUATORS = ('val_evaluator', 'test_evaluator')


class DataPathError(FileNotFoundError):
    """A data root, annotation file or image folder of a config is
    missing."""


def _dataset_entries(cfg, prefix: str) -> Iterator[Tuple[str, dict]]:
    """``(key, dict)`` of every dict holding ``data_root`` or ``ann_file``
    under a ``dataset`` tree (wrappers nest ``dataset`` or list
    ``datasets``)."""
    if not isinstance(cfg, dict):
        return
    if 'data_root' in cfg or 'ann_file' in cfg:
        yield prefix, cfg
    if 'dataset' in cfg:
        yield from _dataset_entries(cfg['dataset'], f'{prefix}.dataset')
    for i, sub in enumerate(cfg.get('datasets', None) or []):
        yield from _dataset_entries(sub, f'{prefix}.datasets.{i}')


def dataset_entries(cfg,
                    loaders: Sequence[str] = DATALOADERS
                    ) -> List[Tuple[str, dict]]:
    """``(key, dataset config)`` for every data set of the given loaders,
    e.g. ``('train_dataloader.dataset.dataset', {...})``."""
    entries = []
    for name in loaders:
        loader = cfg.get(name, None)
        if isinstance(loader, dict):
            entries += _dataset_entries(loader.get('dataset'),
                                        f'{name}.dataset')
    return entries


def evaluator_keys(cfg) -> List[str]:
    """Keys of the evaluators that have a ``data_root`` (``name`` for one
    metric, ``name.i`` for a list; our ``tools/test.py --dump`` adds its
    metric after ``--cfg-options``, so the keys do not change with it)."""
    keys = []
    for name in EVALUATORS:
        ev = cfg.get(name, None)
        listed = isinstance(ev, (list, tuple))
        for i, metric in enumerate(ev if listed else [ev]):
            if isinstance(metric, dict) and 'data_root' in metric:
                keys.append(f'{name}.{i}' if listed else name)
    return keys


def data_root_options(cfg, data_root: str) -> List[str]:
    """``KEY.data_root=DATA_ROOT/`` for every data set and evaluator of
    ``cfg`` that has a ``data_root``."""
    root = data_root.rstrip('/') + '/'
    keys = [key for key, ds in dataset_entries(cfg) if 'data_root' in ds]
    keys += evaluator_keys(cfg)
    if not keys:
        raise ValueError(f'{cfg.filename}: no data set with a `data_root`; '
                         'set the paths with --cfg-options yourself')
    return [f'{key}.data_root={root}' for key in keys]


def _join(root: str, path: str) -> str:
    return path if not root or osp.isabs(path) else osp.join(root, path)


def check_data_paths(cfg, loaders: Sequence[str] = DATALOADERS) -> None:
    """Raise :class:`DataPathError` for the first data set of ``loaders``
    whose ``data_root``, ``ann_file`` or ``data_prefix['img']`` is missing
    on disk (local paths only)."""
    for key, ds in dataset_entries(cfg, loaders):
        root = ds.get('data_root', '') or ''
        if '://' in root:
            continue  # remote backends: not ours to check
        fix = (f'Point it at your data with `--cfg-options {key}.data_root='
               'DIR` (docs/user_guides/data.md); for SynthFace-68 run '
               '`make data`.')
        if root and not osp.isdir(root):
            raise DataPathError(
                f'{key}.data_root: directory {root!r} does not exist. {fix}')
        ann = ds.get('ann_file', '') or ''
        if ann and not osp.isfile(_join(root, ann)):
            raise DataPathError(
                f'{key}.ann_file: annotation file {_join(root, ann)!r} does '
                f'not exist. {fix}')
        img = (ds.get('data_prefix', None) or {}).get('img', '')
        if img and not osp.isdir(_join(root, img)):
            raise DataPathError(
                f'{key}.data_prefix.img: image folder {_join(root, img)!r} '
                f'does not exist. {fix}')
