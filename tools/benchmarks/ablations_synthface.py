"""The paper's Table 6 / Table 7 / Fig. 2 / CED analogues on SynthFace-68,
at CPU scale.

Trains every SynthFace CPU config below for the same budget (the configs'
600 iterations; 16 images per iteration: 16 labelled for the FSL rows, 8
labelled + 8 unlabelled for the SSL rows) with each seed, tests each final
checkpoint with ``tools/test.py`` (teacher for SSL rows), and writes
``docs/results/ablations_synthface.md`` plus PNG plots: NME vs iteration
(validation every ``--val-every`` iterations, SSL rows) and CED curves.
The labelled split is the configs' (seed 0, 150 of 3,000 faces) for every
run; ``--seeds`` vary the training randomness (initialisation, sampling,
augmentation).

Runs go ``--jobs`` at a time, each process on one thread (two trainings on
two threads each oversubscribe a 2-core machine). A run whose
``metrics.json`` exists is not repeated, so the script resumes; the tables
are rewritten after every finished run::

    python tools/benchmarks/ablations_synthface.py            # all, seeds 0 1
    python tools/benchmarks/ablations_synthface.py --seeds 0 --only hm fsl2d
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
from collections import OrderedDict

import numpy as np

from hybridmatch_mmpose.utils.benchmark_runs import (
    SUBSETS, fmt, metrics_of, run_dir, run_queue, validation_curve)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = 'configs/synthface/{}_synthface-{}-64x64_cpu.py'
# key: (row name, config, NME-vs-iteration curve?)
RUNS = OrderedDict([
    ('fsl2d', ('FSL 2-D, 5 %', CFG.format('fsl-2d', '5pct'), False)),
    ('fsl1d', ('FSL 1-D, 5 %', CFG.format('fsl-1d', '5pct'), False)),
    ('ssl2d', ('SSL 2-D, 5 %', CFG.format('ssl-2d', '5pct'), True)),
    ('ssl1d', ('SSL 1-D, 5 %', CFG.format('ssl-1d', '5pct'), True)),
    ('hm', ('HybridMatch, 5 %', CFG.format('hybridmatch', '5pct'), True)),
    ('hmsoft', ('HybridMatch soft labels, 5 %',
                CFG.format('hybridmatch-soft', '5pct'), False)),
    ('fsl2d100', ('FSL 2-D, 100 %', CFG.format('fsl-2d', '100pct'), False)),
])
COMMAND = 'python tools/benchmarks/ablations_synthface.py'


def train_cmd(key, seed, work, val_every):
    _, config, curve = RUNS[key]
    opts = [f'randomness.seed={seed}', 'train_dataloader.num_workers=1',
            'val_dataloader.num_workers=1']
    if curve:
        opts.append(f'train_cfg.val_interval={val_every}')
    return [sys.executable, 'tools/train.py', config, '--work-dir', work,
            '--cfg-options'] + opts


def test_cmd(key, work):
    _, config, _ = RUNS[key]
    with open(osp.join(REPO, work, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    return [sys.executable, 'tools/test.py', config, ckpt, '--work-dir',
            osp.join(work, 'test'), '--out', osp.join(work, 'metrics.json'),
            '--cfg-options', f'test_evaluator.ced_dir={work}/test/ced',
            'test_dataloader.num_workers=1']


def run_one(key, seed, work_dir, val_every, env):
    """Train + test one run in a child shell; returns the Popen."""
    work = run_dir(work_dir, key, seed)
    os.makedirs(osp.join(REPO, work), exist_ok=True)
    log = open(osp.join(REPO, work, 'run.log'), 'w')
    script = (shlex.join(train_cmd(key, seed, work, val_every)) + ' && ' +
              shlex.join([sys.executable, __file__, '--test-only', key,
                          str(seed), '--work-dir', work_dir]))
    return subprocess.Popen(['bash', '-c', script], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def curve_of(work_dir, key, seed, val_every):
    """:func:`validation_curve` of one ablation run."""
    return validation_curve(osp.join(REPO, run_dir(work_dir, key, seed)),
                            val_every)


def write_report(args):
    rows, done = [], {}
    for key, (name, config, _) in RUNS.items():
        ms = [m for m in (metrics_of(args.work_dir, key, s)
                          for s in args.seeds) if m is not None]
        done[key] = ms
        if not ms:
            continue
        cells = [fmt([m[f'{s}/NME'] for m in ms]) for s in SUBSETS]
        cells += [fmt([m['full/FR@10'] for m in ms]),
                  fmt([m['full/AUC@10'] for m in ms])]
        rows.append(f'| {name} | {len(ms)} | ' + ' | '.join(cells) + ' |')
    seeds = ' '.join(map(str, args.seeds))
    lines = [
        '# Table 6 / 7, Fig. 2 and CED analogues on SynthFace-68 (CPU scale)',
        '',
        'Table 1. Every SynthFace CPU config trained for the same budget '
        '(600 iterations of 16 images: FSL rows 16 labelled, SSL rows 8 '
        'labelled + 8 unlabelled; 64x64 input), tested on the 600 SynthFace-'
        '68 test faces (SSL rows: the EMA teacher). 5 % = the same 150 '
        'labelled faces in every run (split seed 0); seeds vary the training '
        'randomness. Cells: mean over seeds, then each seed\'s value. NME, '
        'FR@10 % and AUC@10 % in %. Runs two at a time, one thread each. '
        f'Command: `{COMMAND} --seeds {seeds}`',
        '',
        '| method | seeds | NME full | NME common | NME challenge | '
        'FR@10 full | AUC@10 full |',
        '|---|---:|---:|---:|---:|---:|---:|',
    ] + rows
    lines += ['', 'Table 7 analogue: rows "HybridMatch, 5 %" (hard '
              'pseudo-labels, the paper) and "HybridMatch soft labels, 5 %".',
              '']
    curves = plot_curves(args)
    if curves:
        lines += [f'Figure 1. Full-set NME of the teacher vs iteration '
                  f'(validation every {args.val_every} iterations), mean over '
                  f'seeds. Command: `{COMMAND} --seeds {seeds}`', '',
                  f'![NME vs iteration]({osp.basename(curves)})', '']
    ced = plot_ceds(args)
    if ced:
        lines += [f'Figure 2. CED of the full test set, seed '
                  f'{args.seeds[0]}. Command: `{COMMAND} --seeds {seeds}`',
                  '', f'![CED]({osp.basename(ced)})', '']
    text = '\n'.join(lines)
    out = osp.join(REPO, args.out)
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        f.write(text)
    return text


def _plt():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def plot_curves(args):
    series = {}
    for key, (name, _, curve) in RUNS.items():
        if not curve:
            continue
        per_seed = [dict(curve_of(args.work_dir, key, s, args.val_every))
                    for s in args.seeds]
        per_seed = [c for c in per_seed if c]
        if not per_seed:
            continue
        steps = sorted(set.intersection(*[set(c) for c in per_seed]))
        series[name] = (steps, [np.mean([c[s] for c in per_seed])
                                for s in steps])
    if not series:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    for name, (steps, nme) in series.items():
        ax.plot(steps, nme, marker='o', label=name)
    ax.set_xlabel('iteration')
    ax.set_ylabel('NME full (%)')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = osp.join(REPO, osp.dirname(args.out),
                    'ablations_synthface_nme_vs_iter.png')
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_ceds(args):
    from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import \
        plot_ced
    errors = {}
    for key, (name, _, _) in RUNS.items():
        path = osp.join(REPO, run_dir(args.work_dir, key, args.seeds[0]),
                        'test', 'ced', 'ced.json')
        if osp.isfile(path):
            with open(path) as f:
                errors[name] = json.load(f)['subsets']['full']['errors']
    if not errors:
        return None
    path = osp.join(REPO, osp.dirname(args.out), 'ablations_synthface_ced.png')
    plot_ced(errors, 10.0, path, title='SynthFace-68 test, full')
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--only', nargs='+', choices=list(RUNS),
                        default=list(RUNS))
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--val-every', type=int, default=200)
    parser.add_argument('--work-dir', default='work_dirs/ablations_synthface')
    parser.add_argument('--out', default='docs/results/ablations_synthface.md')
    parser.add_argument('--test-only', nargs=2, metavar=('KEY', 'SEED'),
                        help=argparse.SUPPRESS)  # internal: test one run
    args = parser.parse_args(argv)

    if args.test_only:
        key, seed = args.test_only[0], int(args.test_only[1])
        work = run_dir(args.work_dir, key, seed)
        subprocess.run(test_cmd(key, work), cwd=REPO, check=True)
        return

    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONWARNINGS='ignore')
    todo = [(k, s) for s in args.seeds for k in args.only
            if metrics_of(args.work_dir, k, s) is None]
    run_queue(todo, lambda key, seed: run_one(key, seed, args.work_dir,
                                              args.val_every, env),
              args.jobs, lambda: write_report(args),
              lambda key, seed: run_dir(args.work_dir, key, seed))
    print(write_report(args))


if __name__ == '__main__':
    main()
