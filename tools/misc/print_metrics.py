"""Print a metrics JSON written by ``tools/test.py --out`` as the NME / FR /
AUC table of :class:`~hybridmatch_mmpose.evaluation.FaceLandmarkMetric`.

With ``--reference RUNS.json`` (a benchmark's list of runs, e.g.
``docs/results/synthface_reference.json`` written by
``tools/benchmarks/semi_benchmark.py --suite synthface``) it also prints
this run's full-set NME beside the committed reference figures of the same
data: each (method, labels) row's mean over its seeds, and the seeds."""
import argparse
import json
from collections import OrderedDict

import numpy as np

from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import \
    format_metrics_table


def reference_table(metrics: dict, runs: list, source: str) -> str:
    """Markdown table: this run's NME, FR@10, AUC@10 (full set) and the
    mean of every ``(method, labels)`` group of ``runs``."""
    groups = OrderedDict()
    for run in runs:
        groups.setdefault((run['method'], run['labels']), []).append(run)
    lines = ['| run | NME (%) | FR@10 (%) | AUC@10 (%) | seeds |',
             '|---|---:|---:|---:|---|',
             f"| this run | {metrics['full/NME']:.2f} | "
             f"{metrics['full/FR@10']:.2f} | {metrics['full/AUC@10']:.2f} "
             '| |']
    for (method, labels), rs in groups.items():
        mean = {k: np.mean([r[k] for r in rs]) for k in ('nme', 'fr10',
                                                          'auc10')}
        seeds = ', '.join(f"{r['seed']}: {r['nme']:.2f}" for r in rs)
        lines.append(f'| reference: {method}, {labels} labels | '
                     f"{mean['nme']:.2f} | {mean['fr10']:.2f} | "
                     f"{mean['auc10']:.2f} | {seeds} |")
    its = sorted({r['iters'] for r in runs})
    lines.append(f'\nReference figures: committed results ({source}, '
                 f'{"/".join(map(str, its))} iterations), not this run.')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('metrics_json')
    parser.add_argument('--reference', metavar='RUNS_JSON',
                        help='list of benchmark runs to print beside')
    args = parser.parse_args()
    with open(args.metrics_json) as f:
        metrics = json.load(f)
    print(format_metrics_table(metrics))
    if args.reference:
        try:
            with open(args.reference) as f:
                runs = json.load(f)
        except (OSError, ValueError) as e:
            print(f'\n(no reference figures: cannot read {args.reference}: '
                  f'{e})')
            return
        print()
        print(reference_table(metrics, runs, args.reference))


if __name__ == '__main__':
    main()
