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

Loading: :func:`load_from_local` replaces mmengine's loader for local paths.
It passes ``weights_only=True`` explicitly (whatever torch's default) and
turns torch's refusal of a checkpoint that carries any other pickled object
into an error that names the file, the refused global and what to do.

Saving: :func:`atomic_put` / :func:`atomic_put_text` replace mmengine's
``LocalBackend.put`` / ``put_text`` (through which ``Runner.save_checkpoint``
and ``CheckpointHook`` write ``*.pth`` and ``last_checkpoint``): each file is
written to a temporary file in the same directory, flushed to disk and then
renamed over the target (``os.replace``, atomic on POSIX). A process killed
while saving leaves the previous file, and the ``last_checkpoint`` pointing
to it, intact.
"""
import os
import os.path as osp
import pickle
from typing import List, Union

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


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a pickled object outside the allow-list."""


def load_from_local(filename: str, map_location=None) -> dict:
    """mmengine's local checkpoint loader with ``weights_only=True``.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        UnsafeCheckpointError: the file pickles a type other than tensors and
            :func:`safe_globals` (torch refuses it; the message says which).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} not found')
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        detail = str(err).strip().splitlines()
        detail = next((ln for ln in detail if 'GLOBAL' in ln or
                       'Unsupported' in ln), detail[0] if detail else '')
        raise UnsafeCheckpointError(
            f'{filename}: refused to load this checkpoint: it holds a '
            f'pickled object that is not a tensor or one of the types our '
            f'checkpoints hold ({detail.strip()}). Loading it could run '
            'arbitrary code. Checkpoints written by tools/train.py never '
            'hold such objects; if you made this file yourself and trust '
            'it, re-save only its weights: torch.save({"state_dict": '
            'sd}, path).') from None


def _atomic_write(data: Union[bytes, str], filepath: str, mode: str,
                  encoding=None) -> None:
    filepath = os.fspath(filepath)
    directory = osp.dirname(osp.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    tmp = osp.join(directory,
                   f'.{osp.basename(filepath)}.tmp-{os.getpid()}')
    try:
        with open(tmp, mode, encoding=encoding) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def atomic_put(self, obj: bytes, filepath) -> None:
    """``LocalBackend.put``, atomically (module docstring)."""
    _atomic_write(obj, filepath, 'wb')


def atomic_put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
    """``LocalBackend.put_text``, atomically (module docstring)."""
    _atomic_write(obj, filepath, 'w', encoding=encoding)


def register_safe_loading_and_saving() -> None:
    """Install :func:`load_from_local` for local paths and the atomic
    ``LocalBackend`` writes (module docstring). Called on
    ``import hybridmatch_mmpose``."""
    from mmengine.fileio.backends import LocalBackend
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local,
                                     force=True)
    LocalBackend.put = atomic_put
    LocalBackend.put_text = atomic_put_text


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
