"""tools/train.py -> checkpoint -> tools/test.py and --resume, through
mmengine's Runner on a tiny SynthFace-68, on CPU."""
import json
import os
import os.path as osp

import pytest

from tool_runner import REPO, data_root_opts, run_tool

pytestmark = pytest.mark.slow  # every test trains or runs a tool

CONFIG = osp.join(REPO, 'configs', 'synthface',
                  'td-hm_hrnetv2-w18_synthface-64x64_cpu.py')


TINY = ['train_cfg.max_iters=4', 'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=2', 'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False']


@pytest.fixture(scope='module')
def trained(tiny_synthface, tmp_path_factory):
    root = tiny_synthface
    work_dir = str(tmp_path_factory.mktemp('work'))
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir,
                 '--cfg-options'] + data_root_opts(root) + TINY)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, work_dir


def test_train_writes_checkpoints_and_validates(trained):
    _, work_dir = trained
    for name in ('iter_2.pth', 'iter_4.pth', 'last_checkpoint'):
        assert osp.isfile(osp.join(work_dir, name)), name
    assert any(f.startswith('best_NME') for f in os.listdir(work_dir))


def test_checkpoint_loads_weights_only_with_plugin_and_not_without(trained):
    _, work_dir = trained
    ckpt = osp.join(work_dir, 'iter_4.pth')
    load = ('import torch; ck = torch.load({!r}, weights_only=True); '
            'print(sorted(ck))').format(ckpt)
    plain = run_tool(['-c', load])
    assert plain.returncode != 0 and 'Weights only load failed' in plain.stderr
    with_plugin = run_tool(['-c', 'import hybridmatch_mmpose; ' + load])
    assert with_plugin.returncode == 0, with_plugin.stderr[-2000:]
    assert "'message_hub'" in with_plugin.stdout
    assert "'optimizer'" in with_plugin.stdout


def test_test_tool_reports_nme_fr_auc_per_subset(trained, tmp_path):
    """Also ``--dump`` with a ``test_evaluator.data_root`` option (MMPose's
    order of the two made that a TypeError)."""
    root, work_dir = trained
    out = tmp_path / 'metrics.json'
    dump = tmp_path / 'predictions.pkl'
    proc = run_tool(['tools/test.py', CONFIG, osp.join(work_dir, 'iter_4.pth'),
                 '--work-dir', str(tmp_path), '--out', str(out),
                 '--dump', str(dump),
                 '--cfg-options'] + data_root_opts(root) + TINY[-2:])
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads(out.read_text())
    for subset in ('full', 'common', 'challenge'):
        for name in ('NME', 'FR@10', 'AUC@10'):
            assert f'{subset}/{name}' in metrics
    assert metrics['full/NME'] > 0
    import pickle
    with open(dump, 'rb') as f:
        assert len(pickle.load(f)) == 6  # one prediction per test face


def test_test_tool_help_lists_its_own_options():
    proc = run_tool(['tools/test.py', '--help'])
    assert proc.returncode == 0
    for option in ('--ced-dir DIR', '--worst N', '--worst-dir DIR',
                   '--allow-checkpoint-mismatch', '--cfg-options'):
        assert option in proc.stdout, option


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    root, work_dir = trained
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                 '--resume', osp.join(work_dir, 'iter_2.pth'),
                 '--cfg-options'] + data_root_opts(root) + TINY)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    assert osp.isfile(tmp_path / 'iter_4.pth')
    assert not osp.isfile(tmp_path / 'iter_2.pth')  # nothing retrained


def test_pretrained_offline_is_a_clear_error(trained, tmp_path):
    root, _ = trained
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                 '--pretrained', str(tmp_path / 'missing.pth'),
                 '--cfg-options'] + data_root_opts(root) + TINY)
    assert proc.returncode != 0
    assert 'missing.pth' in proc.stderr and 'Traceback' not in proc.stderr
