"""Train a pose model: MMPose's ``tools/train.py`` with the plugin loaded.

Same command line as MMPose's (config, ``--work-dir``, ``--resume``, ``--amp``,
``--cfg-options``, ``--launcher``, ...) plus:

  --pretrained [CHECKPOINT]  initialise the backbone from CHECKPOINT (default:
                             the stock ImageNet HRNetV2-W18,
                             open-mmlab://msra/hrnetv2_w18). Without it, our
                             configs train from scratch and never go online.

Before the Runner starts, the data of the training and validation sets
are checked (``hybridmatch_mmpose/utils/data_check.py``: paths, JSON,
keypoint counts, finite coordinates, file names, subset files, both
pools of the split); each problem is one line naming the file, the entry
and the config key to set.

The run uses :class:`~hybridmatch_mmpose.engine.GuardedRunner`: ``--resume``
from a checkpoint that another config saved stops with one line before
anything is restored; data loader workers die with the main process;
unfinished checkpoint saves and temporary folders of killed runs are
removed when the next run starts.
"""
import argparse
import sys

from mmengine.config import Config

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe checkpoint loading)
from hybridmatch_mmpose.datasets import UnusableSubsetError
from hybridmatch_mmpose.engine import (CorruptCheckpointError, GuardedRunner,
                                       ResumeMismatchError,
                                       UnsafeCheckpointError)
from hybridmatch_mmpose.utils.cpu_distributed import setup_cpu_distributed
from hybridmatch_mmpose.utils.data_check import DataCheckError, check_data
from hybridmatch_mmpose.utils.data_paths import DataPathError
from hybridmatch_mmpose.utils.mmpose_tools import load_mmpose_tool
from hybridmatch_mmpose.utils.pretrained import (
    STOCK_HRNET_W18_IMAGENET, PretrainedWeightsUnreachable,
    check_pretrained_reachable, set_pretrained)


def parse_extra_args(argv):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        '--pretrained', nargs='?', const=STOCK_HRNET_W18_IMAGENET,
        default=None)
    return parser.parse_known_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    extra, rest = parse_extra_args(argv)
    mm_train = load_mmpose_tool('train')
    sys.argv = [sys.argv[0]] + rest
    if '-h' in rest or '--help' in rest:
        print(__doc__)
    args = mm_train.parse_args()

    cfg = Config.fromfile(args.config)
    cfg = mm_train.merge_args(cfg, args)
    if extra.pretrained is not None:
        set_pretrained(cfg.model, extra.pretrained)
    try:
        check_pretrained_reachable(cfg.model)
        # mmengine's Runner validates when the three are set; an empty
        # val_cfg (dict()) is set (the default ValLoop)
        validate = all(cfg.get(k) is not None for k in (
            'val_dataloader', 'val_cfg', 'val_evaluator'))
        check_data(cfg, ['train_dataloader'] + ['val_dataloader'] * validate,
                   ['val_evaluator'] * validate)
    except (PretrainedWeightsUnreachable, DataPathError,
            DataCheckError) as err:
        sys.exit(f'ERROR: {err}')

    setup_cpu_distributed(cfg, args.launcher)  # gloo when there is no GPU
    runner = GuardedRunner.from_cfg(cfg)
    try:
        runner.train()
    except (ResumeMismatchError, CorruptCheckpointError,
            UnsafeCheckpointError) as err:
        sys.exit(f'ERROR: {err}')
    except UnusableSubsetError as err:
        # raised in a loader worker, torch puts the worker's traceback first
        sys.exit('ERROR: ' + str(err).strip().splitlines()[-1].split(
            f'{type(err).__name__}: ')[-1])


if __name__ == '__main__':
    main()
