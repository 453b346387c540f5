"""Plot a training log: each loss term, lambda_u^1D, mean A_conf of the
pseudo-labels, the learning rate and the NME of each validation.

    python tools/analysis/plot_train_log.py WORK_DIR [--out FILE.png]
        [--json FILE.json]

Reads mmengine's ``vis_data/scalars.json`` of every run under WORK_DIR (a
resumed run writes a new timestamped folder; they are merged in time order,
a later run's value replacing an earlier one at the same iteration). A
validation line carries no iteration of its own (mmengine writes ``step``
0 for it): it is placed at the last training iteration before it. Writes
the PNG (default ``WORK_DIR/train_log.png``) and, with ``--json``, the
series it plotted.
"""
import argparse
import glob
import json
import os.path as osp
import sys
from collections import defaultdict

LOSS_KEYS = ('loss', 'sup_loss_2d', 'sup_loss_1d', 'unsup_loss_2d',
             'unsup_loss_1d', 'loss_kpt', 'loss_2d', 'loss_1d')
PANELS = (
    ('losses (log scale)', LOSS_KEYS),
    ('lambda_u^1D (Eq. 6 ramp)', ('lambda_u_1d', )),
    ('mean A_conf of pseudo-labels', ('unsup_conf', )),
    ('learning rate', ('lr', )),
    ('validation NME (%)', ('full/NME', 'common/NME', 'challenge/NME',
                            'NME', 'student/full/NME', 'student/NME')),
)


def scalar_files(path):
    """``scalars.json`` files of a work dir (or the file itself), oldest
    run first."""
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'{path}: no */vis_data/scalars.json (is it the --work-dir of '
            'tools/train.py?)')
    return files


def read_series(path):
    """``{key: {iteration: value}}`` for the training and validation
    scalars of ``path`` (a work dir or a ``scalars.json``)."""
    series = defaultdict(dict)
    for file in scalar_files(path):
        last_iter = 0
        with open(file) as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                if 'iter' in entry:  # a training line
                    last_iter = int(entry['iter'])
                    keys = [k for k in entry if k not in (
                        'iter', 'step', 'epoch', 'time', 'data_time')]
                else:  # a validation line: NME etc. after `last_iter`
                    keys = [k for k in entry if '/' in k or k == 'NME']
                for k in keys:
                    if isinstance(entry[k], (int, float)):
                        series[k][last_iter] = float(entry[k])
    return {k: dict(sorted(v.items())) for k, v in series.items()}


def plot(series, out, title=''):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    panels = [(name, [k for k in keys if k in series])
              for name, keys in PANELS]
    panels = [(name, keys) for name, keys in panels if keys]
    if not panels:
        raise ValueError('nothing to plot: no known scalar in the log')
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 2.4 * len(panels)),
                             sharex=True, squeeze=False)
    for ax, (name, keys) in zip(axes[:, 0], panels):
        for k in keys:
            its, vals = zip(*series[k].items())
            marker = 'o' if len(its) < 20 else None
            ax.plot(its, vals, label=k, marker=marker, lw=1)
        if name.startswith('losses') and all(
                v > 0 for k in keys for v in series[k].values()):
            ax.set_yscale('log')
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[-1, 0].set_xlabel('iteration')
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('work_dir', help='tools/train.py --work-dir, or a '
                        'scalars.json')
    parser.add_argument('--out', default=None, help='PNG (default '
                        'WORK_DIR/train_log.png)')
    parser.add_argument('--json', default=None,
                        help='also write the plotted series here')
    args = parser.parse_args(argv)
    try:
        series = read_series(args.work_dir)
    except (FileNotFoundError, ValueError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    out = args.out or osp.join(
        args.work_dir if osp.isdir(args.work_dir) else
        osp.dirname(args.work_dir), 'train_log.png')
    plot(series, out, title=osp.abspath(args.work_dir))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(series, f, indent=1)
    last = {k: v[max(v)] for k, v in series.items()}
    print(f'wrote {out}: {len(series.get("loss", {}))} training points; '
          'last ' + ', '.join(f'{k} {last[k]:.4g}' for k in (
              'loss', 'lambda_u_1d', 'unsup_conf', 'full/NME') if k in last))
    return 0


if __name__ == '__main__':
    sys.exit(main())
