"""SemiSplitDumpHook: write the labelled/unlabelled ids into the work dir.

Add ``custom_hooks = [dict(type='SemiSplitDumpHook')]`` to a
semi-supervised config; before training it finds every
:class:`~.SemiSplitDataset` in the training data set (through
``ConcatDataset`` / ``RepeatDataset`` ... wrappers), checks they all use
the same split, and writes ``work_dir/labelled_split.json`` (rank 0 only)::

    {"split": {"ratio": 0.05, "num": null, "seed": 0}, "num_samples": 3148,
     "dataset": "Face300WDataset",
     "ann_file": ".../face_landmarks_300w_train.json",
     "labelled":   {"num": 157, "ann_ids": [...], "img_ids": [...],
                    "file_names": [...]},
     "unlabelled": {"num": 2991, ...}}

:func:`dump_semi_split` does the same for code that holds a data set (e.g.
another hook's ``before_train``).

After training, the images of the split that could not be read and were
skipped (unlabelled ones, see :class:`~.SemiSplitDataset`) are counted in
the log and listed in ``work_dir/unreadable_images.txt``
(:data:`UNREADABLE_FILE_NAME`); nothing is written when there are none.
"""
import os.path as osp
from typing import List, Optional

from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmpose.registry import HOOKS

from ..utils.options import strict_options
from .semi_split import dump_split_record
from .semi_split_dataset import SemiSplitDataset

#: Lists the images skipped as unreadable, one path per line.
UNREADABLE_FILE_NAME = 'unreadable_images.txt'


def find_semi_split_datasets(dataset) -> List[SemiSplitDataset]:
    """Every :class:`~.SemiSplitDataset` in ``dataset`` (itself, or inside
    ``datasets`` / ``dataset`` attributes of wrappers), in order."""
    if isinstance(dataset, SemiSplitDataset):
        return [dataset]
    found = []
    children = getattr(dataset, 'datasets', None)
    if children is None and getattr(dataset, 'dataset', None) is not None:
        children = [dataset.dataset]
    for child in children or []:
        found += find_semi_split_datasets(child)
    return found


def dump_semi_split(dataset, work_dir: str) -> Optional[str]:
    """Write the split of the :class:`~.SemiSplitDataset` (s) in ``dataset``
    to ``work_dir/labelled_split.json``.

    Returns:
        The path written, or ``None`` if ``dataset`` holds no
        :class:`~.SemiSplitDataset`.

    Raises:
        ValueError: if the subsets found were drawn with different splits
            (then labelled and unlabelled data could overlap).
    """
    subsets = find_semi_split_datasets(dataset)
    if not subsets:
        return None
    for ds in subsets:
        ds.full_init()
    first = subsets[0].split_info
    for ds in subsets[1:]:
        if ds.split_info != first:
            raise ValueError(
                'The SemiSplitDatasets of the training set use different '
                f'splits ({subsets[0].split} on '
                f'{first["ann_file"]} vs {ds.split} on '
                f'{ds.split_info["ann_file"]}): give them the same `split` '
                'and the same wrapped dataset')
    return dump_split_record(first, work_dir)


@HOOKS.register_module()
class SemiSplitDumpHook(Hook):
    """Write ``labelled_split.json`` into ``runner.work_dir`` before
    training, and count and list the skipped unreadable images after it
    (see the module docstring)."""

    priority = 'VERY_LOW'

    @strict_options
    def __init__(self) -> None:
        super().__init__()

    @master_only
    def before_train(self, runner) -> None:
        path = dump_semi_split(runner.train_dataloader.dataset,
                               runner.work_dir)
        if path is None:
            runner.logger.warning(
                'SemiSplitDumpHook: no SemiSplitDataset in the training '
                'set, nothing written')
        else:
            runner.logger.info(f'labelled/unlabelled split written to {path}')

    @master_only
    def after_train(self, runner) -> None:
        for ds in find_semi_split_datasets(runner.train_dataloader.dataset):
            paths = ds.unreadable_paths()
            if not paths:
                continue
            out = osp.join(runner.work_dir, UNREADABLE_FILE_NAME)
            with open(out, 'w') as f:
                f.write(''.join(p + '\n' for p in paths))
            runner.logger.warning(
                f'{len(paths)} of {len(ds)} {ds.subset} images could not be '
                f'read and were skipped (e.g. {paths[0]}); all listed in '
                f'{out}')
