"""Nothing left behind: data loader workers of a killed process, temporary
folders, unfinished checkpoint saves. The loaders are built as
``GuardedRunner`` builds them (``tools/train.py`` / ``tools/test.py``), in
a child process with its own temporary folder."""
import os
import signal
import subprocess
import sys
import time

from hybridmatch_mmpose.engine.checkpoint import remove_stale_temporaries
from hybridmatch_mmpose.engine.process_cleanup import (
    RUN_TEMP_PREFIX, remove_stale_run_temp_dirs)
from tool_runner import REPO

# 2 workers prefetch 1 MB numpy batches the main process never reads: a
# worker blocks sending into a full pipe (as with MMPose's numpy samples)
CHILD = '''
import sys, time
import numpy as np
from torch.utils.data import Dataset
from hybridmatch_mmpose.engine import GuardedRunner
from hybridmatch_mmpose.engine.process_cleanup import use_run_temp_dir

class Arrays(Dataset):
    def __len__(self):
        return 64
    def __getitem__(self, i):
        return np.full((256, 256, 4), i, np.float32)

use_run_temp_dir()  # GuardedRunner.__init__
loader = GuardedRunner.build_dataloader(dict(
    dataset=Arrays(), batch_size=2, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate')))
batches = iter(loader)
next(batches)
print(*[w.pid for w in batches._workers], flush=True)
if sys.argv[1] == 'wait':
    time.sleep(120)
'''


def _child(tmp_path, mode):
    env = dict(os.environ, TMPDIR=str(tmp_path), OMP_NUM_THREADS='1',
               PYTHONWARNINGS='ignore')
    return subprocess.Popen([sys.executable, '-c', CHILD, mode], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, text=True)


def _running(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_loader_workers_die_with_the_killed_main_process(tmp_path):
    child = _child(tmp_path, 'wait')
    workers = [int(p) for p in child.stdout.readline().split()]
    assert len(workers) == 2 and all(map(_running, workers))
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.time() + 5
    while any(map(_running, workers)) and time.time() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if _running(pid)]
    for pid in alive:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not alive, 'workers outlived their killed parent by 5 s'
    # the killed run's temporary folder: removed when the next run starts
    (left, ) = os.listdir(tmp_path)
    assert left.startswith(f'{RUN_TEMP_PREFIX}{child.pid}-')
    assert remove_stale_run_temp_dirs(str(tmp_path)) == [
        str(tmp_path / left)]
    assert os.listdir(tmp_path) == []


def test_no_temporary_folder_outlives_a_run(tmp_path):
    """Python's ``pymp-*`` folders of the workers' resource sharer were
    left by every run whose workers were still alive at exit."""
    child = _child(tmp_path, 'exit')
    child.communicate()
    assert child.returncode == 0
    assert os.listdir(tmp_path) == []


def test_unfinished_saves_of_dead_processes_are_removed(tmp_path):
    """``.NAME.tmp-PID``: removed when PID no longer runs; left (and
    named) when it does, e.g. another run saving into the same folder."""
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    stale = tmp_path / f'.iter_4.pth.tmp-{dead.pid}'
    live = tmp_path / f'.iter_6.pth.tmp-{os.getppid()}'
    for path in (stale, live, tmp_path / 'iter_2.pth'):
        path.write_bytes(b'x')
    assert remove_stale_temporaries(str(tmp_path)) == [
        f'{stale}: removed, an unfinished save of iter_4.pth by process '
        f'{dead.pid}, which no longer runs',
        f'{live}: left in place, process {os.getppid()} (writing '
        'iter_6.pth) still runs']
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, 'iter_2.pth'])
