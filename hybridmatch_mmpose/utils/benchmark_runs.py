"""The run library of ``tools/benchmarks/``: where a run lives, its test
metrics and validation curve, a job queue, and the table cell format.

A benchmark run is ``WORK_DIR/KEY/seedN/`` (relative to the repository
root): ``tools/train.py``'s work dir, ``metrics.json`` written by
``tools/test.py --out`` once the run is finished, and ``run.log``.
"""
import glob
import json
import os.path as osp
import time
from typing import Callable, Iterable, List, Optional, Tuple

import numpy as np

#: The repository root (the package is installed in editable mode).
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: The 300-W test subsets a SynthFace-68 run reports.
SUBSETS = ('full', 'common', 'challenge')


def run_dir(work_dir: str, key: str, seed: int) -> str:
    """``WORK_DIR/KEY/seedN``: the folder of one run."""
    return osp.join(work_dir, key, f'seed{seed}')


def metrics_of(work_dir: str, key: str, seed: int) -> Optional[dict]:
    """The finished run's test metrics (``metrics.json``), else None."""
    path = osp.join(REPO, run_dir(work_dir, key, seed), 'metrics.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _log_points(path: str,
                val_every: int) -> Tuple[Optional[int], list]:
    """``(first training iteration, [(iteration, full NME)])`` of one
    ``scalars.json``. A validation entry carries no iteration (``step``
    0): it is at the last training entry's ``iter`` before it, rounded up
    to a multiple of ``val_every``."""
    first, last, points = None, 0, []
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            if 'full/NME' in row:
                at = max(-(-last // val_every) * val_every, val_every)
                if points and at <= points[-1][0]:
                    at = points[-1][0] + val_every
                points.append((at, row['full/NME']))
            elif it := row.get('iter', row.get('step')):  # training
                last = it
                first = last if first is None else first
    return first, points


def validation_curve(train_dir: str,
                     val_every: int) -> List[Tuple[int, float]]:
    """``[(iteration, full NME)]`` of the newest run in ``train_dir``, from
    mmengine's ``scalars.json``: the predicting model's (teacher's)
    ``full/NME``, not ``student/full/NME``. A run that resumed from a
    checkpoint logs into a new timestamped folder; the validations of the
    older folders before the iteration it resumed at are kept, those of a
    run it started afresh after are not."""
    paths = sorted(glob.glob(osp.join(train_dir, '*', 'vis_data',
                                      'scalars.json')))
    curve, resumed_at = [], float('inf')
    for path in reversed(paths):
        first, points = _log_points(path, val_every)
        if first is None:  # nothing trained in this folder
            continue
        curve = [p for p in points if p[0] < resumed_at] + curve
        if first <= val_every:  # this folder's run started at iteration 0
            break
        resumed_at = first
    return curve


def fmt(values: Iterable[float]) -> str:
    """A table cell: the mean, then each value (two decimals)."""
    v = np.asarray(list(values), dtype=float)
    if not len(v):
        return '-'
    if len(v) == 1:
        return f'{v[0]:.2f}'
    return f'{v.mean():.2f} ({", ".join(f"{x:.2f}" for x in v)})'


def run_queue(todo: Iterable[Tuple[str, int]], launch: Callable, jobs: int,
              on_done: Callable, work_of: Callable) -> None:
    """Run ``launch(key, seed)`` (a ``Popen``) for each ``(key, seed)`` of
    ``todo``, ``jobs`` at a time, printing progress; ``on_done()`` after
    each finished run (e.g. rewrite the report); ``work_of(key, seed)``
    names the folder whose ``run.log`` a failed run points to."""
    todo, running, t0 = list(todo), [], time.time()
    while todo or running:
        while todo and len(running) < jobs:
            key, seed = todo.pop(0)
            print(f'[{(time.time() - t0) / 60:5.1f} min] start {key} '
                  f'seed {seed}', flush=True)
            running.append((key, seed, launch(key, seed)))
        time.sleep(5)
        for item in list(running):
            key, seed, proc = item
            if proc.poll() is None:
                continue
            running.remove(item)
            status = 'done' if proc.returncode == 0 else (
                f'FAILED ({proc.returncode}), see {work_of(key, seed)}'
                '/run.log')
            print(f'[{(time.time() - t0) / 60:5.1f} min] {status}: {key} '
                  f'seed {seed}', flush=True)
            on_done()
