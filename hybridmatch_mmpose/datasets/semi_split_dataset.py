"""SemiSplitDataset: the labelled part or the unlabelled rest of a data set.

MMDetection's semi-supervised configs read two annotation files prepared
offline (``instances_train2017.1@10.json`` and ``...-unlabeled.json``).
Here the split is drawn at load time from one stock annotation file (the
paper samples r % "using a fixed seed value"), so the stock 300-W / WFLW /
AFLW files are used unchanged::

    labelled = dict(type='SemiSplitDataset', subset='labelled',
                    split=dict(ratio=0.05, seed=0),
                    dataset=dict(type='Face300WDataset', ...),  # no pipeline
                    pipeline=sup_pipeline)
    unlabelled = dict(labelled, subset='unlabelled', pipeline=unsup_pipeline)

Why a :class:`~mmengine.dataset.BaseDataset` of its own rather than
``indices=`` on the inner data set:

* the subset's ``data_list`` is the only data the wrapper holds, so
  ``BaseDataset``'s refetch on a ``None`` pipeline result (``_rand_another``)
  draws from the same subset (never an unlabelled sample into the labelled
  stream or back), ``len`` is the subset size, and ``indices`` /
  ``get_subset`` / serialisation / ``lazy_init`` work as for any data set;
* unlabelled ``data_info`` entries are stripped (:func:`~.strip_labels`) in
  :meth:`load_data_list`, before they are stored, so no pipeline can see
  their landmarks;
* the wrapper runs the pipeline itself and, unlike
  ``BaseCocoStyleDataset.prepare_data``, does not put the data set object
  into the results (``results['dataset']``, for mixed-image transforms):
  ``mmdet.MultiBranch`` deep-copies the results once per branch and would
  copy the whole data set each time. Mixed-image transforms (Mosaic, MixUp)
  are therefore not available in these pipelines.

The inner data set is built with ``lazy_init=True``, ``serialize_data=False``
and no pipeline, loaded once in :meth:`load_data_list` and released after.
Its metainfo (keypoint names, ``flip_indices``, sigmas...) is the wrapper's,
and the MMPose metainfo keys that ``BaseCocoStyleDataset.get_data_info``
adds to every sample (``flip_indices``, ``dataset_keypoint_weights``...)
are added the same way. Note that the inner data set's own filtering
(``BaseCocoStyleDataset._is_valid_instance`` drops faces with no labelled
keypoint) runs before the split, as it would for a supervised run.
"""
import copy
import logging
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmpose.registry import DATASETS

from ..utils.options import strict_options
from .semi_split import SemiSplit, dump_split_record, split_record
from .unlabelled import strip_labels

#: metainfo entries MMPose's ``BaseCocoStyleDataset.get_data_info`` copies
#: into every sample (used by the transforms, ``PackPoseInputs`` and heads).
POSE_METAINFO_KEYS = ('dataset_name', 'upper_body_ids', 'lower_body_ids',
                      'flip_pairs', 'dataset_keypoint_weights',
                      'flip_indices', 'skeleton_links')

SUBSETS = ('labelled', 'unlabelled')


class UnusableSubsetError(RuntimeError):
    """More of a subset's images are unreadable than it may skip."""


@DATASETS.register_module()
class SemiSplitDataset(BaseDataset):
    """The labelled or the unlabelled subset of a top-down pose data set.

    Args:
        dataset (dict | BaseDataset): the full training set, e.g.
            ``dict(type='Face300WDataset', data_root=.., ann_file=..,
            data_prefix=..)``. Leave its ``pipeline`` empty: the pipeline
            belongs to this wrapper.
        split (dict | SemiSplit): ``dict(ratio=0.05, seed=0)`` or
            ``dict(num=50, seed=0)``, see :class:`~.SemiSplit`.
        subset (str): ``'labelled'`` or ``'unlabelled'``.
        pipeline (list): transforms run on each sample of the subset.
        skip_unreadable (bool, optional): An image that cannot be read
            (missing, truncated, not an image: see
            :mod:`.image_integrity`) is skipped and another sample of the
            subset is drawn instead (``BaseDataset``'s refetch). Each such
            image is named once in the log with the count so far, and never
            tried again; the count is shared by the data loader workers.
            ``None`` (default): skip in the unlabelled subset only; a broken
            *labelled* image stays an error, since those few labels are the
            point of the run.
        max_unreadable (float): Largest share of the subset that may be
            unreadable: one more stops the run with
            :class:`UnusableSubsetError` instead of drawing on. Defaults to
            0.1.
        indices, serialize_data, lazy_init, max_refetch: as
            :class:`~mmengine.dataset.BaseDataset` (applied to the subset).

    Attributes:
        split_info (dict): after loading, the split record (the ids of both
            subsets) that :meth:`dump_split` writes.
        num_skipped (int): unreadable images skipped so far, by this
            process and its data loader workers.
    """

    METAINFO: dict = dict()

    @strict_options
    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 split: Union[dict, SemiSplit],
                 subset: str = 'labelled',
                 pipeline: Sequence = (),
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 lazy_init: bool = False,
                 max_refetch: int = 1000,
                 skip_unreadable: Optional[bool] = None,
                 max_unreadable: float = 0.1) -> None:
        if subset not in SUBSETS:
            raise ValueError(f'subset must be one of {SUBSETS}, '
                             f'got {subset!r}')
        self.subset = subset
        self.split = SemiSplit.from_cfg(split)
        if isinstance(dataset, dict):
            dataset = copy.deepcopy(dataset)
            if dataset.get('pipeline'):
                raise ValueError(
                    'SemiSplitDataset: give the pipeline to SemiSplitDataset '
                    '(pipeline=...), not to the wrapped dataset, whose '
                    'pipeline would never run')
            if dataset.get('test_mode', False):
                raise ValueError('SemiSplitDataset wraps a training set: '
                                 'the wrapped dataset has test_mode=True')
            dataset.update(pipeline=[], lazy_init=True, serialize_data=False)
            dataset = DATASETS.build(dataset)
        elif not isinstance(dataset, BaseDataset):
            raise TypeError('dataset must be a config dict or a BaseDataset, '
                            f'got {type(dataset)}')
        elif getattr(dataset.pipeline, 'transforms', None):
            raise ValueError(
                'SemiSplitDataset: the wrapped dataset has a pipeline, which '
                'would never run; give it to SemiSplitDataset (pipeline=...)')
        if getattr(dataset, 'data_mode', 'topdown') != 'topdown':
            raise ValueError('SemiSplitDataset supports top-down data sets '
                             f'only, got data_mode={dataset.data_mode!r}')
        self._inner: Optional[BaseDataset] = dataset
        self.split_info: Optional[Dict] = None
        self.skip_unreadable = (subset == 'unlabelled'
                                if skip_unreadable is None else
                                bool(skip_unreadable))
        if not 0 <= max_unreadable < 1:
            raise ValueError('SemiSplitDataset: max_unreadable must be in '
                             f'[0, 1), got {max_unreadable!r}')
        self.max_unreadable = float(max_unreadable)
        self._unreadable: Optional[torch.Tensor] = None
        super().__init__(
            metainfo=dataset.metainfo,
            pipeline=list(pipeline),
            indices=indices,
            serialize_data=serialize_data,
            test_mode=False,
            lazy_init=lazy_init,
            max_refetch=max_refetch)

    @classmethod
    def _load_metainfo(cls, metainfo: Optional[dict] = None) -> dict:
        # the inner data set's metainfo, already parsed (mmengine's default
        # would try to open every string value as a file)
        return copy.deepcopy(metainfo) if metainfo else dict()

    def load_data_list(self) -> List[dict]:
        """Load the inner data set, split it, keep this subset (stripped of
        labels if unlabelled) and release the inner data set."""
        inner = self._inner
        if inner is None:  # already loaded once and released
            raise RuntimeError('SemiSplitDataset: the wrapped dataset was '
                               'released after loading')
        inner.full_init()
        self._metainfo.update(copy.deepcopy(inner.metainfo))  # e.g. CLASSES
        infos = [inner.get_data_info(i) for i in range(len(inner))]
        for info in infos:
            if isinstance(info.get('id'), bool) or not isinstance(
                    info.get('id'), (int, np.integer)):
                raise ValueError(
                    'SemiSplitDataset needs one int annotation id per sample '
                    f'(data_info["id"]), got {info.get("id")!r}')
        labelled, unlabelled = self.split.split(
            [int(info['id']) for info in infos])

        img_root = getattr(inner, 'data_prefix', {}).get('img', '') or ''
        samples = [
            dict(id=info['id'], img_id=info['img_id'],
                 file_name=osp.relpath(info['img_path'], img_root)
                 if img_root else info['img_path']) for info in infos
        ]
        self.split_info = split_record(
            self.split, samples, labelled, unlabelled,
            dataset=type(inner).__name__,
            ann_file=getattr(inner, 'ann_file', None))

        keep = labelled if self.subset == 'labelled' else unlabelled
        data_list = []
        for i in keep:
            info = infos[int(i)]
            info.pop('sample_idx', None)  # re-added by get_data_info
            for key in POSE_METAINFO_KEYS:  # re-added by get_data_info
                info.pop(key, None)
            if self.subset == 'unlabelled':
                info = strip_labels(info)
            data_list.append(info)
        self._inner = None  # free the full data set
        return data_list

    def full_init(self) -> None:
        """Load the subset (see :meth:`load_data_list`) and, with
        :attr:`skip_unreadable`, allocate the unreadable-image flags in
        shared memory, so that data loader workers forked later share
        them."""
        super().full_init()
        if self.skip_unreadable and self._unreadable is None:
            self._unreadable = torch.zeros(
                len(self), dtype=torch.uint8).share_memory_()

    @property
    def num_skipped(self) -> int:
        return 0 if self._unreadable is None else int(self._unreadable.sum())

    def unreadable_paths(self) -> List[str]:
        """The images of this subset skipped as unreadable so far."""
        if self._unreadable is None:
            return []
        return [self.get_data_info(int(i))['img_path']
                for i in torch.nonzero(self._unreadable).flatten()]

    def prepare_data(self, idx: int):
        """Run the pipeline on sample ``idx``; with :attr:`skip_unreadable`,
        an image that MMPose's ``LoadImage`` cannot read gives ``None``
        (``BaseDataset.__getitem__`` then draws another sample), a warning
        the first time, and no second try.

        Raises:
            UnusableSubsetError: more than :attr:`max_unreadable` of the
                subset is unreadable.
        """
        if self._unreadable is not None and self._unreadable[idx]:
            return None
        try:
            return super().prepare_data(idx)
        except Exception as err:
            path = self.get_data_info(idx).get('img_path')
            # LoadImage re-raises every loading error as "... occurs when
            # loading `PATH`"; anything else is a real error
            if not (self.skip_unreadable and path
                    and f'occurs when loading `{path}`' in str(err)):
                raise
            self._unreadable[idx] = 1
            skipped, total = self.num_skipped, len(self)
            cause = str(err).split('` occurs when loading')[0].lstrip('`')
            cause = cause if path in cause else f'{path}: {cause}'
            if skipped > self.max_unreadable * total:
                raise UnusableSubsetError(
                    f'{skipped} of {total} {self.subset} images cannot be '
                    f'read, more than max_unreadable={self.max_unreadable} '
                    f'of them (the last: {cause}). Check the image folder '
                    'and the file names of the annotation file, or raise '
                    '`train_dataloader.dataset.max_unreadable`.') from None
            print_log(
                f'{self.subset} image skipped: {cause} ({type(err).__name__}'
                f'). Training goes on without it ({skipped} of {total} '
                f'{self.subset} images skipped so far).', logger='current',
                level=logging.WARNING)
            return None

    def get_data_info(self, idx: int) -> dict:
        """The ``idx``-th sample of the subset, with MMPose's metainfo keys
        (as ``BaseCocoStyleDataset.get_data_info``)."""
        data_info = super().get_data_info(idx)
        for key in POSE_METAINFO_KEYS:
            if key in self._metainfo:
                data_info[key] = copy.deepcopy(self._metainfo[key])
        return data_info

    def dump_split(self, work_dir: str) -> str:
        """Write :attr:`split_info` (labelled and unlabelled annotation ids,
        image ids and file names) to ``work_dir/labelled_split.json``."""
        self.full_init()
        return dump_split_record(self.split_info, work_dir)
