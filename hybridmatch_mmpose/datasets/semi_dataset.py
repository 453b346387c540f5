"""LabelledUnlabelledDataset: one training set, split into a labelled and an
unlabelled source for ``mmdet.MultiSourceSampler``.

A semi-supervised config needs two :class:`~.SemiSplitDataset` (same inner
data set, same split, one ``subset`` each) inside a ``ConcatDataset``, the
form ``mmdet.MultiSourceSampler`` requires (it reads ``cumulative_sizes``;
source 0 = labelled, source 1 = unlabelled). Written out, the inner data set
and the split appear twice, and a variant config would have to copy both
lists to change the split. This wrapper states each once::

    train_dataloader = dict(
        batch_size=16,
        sampler=dict(type='mmdet.MultiSourceSampler', batch_size=16,
                     source_ratio=[1, 1]),          # 8 labelled + 8 unlabelled
        dataset=dict(
            type='LabelledUnlabelledDataset',
            dataset=dict(type='Face300WDataset', data_root=..,
                         ann_file=.., data_prefix=..),   # no pipeline
            split=dict(ratio=0.05, seed=0),   # or dict(num=50, seed=0)
            weak_pipeline=[...],    # T_w: load + random geometry + affine
            sup_pipeline=[...],     # labelled: targets + pack ('sup' branch)
            unsup_pipeline=[...]))  # unlabelled: weak / strong views + pack

so that a variant changes the split with one line,
``train_dataloader = dict(dataset=dict(split=dict(ratio=0.2)))`` (or
``split=dict(_delete_=True, num=50, seed=0)``).

``weak_pipeline`` runs first on every sample, labelled or not (FixMatch and
HybridMatch Sec. III-A / IV-B: labelled images get the weak augmentation
``T_w`` too); then ``sup_pipeline`` on labelled and ``unsup_pipeline`` on
unlabelled samples. Keeping ``T_w`` in one list guarantees both sources use
the same geometry; it may be left empty and written into the two other
lists instead.

The inner data set is built once (its annotation file parsed once) and
shared by both subsets; each :class:`~.SemiSplitDataset` copies its part
and drops the reference, and unlabelled samples are stripped of their labels
there. Everything else (``len``, indexing, ``cumulative_sizes``,
``metainfo``, ``lazy_init``) is :class:`mmengine.dataset.ConcatDataset`'s.
"""
import copy
from typing import Optional, Sequence, Union

from mmengine.dataset import BaseDataset, ConcatDataset
from mmpose.registry import DATASETS

from ..utils.options import strict_options
from .semi_split import SemiSplit
from .semi_split_dataset import SemiSplitDataset


@DATASETS.register_module()
class LabelledUnlabelledDataset(ConcatDataset):
    """``ConcatDataset([labelled, unlabelled])`` of one data set and split.

    Args:
        dataset (dict | BaseDataset): the full training set (a top-down
            pose data set) without a pipeline, e.g.
            ``dict(type='Face300WDataset', data_root=.., ann_file=..,
            data_prefix=dict(img='images/'))``.
        split (dict | SemiSplit): ``dict(ratio=0.05, seed=0)`` or
            ``dict(num=50, seed=0)``, see :class:`~.SemiSplit`.
        sup_pipeline (list): transforms for labelled samples, run after
            ``weak_pipeline``.
        unsup_pipeline (list): transforms for unlabelled samples, run after
            ``weak_pipeline``.
        weak_pipeline (list): transforms run first on every sample (the
            shared weak view ``T_w``). Defaults to none.
        max_unreadable (float): Largest share of the unlabelled pool whose
            images may be unreadable (skipped, named once in the log); one
            more stops the run. Defaults to 0.1. See
            :class:`~.SemiSplitDataset`.
        lazy_init (bool): as :class:`~mmengine.dataset.ConcatDataset`.

    Attributes:
        labelled (SemiSplitDataset): source 0.
        unlabelled (SemiSplitDataset): source 1.
    """

    @strict_options
    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 split: Union[dict, SemiSplit],
                 sup_pipeline: Sequence[dict],
                 unsup_pipeline: Sequence[dict],
                 weak_pipeline: Sequence[dict] = (),
                 max_unreadable: float = 0.1,
                 lazy_init: bool = False) -> None:
        split = SemiSplit.from_cfg(split)  # validate once, share
        if isinstance(dataset, dict):
            dataset = copy.deepcopy(dataset)
            if dataset.get('pipeline'):
                raise ValueError(
                    'LabelledUnlabelledDataset: give the pipelines to the '
                    'wrapper (weak_pipeline / sup_pipeline / unsup_pipeline),'
                    ' not to the wrapped dataset, whose pipeline would never '
                    'run')
            dataset.update(pipeline=[], lazy_init=True, serialize_data=False)
            dataset = DATASETS.build(dataset)
        weak = list(weak_pipeline)
        subsets = [
            SemiSplitDataset(
                dataset=dataset, split=split, subset=subset,
                pipeline=weak + list(pipeline), lazy_init=True,
                max_unreadable=max_unreadable)
            for subset, pipeline in (('labelled', sup_pipeline),
                                     ('unlabelled', unsup_pipeline))
        ]
        super().__init__(datasets=subsets, lazy_init=lazy_init)

    @property
    def labelled(self) -> SemiSplitDataset:
        return self.datasets[0]

    @property
    def unlabelled(self) -> SemiSplitDataset:
        return self.datasets[1]

    @property
    def split_info(self) -> Optional[dict]:
        """The split record (see :class:`~.SemiSplitDataset`), after
        loading."""
        self.full_init()
        return self.labelled.split_info
