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
into an error that names the file, the refused global and what to do; a
truncated or non-checkpoint file is an error that names it too (torch's own
message does not).

Saving: :func:`atomic_put` / :func:`atomic_put_text` replace mmengine's
``LocalBackend.put`` / ``put_text`` (through which ``Runner.save_checkpoint``
and ``CheckpointHook`` write ``*.pth`` and ``last_checkpoint``): each file is
written to a temporary file in the same directory, flushed to disk and then
renamed over the target (``os.replace``, atomic on POSIX). A process killed
while saving leaves the previous file, and the ``last_checkpoint`` pointing
to it, intact, plus the temporary file ``.NAME.tmp-PID``:
:func:`remove_stale_temporaries` removes those of dead processes when the
next run starts in the work dir.
"""
import os
import os.path as osp
import pickle
import re
import zipfile
from typing import List, Union

import numpy as np
import torch

from .process_cleanup import pid_alive


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


def plain_python(obj):
    """``obj`` with numpy arrays turned into lists and numpy scalars into
    Python numbers, through dicts, lists and tuples; tensors and other
    values as they are. A checkpoint of tensors and such values loads with
    stock ``torch.load(weights_only=True)``, no allow-list needed (see
    ``tools/misc/export_plain_model.py``)."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {plain_python(k): plain_python(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain_python(v) for v in obj)
    return obj


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a pickled object outside the allow-list."""


class CorruptCheckpointError(RuntimeError):
    """A checkpoint file that is truncated or not a checkpoint."""


def load_from_local(filename: str, map_location=None) -> dict:
    """mmengine's local checkpoint loader with ``weights_only=True``.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        UnsafeCheckpointError: the file pickles a type other than tensors and
            :func:`safe_globals` (torch refuses it; the message says which).
        CorruptCheckpointError: the file is truncated or not a checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} not found')
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except (EOFError, KeyError, OSError, RuntimeError) as err:
        # torch: truncated zip archive (RuntimeError from its stream reader,
        # or OSError when seeking), empty file (EOFError), text or other
        # bytes (KeyError)
        if isinstance(err, (OSError, RuntimeError)) and \
                not _is_truncated(filename):
            raise
        first = (str(err).strip().splitlines() or [''])[0][:120]
        raise CorruptCheckpointError(
            f'{filename}: cannot read this checkpoint: the file is '
            f'truncated or not a checkpoint ({osp.getsize(filename)} bytes; '
            f'{type(err).__name__}: {first}). A run killed while saving '
            'keeps its previous checkpoint: use an earlier iter_*.pth of '
            'the work dir (its last_checkpoint names the last good '
            'one).') from None
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


def _is_truncated(filename: str) -> bool:
    """Not a complete zip archive (torch's format since 1.6): its end, the
    zip directory, is missing."""
    return not zipfile.is_zipfile(filename)


def _tmp_name(filepath: str, pid: int) -> str:
    directory, name = osp.split(osp.abspath(filepath))
    return osp.join(directory, f'.{name}.tmp-{pid}')


_TMP_PATTERN = re.compile(r'^\.(?P<target>.+)\.tmp-(?P<pid>\d+)$')


def remove_stale_temporaries(work_dir: str) -> List[str]:
    """Remove the ``.NAME.tmp-PID`` files of :func:`atomic_put` left in
    ``work_dir`` by processes that no longer run (killed while saving).

    Args:
        work_dir (str): The run's work dir.

    Returns:
        list[str]: One line per file found: removed, or left in place
        because its process still runs (a concurrent run of the same work
        dir); the target checkpoints are never touched.
    """
    if not osp.isdir(work_dir):
        return []
    report = []
    for name in sorted(os.listdir(work_dir)):
        match = _TMP_PATTERN.match(name)
        path = osp.join(work_dir, name)
        if not match or not osp.isfile(path):
            continue
        pid = int(match['pid'])
        if pid != os.getpid() and pid_alive(pid):
            report.append(f'{path}: left in place, process {pid} (writing '
                          f'{match["target"]}) still runs')
            continue
        os.remove(path)
        report.append(f'{path}: removed, an unfinished save of '
                      f'{match["target"]} by process {pid}, which no longer '
                      'runs')
    return report


def _atomic_write(data: Union[bytes, str], filepath: str, mode: str,
                  encoding=None) -> None:
    filepath = os.fspath(filepath)
    os.makedirs(osp.dirname(osp.abspath(filepath)), exist_ok=True)
    tmp = _tmp_name(filepath, os.getpid())
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
