"""Test (and evaluate) a pose model: MMPose's ``tools/test.py`` with the
plugin loaded, so checkpoints saved by ``tools/train.py`` load with
``torch.load(weights_only=True)`` on torch >= 2.6 (see
``hybridmatch_mmpose/engine/checkpoint.py``).

Same command line as MMPose's: ``CONFIG CHECKPOINT [--work-dir] [--out]
[--dump] [--cfg-options] [--show-dir] [--launcher] ...``, plus:

- ``--ced-dir DIR``: write the CED curves (``ced.png``) and the per-face
  errors (``ced.json``) of every subset;
- ``--worst N`` (with ``--worst-dir DIR``, default ``WORK_DIR/worst``):
  write the N faces with the largest error as a contact sheet
  (``worst.png``, ground truth green, prediction red) and ``worst.json``.

Both set the options of the config's ``FaceLandmarkMetric``. The test
data are checked first (``hybridmatch_mmpose/utils/data_check.py``: paths,
JSON, keypoint counts, finite coordinates, file names, subset files); each
problem is one line naming the file, the entry and the config key to set.
"""
import argparse
import os.path as osp
import sys

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe checkpoint loading)
from hybridmatch_mmpose.utils.cpu_distributed import setup_cpu_distributed
from hybridmatch_mmpose.utils.data_check import DataCheckError, check_data
from hybridmatch_mmpose.utils.data_paths import DataPathError
from hybridmatch_mmpose.utils.mmpose_tools import load_mmpose_tool


def parse_own_args(argv):
    """Our options; the rest of ``argv`` goes to MMPose's parser."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--ced-dir', default=None)
    parser.add_argument('--worst', type=int, default=0)
    parser.add_argument('--worst-dir', default=None)
    own, rest = parser.parse_known_args(argv)
    if own.worst < 0:
        sys.exit('ERROR: --worst must be >= 0')
    if own.worst_dir and not own.worst:
        sys.exit('ERROR: --worst-dir needs --worst N')
    return own, rest


def set_metric_outputs(cfg, own) -> None:
    """Point every ``FaceLandmarkMetric`` of ``cfg.test_evaluator`` at the
    CED / worst-N folders."""
    evaluators = cfg.test_evaluator if isinstance(
        cfg.test_evaluator, (list, tuple)) else [cfg.test_evaluator]
    metrics = [e for e in evaluators if e.get('type') == 'FaceLandmarkMetric']
    if (own.ced_dir or own.worst) and not metrics:
        sys.exit('ERROR: --ced-dir and --worst need a FaceLandmarkMetric in '
                 'test_evaluator (the configs of this repository have one)')
    for metric in metrics:
        if own.ced_dir:
            metric['ced_dir'] = own.ced_dir
        if own.worst:
            metric['worst_dir'] = own.worst_dir or osp.join(
                cfg.work_dir, 'worst')
            metric['num_worst'] = own.worst


def main():
    own, rest = parse_own_args(sys.argv[1:])
    sys.argv = sys.argv[:1] + rest
    mm_test = load_mmpose_tool('test')
    merge_args = mm_test.merge_args

    def merge_args_and_check(cfg, args):
        cfg = merge_args(cfg, args)
        try:
            check_data(cfg, ['test_dataloader'], ['test_evaluator'])
        except (DataPathError, DataCheckError) as err:
            sys.exit(f'ERROR: {err}')
        set_metric_outputs(cfg, own)
        setup_cpu_distributed(cfg, args.launcher)  # gloo without a GPU
        return cfg

    mm_test.merge_args = merge_args_and_check  # read by MMPose's main()
    mm_test.main()


if __name__ == '__main__':
    sys.exit(main())
