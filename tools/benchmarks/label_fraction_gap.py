"""How much worse is a supervised HRNet trained on 5 % of SynthFace-68's
labels than one trained on all of them, at the same iteration budget?

This is the check that SynthFace-68 leaves room for semi-supervision. It
trains the two stock supervised CPU configs side by side (each process on one
thread, so both see the same machine), tests each final checkpoint with
``tools/test.py`` and writes ``docs/results/label_fraction_gap.md``::

    python tools/benchmarks/label_fraction_gap.py --iters 3000 \\
        --val-interval 500

The learning-rate milestones are scaled with ``--iters`` (60 % and 90 %, as
in the configs).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

from hybridmatch_mmpose.utils.benchmark_runs import validation_curve

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    '100 %': 'configs/synthface/td-hm_hrnetv2-w18_synthface-64x64_cpu.py',
    '5 %': 'configs/synthface/td-hm_hrnetv2-w18_synthface-5pct-64x64_cpu.py',
}


def schedule_opts(iters: int, val_interval: int = 0):
    """``--cfg-options`` for an ``iters``-iteration schedule, validating
    every ``val_interval`` iterations (0: only at the end)."""
    return [
        f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={val_interval or iters}',
        f'default_hooks.checkpoint.interval={iters}',
        f'param_scheduler.1.end={iters}',
        'param_scheduler.1.milestones='
        f'[{int(0.6 * iters)},{int(0.9 * iters)}]',
        'train_dataloader.num_workers=1'
    ]


def root_opts(config, data_root):
    """``--cfg-options`` values pointing the config's data sets at
    ``data_root`` (none for the default)."""
    if data_root is None:
        return []
    from mmengine.config import Config
    from hybridmatch_mmpose.utils.data_paths import data_root_options
    cfg = Config.fromfile(osp.join(REPO, config))
    return data_root_options(cfg, data_root)


def curve_lines(dirs, val_interval: int):
    """Markdown table of the gap at every validation of the two runs."""
    curves = {name: dict(validation_curve(d, val_interval))
              for name, d in dirs.items()}
    iters = sorted(set(curves['100 %']) & set(curves['5 %']))
    lines = ['', f'Along the schedule (validation every {val_interval} '
             'iterations; the learning rate drops 10x at 60 % and 90 % of '
             'the schedule, so the early rows are not what a run of that '
             'length would reach):', '',
             '| iteration | NME, 100 % | NME, 5 % | 5 % vs 100 % |',
             '|---:|---:|---:|---:|']
    for it in iters:
        full, low = curves['100 %'][it], curves['5 %'][it]
        lines.append(f'| {it} | {full:.2f} | {low:.2f} | '
                     f'{100 * (low / full - 1):+.1f} % |')
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=3000,
                        help='the CPU budget of the check (README)')
    parser.add_argument('--work-dir', default='work_dirs/label_fraction_gap')
    parser.add_argument('--out', default='docs/results/label_fraction_gap.md')
    parser.add_argument('--data-root', default=None,
                        help='SynthFace-68 root (default: the configs\' '
                        'data/synthface/), e.g. one made with '
                        'tools/make_synthface.py --difficulty 2')
    parser.add_argument('--val-interval', type=int, default=0,
                        help='also validate every N iterations (the gap '
                        'along the schedule is then in each run\'s '
                        'scalars.json; default: only at the end)')
    args = parser.parse_args(argv)

    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    procs, dirs, t0 = {}, {}, time.time()
    for name, config in CONFIGS.items():
        dirs[name] = osp.join(args.work_dir, name.replace(' %', 'pct'))
        os.makedirs(dirs[name], exist_ok=True)
        log = open(osp.join(dirs[name], 'train.log'), 'w')
        procs[name] = subprocess.Popen(
            [sys.executable, 'tools/train.py', config, '--work-dir',
             dirs[name], '--cfg-options'] +
            schedule_opts(args.iters, args.val_interval) +
            root_opts(config, args.data_root),
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    for name, proc in procs.items():
        if proc.wait() != 0:
            raise SystemExit(f'training {name} failed: see '
                             f'{dirs[name]}/train.log')
    minutes = (time.time() - t0) / 60

    rows = {}
    for name, config in CONFIGS.items():
        with open(osp.join(REPO, dirs[name], 'last_checkpoint')) as f:
            ckpt = f.read().strip()
        out = osp.join(dirs[name], 'metrics.json')
        opts = root_opts(config, args.data_root)
        subprocess.run([
            sys.executable, 'tools/test.py', config, ckpt, '--work-dir',
            osp.join(dirs[name], 'test'), '--out', out
        ] + (['--cfg-options'] + opts if opts else []), cwd=REPO,
            check=True, capture_output=True)
        with open(osp.join(REPO, out)) as f:
            rows[name] = json.load(f)

    full, low = rows['100 %'], rows['5 %']
    lines = [
        '# Supervised HRNetV2-W18 on SynthFace-68: 5 % vs 100 % of the labels',
        '',
        'Table. Stock supervised HRNetV2-W18 (64x64 input, 16x16 DARK '
        'heatmaps, '
        f'batch 16, Adam 1e-3, {args.iters} iterations, from scratch) on '
        f'SynthFace-68 ({args.data_root or "data/synthface"}: 3,000 train '
        'faces; 5 % = 150), tested on its 600 test '
        f'faces. Both runs trained side by side, one thread each '
        f'({minutes:.0f} min wall for both). NME, FR@10 % and AUC@10 % in %. '
        f'Command: `python tools/benchmarks/label_fraction_gap.py --iters '
        f'{args.iters}' + (f' --data-root {args.data_root}'
                           if args.data_root else '') +
        (f' --val-interval {args.val_interval}' if args.val_interval else '')
        + '`',
        '',
        '| labels | subset | NME | FR@10 | AUC@10 |',
        '|---|---|---:|---:|---:|',
    ]
    for name, m in rows.items():
        for subset in ('full', 'common', 'challenge'):
            lines.append(f"| {name} | {subset} | {m[f'{subset}/NME']:.2f} | "
                         f"{m[f'{subset}/FR@10']:.2f} | "
                         f"{m[f'{subset}/AUC@10']:.2f} |")
    gap = 100 * (low['full/NME'] / full['full/NME'] - 1)
    lines += ['', f'5 % labels: full-set NME {gap:+.1f} % relative to 100 % '
              '(room for semi-supervision means at least +30 %).']
    if args.val_interval:
        lines += curve_lines({n: osp.join(REPO, d) for n, d in dirs.items()},
                             args.val_interval)
    lines.append('')
    text = '\n'.join(lines)
    os.makedirs(osp.dirname(osp.join(REPO, args.out)), exist_ok=True)
    with open(osp.join(REPO, args.out), 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
