"""SemiSplit: which samples of a training set keep their labels.

HybridMatch (Kang et al., IEEE Access 2023, Sec. IV-B) "randomly sample[s]
r% of data using a fixed seed value" as the labelled set and uses the rest as
unlabelled data. :class:`SemiSplit` is that draw, made reproducible on every
machine:

* the samples are first put in a canonical order, ascending annotation id
  (so the split does not depend on the order of the annotation file);
* ``numpy.random.default_rng(seed).permutation(n)`` (PCG64, no Python
  ``hash``) orders them; the first ``n_labelled`` of that permutation are
  labelled, the rest unlabelled;
* ``ratio`` gives ``n_labelled = floor(ratio * n + 0.5)`` (round half up:
  300-W's 3,148 faces give 630 / 315 / 157 for 20 / 10 / 5 %); ``num``
  gives it directly.

One split object answers both subsets (:meth:`SemiSplit.split` returns the
labelled and the unlabelled positions: disjoint, union = all), so a
labelled and an unlabelled :class:`~.SemiSplitDataset` built with the same
``split`` config always partition the same data set.

``numpy`` documents that ``Generator`` methods may change their stream
between numpy releases; the ids actually used are therefore written to the
work dir (:func:`split_record`, :class:`~.SemiSplitDumpHook`).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..utils.options import check_known_options

#: Name of the file written into the work dir.
SPLIT_FILE_NAME = 'labelled_split.json'


class SemiSplit:
    """A seeded labelled/unlabelled split by ratio or by count.

    Args:
        ratio (float, optional): fraction of samples that keep their labels,
            in (0, 1]. Exactly one of ``ratio`` and ``num`` must be given.
        num (int, optional): number of samples that keep their labels,
            in [1, n].
        seed (int): seed of ``numpy.random.default_rng``. Defaults to 0.

    Raises:
        ValueError: naming ``split.ratio`` / ``split.num`` / ``split.seed``
            when an option is invalid, and from :meth:`split` when the
            data set is too small for it or the unlabelled rest is empty.

    Example:
        >>> split = SemiSplit(ratio=0.05, seed=0)
        >>> labelled, unlabelled = split.split(ids)  # positions into ids
    """

    def __init__(self,
                 ratio: Optional[float] = None,
                 num: Optional[int] = None,
                 seed: int = 0) -> None:
        if ratio is not None and num is not None:
            raise ValueError(
                f'split: split.num={num!r} and split.ratio={ratio!r} are both '
                'set; give exactly one. A config that sets split.ratio keeps '
                'it when --cfg-options adds split.num: add split.ratio=None, '
                'e.g. `--cfg-options train_dataloader.dataset.split.num='
                f'{num!r} train_dataloader.dataset.split.ratio=None`')
        if ratio is None and num is None:
            raise ValueError(
                'split: give one of split.ratio (a fraction in (0, 1]) and '
                'split.num (a count)')
        if ratio is not None:
            if isinstance(ratio, bool) or not isinstance(
                    ratio, (int, float, np.floating, np.integer)):
                raise ValueError(
                    f'split.ratio must be a number in (0, 1], got {ratio!r}')
            if not 0.0 < float(ratio) <= 1.0:
                raise ValueError(
                    f'split.ratio must be in (0, 1], got {ratio!r}')
            ratio = float(ratio)
        if num is not None:
            if isinstance(num, bool) or not isinstance(num,
                                                       (int, np.integer)):
                raise ValueError(
                    f'split.num must be a positive integer, got {num!r}')
            if num < 1:
                raise ValueError(
                    f'split.num must be a positive integer, got {num!r}')
            num = int(num)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
                or seed < 0:
            raise ValueError(
                f'split.seed must be a non-negative integer, got {seed!r}')
        self.ratio = ratio
        self.num = num
        self.seed = int(seed)

    @classmethod
    def from_cfg(cls, cfg) -> 'SemiSplit':
        """Build from a ``SemiSplit`` or a dict ``dict(ratio=.., seed=..)``
        / ``dict(num=.., seed=..)``."""
        if isinstance(cfg, SemiSplit):
            return cfg
        if not isinstance(cfg, dict):
            raise ValueError('split must be a dict such as '
                             f'dict(ratio=0.05, seed=0), got {cfg!r}')
        check_known_options('split', ('ratio', 'num', 'seed'), cfg)
        return cls(**cfg)

    def to_dict(self) -> Dict:
        return dict(ratio=self.ratio, num=self.num, seed=self.seed)

    def num_labelled(self, n: int) -> int:
        """How many of ``n`` samples keep their labels."""
        if self.num is not None:
            if self.num > n:
                raise ValueError(
                    f'split.num={self.num} is larger than the data set '
                    f'({n} samples)')
            k = self.num
        else:
            k = int(np.floor(self.ratio * n + 0.5))
            if k < 1:
                raise ValueError(
                    f'split.ratio={self.ratio} selects no sample of a data '
                    f'set of {n} samples')
        if k == n:
            opt = (f'split.num={self.num}' if self.num is not None else
                   f'split.ratio={self.ratio}')
            raise ValueError(
                f'{opt} labels all {n} samples: the unlabelled rest is '
                'empty (a semi-supervised run needs unlabelled data)')
        return k

    def split(self, ids: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
        """Split samples identified by unique ``ids`` (annotation ids).

        Args:
            ids: one unique integer id per sample, in data set order.

        Returns:
            ``(labelled, unlabelled)``: sorted int64 arrays of positions into
            ``ids``; disjoint, and together ``0 .. len(ids) - 1``.
        """
        ids = np.asarray(ids)
        n = len(ids)
        if n == 0:
            raise ValueError('split: the data set is empty')
        if len(np.unique(ids)) != n:
            raise ValueError('split: sample ids are not unique')
        k = self.num_labelled(n)
        canonical = np.argsort(ids, kind='stable')  # ascending id
        perm = np.random.default_rng(self.seed).permutation(n)
        labelled = np.sort(canonical[perm[:k]]).astype(np.int64)
        mask = np.ones(n, dtype=bool)
        mask[labelled] = False
        unlabelled = np.nonzero(mask)[0].astype(np.int64)
        return labelled, unlabelled

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio={self.ratio}, '
                f'num={self.num}, seed={self.seed})')


def split_record(split: SemiSplit, samples: List[Dict],
                 labelled: Sequence[int], unlabelled: Sequence[int],
                 **extra) -> Dict:
    """The JSON-able record of a split.

    Args:
        split: the split options.
        samples: per data set position, ``dict(id=ann_id, img_id=..,
            file_name=..)``.
        labelled, unlabelled: positions from :meth:`SemiSplit.split`.
        **extra: more top-level entries (e.g. ``ann_file``).
    """

    def part(positions):
        rows = [samples[int(i)] for i in positions]
        return dict(
            num=len(rows),
            ann_ids=[int(r['id']) for r in rows],
            img_ids=[int(r['img_id']) for r in rows],
            file_names=[str(r['file_name']) for r in rows])

    record = dict(split=split.to_dict(), num_samples=len(samples))
    record.update(extra)
    record['labelled'] = part(labelled)
    record['unlabelled'] = part(unlabelled)
    return record


def dump_split_record(record: Dict, work_dir: str,
                      file_name: str = SPLIT_FILE_NAME) -> str:
    """Write ``record`` to ``work_dir/file_name``; returns the path."""
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, file_name)
    with open(path, 'w') as f:
        json.dump(record, f, indent=1)
    return path
