"""The plugin mixed with another backbone of MMPose's zoo
(``configs/examples/``), trained by MMPose's *own* ``tools/train.py`` (the
config's ``custom_imports`` loads the plugin), on the tiny SynthFace-68."""
import glob
import os.path as osp

import mmpose
import pytest

from tool_runner import REPO, run_tool, semi_data_opts, tiny_schedule

pytestmark = pytest.mark.slow  # trains with MMPose's own train tool

EXAMPLE = osp.join(REPO, 'configs', 'examples',
                   'hybridmatch_litehrnet-18_synthface-5pct-64x64_cpu.py')
MMPOSE_TRAIN = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools',
                        'train.py')


def test_litehrnet_example_trains_with_mmposes_own_train_tool(
        tiny_synthface, tmp_path):
    work_dir = str(tmp_path / 'work')
    proc = run_tool([MMPOSE_TRAIN, EXAMPLE, '--work-dir', work_dir,
                     '--cfg-options'] + semi_data_opts(tiny_synthface) +
                    tiny_schedule(2, 4) +
                    ['train_dataloader.dataset.split.ratio=0.25'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    (log, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    text = open(log).read()
    assert 'LiteHRNet' in text  # the model that was built
    assert text.count('Iter(train)') == 2
    for key in ('sup_loss_1d', 'unsup_loss_2d', 'unsup_conf', 'full/NME'):
        assert f'{key}: ' in text, key
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
