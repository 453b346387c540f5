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

- ``--allow-checkpoint-mismatch``: test a checkpoint whose weights do not
  fit the config's model. By default such a checkpoint is refused with the
  message and exit status (2) of ``tools/infer.py``: mmengine would load it
  with missing keys left random and print figures of that model. A
  truncated or unsafe checkpoint exits with status 2 too.

``--dump FILE`` works with ``--cfg-options test_evaluator.*`` (the dump
metric is added after the options are merged).
"""
import argparse
import os.path as osp
import sys

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe checkpoint loading)
from hybridmatch_mmpose.engine import (CheckpointMismatchError,
                                       CorruptCheckpointError, GuardedRunner,
                                       UnsafeCheckpointError)
from hybridmatch_mmpose.utils.cpu_distributed import setup_cpu_distributed
from hybridmatch_mmpose.utils.data_check import DataCheckError, check_data
from hybridmatch_mmpose.utils.data_paths import DataPathError
from hybridmatch_mmpose.utils.mmpose_tools import load_mmpose_tool


def own_parser() -> argparse.ArgumentParser:
    """Our options (the rest of the command line is MMPose's)."""
    parser = argparse.ArgumentParser(
        add_help=False, usage=argparse.SUPPRESS,
        description='hybridmatch-mmpose options (besides MMPose\'s, below):')
    parser.add_argument('--ced-dir', default=None, metavar='DIR',
                        help='write ced.png and ced.json (per-face errors) '
                        'of every subset into DIR')
    parser.add_argument('--worst', type=int, default=0, metavar='N',
                        help='write the N faces with the largest error as '
                        'worst.png + worst.json')
    parser.add_argument('--worst-dir', default=None, metavar='DIR',
                        help='folder for --worst (default WORK_DIR/worst)')
    parser.add_argument('--allow-checkpoint-mismatch', action='store_true',
                        help='test a checkpoint that leaves weights of the '
                        'model uninitialised or has other keys (refused by '
                        'default, exit status 2)')
    return parser


def parse_own_args(argv):
    """Our options; the rest of ``argv`` goes to MMPose's parser."""
    parser = own_parser()
    if '-h' in argv or '--help' in argv:
        print(parser.format_help())
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


def add_dump_metric(cfg, dump: str) -> None:
    """``--dump FILE``: MMPose's ``DumpResults`` metric after the config's
    evaluators. Done after ``--cfg-options`` are merged (MMPose's order is
    the reverse, so a ``test_evaluator.data_root=...`` option met a list
    and failed with a TypeError)."""
    if not dump.endswith(('.pkl', '.pickle')):
        sys.exit('ERROR: --dump FILE must end with .pkl or .pickle')
    dump_metric = dict(type='DumpResults', out_file_path=dump)
    evaluators = cfg.test_evaluator
    cfg.test_evaluator = [*evaluators, dump_metric] if isinstance(
        evaluators, (list, tuple)) else [evaluators, dump_metric]


def main():
    own, rest = parse_own_args(sys.argv[1:])
    sys.argv = sys.argv[:1] + rest
    mm_test = load_mmpose_tool('test')
    merge_args = mm_test.merge_args

    def merge_args_and_check(cfg, args):
        dump, args.dump = args.dump, None
        cfg = merge_args(cfg, args)
        if dump is not None:
            add_dump_metric(cfg, dump)
        try:
            check_data(cfg, ['test_dataloader'], ['test_evaluator'])
        except (DataPathError, DataCheckError) as err:
            sys.exit(f'ERROR: {err}')
        set_metric_outputs(cfg, own)
        setup_cpu_distributed(cfg, args.launcher)  # gloo without a GPU
        return cfg

    class Runner(GuardedRunner):
        allow_checkpoint_mismatch = own.allow_checkpoint_mismatch

    mm_test.merge_args = merge_args_and_check  # both read by MMPose's main()
    mm_test.Runner = Runner
    try:
        mm_test.main()
    except (CheckpointMismatchError, CorruptCheckpointError,
            UnsafeCheckpointError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
