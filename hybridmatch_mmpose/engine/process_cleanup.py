"""Nothing left behind by a run: loader workers and temporary folders.

Two things outlive a training or test process today:

- **Data loader workers** after the main process is killed (``kill -9``,
  the OOM killer). PyTorch's workers watch their parent only while they
  wait for work; a worker that is blocked sending a batch into a full pipe
  (its parent will never read it) waits forever, holding its memory.
  :func:`exit_with_parent` makes the kernel kill each worker when the
  process that started it dies (Linux ``PR_SET_PDEATHSIG``).
- **Temporary folders** ``pymp-*``: every worker that sends a tensor to
  the main process starts Python's ``multiprocessing`` resource sharer,
  whose socket lives in a ``pymp-*`` folder of that worker; a worker
  ended by its parent (``terminate``) never removes it.
  :func:`use_run_temp_dir` gives the main process one temporary folder,
  named after its process id, that its workers share and that the main
  process removes when it exits; :func:`remove_stale_run_temp_dirs`
  removes those of runs that were killed, when the next one starts.
"""
import ctypes
import functools
import os
import re
import shutil
import signal
import sys
import tempfile
from typing import Callable, List, Optional

#: Prefix of the temporary folders of :func:`use_run_temp_dir`.
RUN_TEMP_PREFIX = 'hybridmatch-run-'

_PR_SET_PDEATHSIG = 1


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (possibly owned by someone else)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _die_with_parent(worker_id: int, parent_pid: int,
                     init_fn: Optional[Callable]) -> None:
    if sys.platform.startswith('linux'):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the parent died before prctl
            os._exit(1)
    if init_fn is not None:
        init_fn(worker_id)


def exit_with_parent(init_fn: Optional[Callable] = None) -> Callable:
    """A data loader ``worker_init_fn`` that first asks the kernel to kill
    the worker (``SIGKILL``) when its parent dies, then calls ``init_fn``
    (mmengine's seeding).

    Args:
        init_fn (Callable, optional): The loader's own ``worker_init_fn``.

    Returns:
        Callable: ``fn(worker_id)``, picklable (for ``spawn`` workers).
    """
    return functools.partial(_die_with_parent, parent_pid=os.getpid(),
                             init_fn=init_fn)


def use_run_temp_dir() -> str:
    """Make this process's ``multiprocessing`` temporary folder one named
    ``hybridmatch-run-PID-*`` (the ``pymp-*`` folder it would otherwise
    create per worker): data loader workers started afterwards share it,
    and it is removed when this process exits. Call it before any worker
    starts; a folder already in use is kept.

    Returns:
        str: The folder.
    """
    from multiprocessing import process, util
    config = process.current_process()._config
    if config.get('tempdir'):
        return config['tempdir']
    path = tempfile.mkdtemp(prefix=f'{RUN_TEMP_PREFIX}{os.getpid()}-')
    util.Finalize(None, shutil.rmtree, args=(path, True), exitpriority=-100)
    config['tempdir'] = path
    return path


def remove_stale_run_temp_dirs(temp_root: Optional[str] = None) -> List[str]:
    """Remove the :func:`use_run_temp_dir` folders of processes that no
    longer run.

    Args:
        temp_root (str, optional): Where to look; default
            ``tempfile.gettempdir()``.

    Returns:
        list[str]: The folders removed.
    """
    temp_root = temp_root or tempfile.gettempdir()
    pattern = re.compile(rf'^{re.escape(RUN_TEMP_PREFIX)}(\d+)-')
    removed = []
    try:
        names = os.listdir(temp_root)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        path = os.path.join(temp_root, name)
        if match and os.path.isdir(path) and not pid_alive(
                int(match[1])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
