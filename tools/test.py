"""Test (and evaluate) a pose model: MMPose's ``tools/test.py`` with the
plugin loaded, so checkpoints saved by ``tools/train.py`` load with
``torch.load(weights_only=True)`` on torch >= 2.6 (see
``hybridmatch_mmpose/engine/checkpoint.py``).

Same command line as MMPose's: ``CONFIG CHECKPOINT [--work-dir] [--out]
[--dump] [--cfg-options] [--show-dir] [--launcher] ...``. The test set's
data root, annotation file and image folder are checked first (a clear
error names the config key to set).
"""
import sys

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe checkpoint loading)
from hybridmatch_mmpose.utils.cpu_distributed import setup_cpu_distributed
from hybridmatch_mmpose.utils.data_paths import DataPathError, check_data_paths
from hybridmatch_mmpose.utils.mmpose_tools import load_mmpose_tool


def main():
    mm_test = load_mmpose_tool('test')
    merge_args = mm_test.merge_args

    def merge_args_and_check(cfg, args):
        cfg = merge_args(cfg, args)
        try:
            check_data_paths(cfg, ['test_dataloader'])
        except DataPathError as err:
            sys.exit(f'ERROR: {err}')
        setup_cpu_distributed(cfg, args.launcher)  # gloo without a GPU
        return cfg

    mm_test.merge_args = merge_args_and_check  # read by MMPose's main()
    mm_test.main()


if __name__ == '__main__':
    sys.exit(main())
