"""Test (and evaluate) a pose model: MMPose's ``tools/test.py`` with the
plugin loaded, so checkpoints saved by ``tools/train.py`` load with
``torch.load(weights_only=True)`` on torch >= 2.6 (see
``hybridmatch_mmpose/engine/checkpoint.py``).

Same command line as MMPose's: ``CONFIG CHECKPOINT [--work-dir] [--out]
[--dump] [--cfg-options] [--show-dir] [--launcher] ...``.
"""
import sys

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe checkpoint loading)
from hybridmatch_mmpose.utils.mmpose_tools import load_mmpose_tool


def main():
    load_mmpose_tool('test').main()


if __name__ == '__main__':
    sys.exit(main())
