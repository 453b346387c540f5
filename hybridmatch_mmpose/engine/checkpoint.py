"""Safe checkpoint loading on torch >= 2.6.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``. mmengine
0.10.7 calls ``torch.load`` without the argument, so a checkpoint saved by
``tools/train.py`` cannot be loaded by ``tools/test.py`` or ``--resume``
(``UnpicklingError ... numpy.core.multiarray._reconstruct``): its ``meta``
holds numpy arrays (``dataset_meta``) and numpy scalars, and its
``message_hub`` holds mmengine ``HistoryBuffer`` objects.

Rather than switching the protection off, :func:`register_safe_globals`
allow-lists exactly those types with ``torch.serialization.add_safe_globals``
(numpy's array reconstruction needs ``bytes`` too). Anything else pickled
into a checkpoint is still refused by torch.

One more thing stands in the way: ``HistoryBuffer.__getstate__`` pickles its
class-level table of statistics methods (``HistoryBuffer.min`` ...), which
pickle stores as ``getattr(HistoryBuffer, 'min')``. Allowing ``getattr`` would
defeat ``weights_only``; instead :func:`register_safe_globals` makes
``HistoryBuffer`` leave out the four default methods, which its own
``__setstate__`` registers again on load. Only custom methods (registered
with ``HistoryBuffer.register_statistics``) are still saved.
"""
from typing import List

import numpy as np
import torch


def _numpy_safe_globals() -> List:
    """numpy types an mmengine checkpoint legitimately holds."""
    from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(t)) for t in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
        np.uint16, np.uint32, np.uint64, np.float16, np.float32,
        np.float64, np.str_, np.object_)]
    return [_reconstruct, scalar, np.ndarray, np.dtype] + dtype_classes


def _mmengine_safe_globals() -> List:
    """mmengine types stored in the ``message_hub`` of a checkpoint."""
    from mmengine.logging.history_buffer import HistoryBuffer
    return [HistoryBuffer]


_DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_getstate(self) -> dict:
    """``HistoryBuffer.__getstate__`` without the default statistics methods
    (and without mutating the instance, as mmengine's version does)."""
    state = dict(self.__dict__)
    state.pop('statistics_methods', None)
    custom = {
        name: method
        for name, method in self._statistics_methods.items()
        if name not in _DEFAULT_STATISTICS
    }
    if custom:
        state['statistics_methods'] = custom
    return state


def safe_globals() -> List:
    """Every non-tensor type our checkpoints hold (see module docstring)."""
    return [bytes] + _numpy_safe_globals() + _mmengine_safe_globals()


def register_safe_globals() -> None:
    """Allow-list :func:`safe_globals` for ``torch.load(weights_only=True)``
    and make ``HistoryBuffer`` pickle without ``getattr`` (module docstring).

    Called on ``import hybridmatch_mmpose``; a no-op on torch < 2.4, which
    has no allow-list (and loads everything).
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    HistoryBuffer.__getstate__ = _history_buffer_getstate
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:
        add(safe_globals())
