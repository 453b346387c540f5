"""Checkpoints that do not fit stop the run by name: a test with a partial
checkpoint (tools/test.py, as tools/infer.py), a --resume from another
config's checkpoint, a truncated or non-checkpoint file."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

from hybridmatch_mmpose.engine import (CheckpointMismatchError,
                                       CorruptCheckpointError, GuardedRunner,
                                       ResumeMismatchError,
                                       check_state_dict_fits)
from tool_runner import (SYNTH_CONFIG, data_root_opts, run_tool,
                         semi_data_opts)


def _runner(model, resuming=False, evaluating=False, allow=False,
            groups=None):
    """The state GuardedRunner.check_checkpoint reads, without a Runner."""
    groups = groups or [dict(params=list(model.parameters()))]
    return SimpleNamespace(
        model=model, cfg=SimpleNamespace(filename='net.py'),
        _checkpoint_file='net.pth', _resuming=resuming,
        _evaluating=evaluating, allow_checkpoint_mismatch=allow,
        optim_wrapper=OptimWrapper(torch.optim.Adam(groups)))


def _net():
    return nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))


def test_a_test_refuses_a_partial_checkpoint_unless_allowed():
    model = _net()
    partial = {'state_dict': {k: v for k, v in model.state_dict().items()
                              if k.startswith('0.')}}
    with pytest.raises(CheckpointMismatchError,
                       match=r'^checkpoint net\.pth does not fit config '
                       r'net\.py: 2 missing \(e\.g\. 1\.weight, 1\.bias\)'):
        GuardedRunner.check_checkpoint(_runner(model, evaluating=True),
                                       partial)
    GuardedRunner.check_checkpoint(
        _runner(model, evaluating=True, allow=True), partial)
    # load_from to start training stays as lenient as mmengine's
    GuardedRunner.check_checkpoint(_runner(model), partial)
    GuardedRunner.check_checkpoint(
        _runner(model, evaluating=True),
        {'state_dict': {f'module.{k}': v
                        for k, v in model.state_dict().items()}})


def test_resume_from_another_configs_checkpoint_says_so():
    model = _net()
    other = nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 1))
    with pytest.raises(ResumeMismatchError,
                       match=r'^--resume: net\.pth was saved by another '
                       r'config than net\.py: 3 of another shape .*'
                       r'load_from=net\.pth` instead of --resume\.$'):
        GuardedRunner.check_checkpoint(
            _runner(model, resuming=True),
            {'state_dict': other.state_dict(), 'optimizer': {}})
    # same weights, other optimizer groups (paramwise_cfg): mmengine's
    # resume would end in the optimizer's parameter-group ValueError
    split = [dict(params=list(model[0].parameters())),
             dict(params=list(model[1].parameters()))]
    saved = torch.optim.Adam(split).state_dict()
    with pytest.raises(ResumeMismatchError,
                       match=r'parameter groups of sizes \[2, 2\], this '
                       r'config \[4\]'):
        GuardedRunner.check_checkpoint(
            _runner(model, resuming=True),
            {'state_dict': model.state_dict(), 'optimizer': saved})
    GuardedRunner.check_checkpoint(
        _runner(model, resuming=True, groups=split),
        {'state_dict': model.state_dict(), 'optimizer': saved})


@pytest.mark.parametrize('content', ['truncated', 'text', 'empty'])
def test_unreadable_checkpoint_names_the_file(tmp_path, content):
    path = str(tmp_path / 'iter_4.pth')
    torch.save({'state_dict': {'w': torch.ones(5000)}}, path)
    with open(path, 'rb') as f:
        data = f.read()
    data = dict(truncated=data[:len(data) // 2], text=b'hello world',
                empty=b'')[content]
    with open(path, 'wb') as f:
        f.write(data)
    with pytest.raises(CorruptCheckpointError,
                       match=rf'^{path}: cannot read this checkpoint: the '
                       rf'file is truncated or not a checkpoint \({len(data)}'
                       r' bytes; .*last_checkpoint'):
        _load_checkpoint(path)


@pytest.fixture(scope='module')
def plain_mmpose_checkpoint(tiny_hybridmatch, tmp_path_factory):
    """A plain MMPose heatmap checkpoint of the same backbone: the teacher's
    weights without the 1-D regressor (``head.regressor``)."""
    ckpt = torch.load(osp.join(tiny_hybridmatch, 'iter_4.pth'),
                      map_location='cpu', weights_only=True)
    state = {k[len('teacher.'):]: v for k, v in ckpt['state_dict'].items()
             if k.startswith('teacher.') and 'regressor' not in k}
    assert len(state) < sum(k.startswith('teacher.')
                            for k in ckpt['state_dict'])
    path = str(tmp_path_factory.mktemp('plain') / 'heatmap.pth')
    torch.save({'state_dict': state}, path)
    return path, state


@pytest.mark.slow
def test_test_tool_refuses_a_plain_mmpose_checkpoint(
        tiny_synthface, plain_mmpose_checkpoint, tmp_path, one_thread):
    """Before: exit 0 and figures of a model whose 1-D regressor is random
    (a "missing keys" warning only). Now: tools/infer.py's message and exit
    status 2."""
    from mmengine.config import Config
    from mmpose.registry import MODELS
    path, state = plain_mmpose_checkpoint
    with pytest.raises(CheckpointMismatchError) as expected:
        check_state_dict_fits(MODELS.build(Config.fromfile(
            SYNTH_CONFIG).model), state, SYNTH_CONFIG, path)
    proc = run_tool(['tools/test.py', SYNTH_CONFIG, path, '--work-dir',
                     str(tmp_path), '--cfg-options'] +
                    semi_data_opts(tiny_synthface)[1:] +
                    ['test_dataloader.num_workers=0',
                     'test_dataloader.persistent_workers=False'])
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.rstrip().endswith(f'ERROR: {expected.value}')
    assert 'full/NME' not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_resume_with_another_config_stops_before_restoring(
        tiny_synthface, tiny_hybridmatch, tmp_path):
    """A HybridMatch checkpoint resumed by the supervised config: before,
    an optimizer parameter-group ValueError after the weights loaded."""
    ckpt = osp.join(tiny_hybridmatch, 'iter_4.pth')
    config = osp.join(osp.dirname(SYNTH_CONFIG),
                      'td-hm_hrnetv2-w18_synthface-64x64_cpu.py')
    proc = run_tool(['tools/train.py', config, '--work-dir', str(tmp_path),
                     '--resume', ckpt, '--cfg-options'] +
                    data_root_opts(tiny_synthface) +
                    ['train_dataloader.num_workers=0',
                     'train_dataloader.persistent_workers=False'])
    assert proc.returncode == 1
    (line, ) = [ln for ln in proc.stderr.splitlines()
                if ln.startswith('ERROR')]
    assert line.startswith(f'ERROR: --resume: {ckpt} was saved by another '
                           f'config than {config}: ')
    assert 'This is a HybridMatch checkpoint' in line
    assert 'Traceback' not in proc.stderr
