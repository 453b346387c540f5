"""HybridMatch through the tools: ``tools/train.py`` on the SynthFace demo
config and on the 300-W paper config (256x256 input, unchanged), then
``tools/test.py`` on the trained student/teacher checkpoint, on CPU on a
tiny SynthFace-68 (12 training faces, 6 test faces, 300-W layout).

Measured with OMP_NUM_THREADS=1 on 2 loaded cores: SynthFace train 4
iterations ~14 s, test ~9 s, 300-W config 2 iterations + validation ~18 s.
"""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

from tool_runner import (REPO, SYNTH_CONFIG, run_tool, semi_data_opts,
                         tiny_schedule)

pytestmark = pytest.mark.slow  # every test trains or runs a tool

PAPER_CONFIG = osp.join(REPO, 'configs', 'hybridmatch_300w_5pct.py')


def _train_log(work_dir):
    (log, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    with open(log) as f:
        return f.read()


@pytest.fixture(scope='module')
def data_root(tiny_synthface):
    return tiny_synthface


@pytest.fixture(scope='module')
def trained(tiny_hybridmatch):
    """The SynthFace demo config, 4 iterations of 2 + 2 images on 25 %
    labels (conftest.py)."""
    return tiny_hybridmatch


def test_train_logs_both_losses_and_the_ramp_and_dumps_the_split(trained):
    log = _train_log(trained)
    assert log.count('Iter(train)') == 4
    for key in ('sup_loss_2d', 'sup_loss_1d', 'unsup_loss_2d',
                'unsup_loss_1d', 'unsup_conf', 'lambda_u_1d'):
        assert f'{key}: ' in log, key
    # K = 0.1 * 4 iterations: lambda_u^1D is 0 at the first, 0.05 after
    train_lines = [ln for ln in log.splitlines() if 'Iter(train)' in ln]
    assert 'lambda_u_1d: 0.000000' in train_lines[0]
    assert 'lambda_u_1d: 0.050000' in train_lines[-1]
    with open(osp.join(trained, 'labelled_split.json')) as f:
        split = json.load(f)
    assert split['split'] == dict(ratio=0.25, num=None, seed=0)
    assert (split['labelled']['num'], split['unlabelled']['num']) == (3, 9)
    for name in ('iter_4.pth', 'last_checkpoint'):
        assert osp.isfile(osp.join(trained, name)), name
    assert glob.glob(osp.join(trained, 'best_NME_iter_4.pth'))


def _test_tool(trained, data_root, work_dir, out, *options):
    """tools/test.py on the trained run's iter_4.pth; the finished
    process."""
    proc = run_tool(['tools/test.py', SYNTH_CONFIG,
                     osp.join(trained, 'iter_4.pth'), '--work-dir',
                     str(work_dir), '--out', str(out), '--cfg-options',
                     f'test_dataloader.dataset.data_root={data_root}/',
                     f'test_evaluator.data_root={data_root}/',
                     'test_dataloader.num_workers=0',
                     'test_dataloader.persistent_workers=False', *options])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_test_tool_reports_nme_fr_auc_per_subset(trained, data_root,
                                                 tmp_path):
    out = tmp_path / 'metrics.json'
    proc = _test_tool(trained, data_root, tmp_path, out)
    printed = proc.stdout + proc.stderr
    assert '| subset | NME (%) | FR@10% (%) | AUC@10% (%) |' in printed
    metrics = json.loads(out.read_text())
    for subset in ('common', 'challenge', 'full'):
        assert f'| {subset} |' in printed
        for name in ('NME', 'FR@10', 'AUC@10'):
            assert f'{subset}/{name}' in metrics
    assert metrics['full/NME'] > 0
    # the teacher predicts at test time exactly as at the final validation
    val = [ln for ln in _train_log(trained).splitlines()
           if 'Iter(val)' in ln and 'full/NME' in ln][-1]
    assert f"full/NME: {metrics['full/NME']:.6f}" in val


def test_validation_reports_teacher_then_student(trained, data_root,
                                                 tmp_path):
    """TeacherStudentValLoop: the teacher's metrics under their plain keys
    first, then the student's under `student/`, each what tools/test.py
    gives for that model."""
    val = [ln for ln in _train_log(trained).splitlines()
           if 'Iter(val)' in ln and 'full/NME' in ln][-1]
    assert val.index(' full/NME: ') < val.index(' student/full/NME: ')
    out = tmp_path / 'student.json'
    _test_tool(trained, data_root, tmp_path, out,
               'model.semi_test_cfg.predict_on=student')
    student = json.loads(out.read_text())['full/NME']
    assert f'student/full/NME: {student:.6f}' in val


def test_paper_config_trains_at_256(data_root, tmp_path):
    """The 300-W paper config unchanged (256x256 input, 64x64 maps, 256
    bins) on a SynthFace tree laid out like 300-W: 2 iterations of 1 + 1
    images, then validation (~18 s on 2 loaded CPU cores)."""
    work_dir = str(tmp_path / 'work')
    proc = run_tool(['tools/train.py', PAPER_CONFIG, '--work-dir', work_dir,
                     '--cfg-options'] + semi_data_opts(data_root) +
                    tiny_schedule(2, 2))
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = _train_log(work_dir)
    assert log.count('Iter(train)') == 2
    assert 'sup_loss_1d: ' in log and 'unsup_loss_2d: ' in log
    assert 'full/NME: ' in log
    # the run used the paper's sizes (the config mmengine dumped)
    cfg = Config.fromfile(osp.join(work_dir, 'hybridmatch_300w_5pct.py'))
    codec = cfg.model.head.decoder
    assert tuple(codec.input_size) == (256, 256)
    assert tuple(codec.heatmap_size) == (64, 64)
    assert cfg.train_dataloader.dataset.weak_pipeline[-1].input_size == \
        (256, 256)
    assert osp.isfile(osp.join(work_dir, 'labelled_split.json'))
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))


def test_export_plain_model_for_mmpose_tools_and_apis(trained, data_root,
                                                      tmp_path):
    """The exported teacher is a plain TopdownPoseEstimator that stock
    torch and mmengine load without the plugin: MMPose's tools/test.py
    gives the teacher's NME exactly, and MMPose's init_model +
    inference_topdown predict what the teacher predicts."""
    import numpy as np
    from mmpose.apis import inference_topdown, init_model
    out = tmp_path / 'plain'
    ckpt = osp.join(trained, 'iter_4.pth')
    proc = run_tool(['tools/misc/export_plain_model.py', SYNTH_CONFIG, ckpt,
                     '--out-dir', str(out), '--name', 'plain'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    # stock torch (weights_only=True) and mmengine load the export and our
    # checkpoint's state_dict without the plugin: plain types only
    import torch
    weights = str(tmp_path / 'state_dict.pth')
    torch.save({'state_dict': torch.load(ckpt, weights_only=True)[
        'state_dict']}, weights)
    load = ('import sys, torch\n'
            'from mmengine.runner.checkpoint import _load_checkpoint\n'
            'for path in sys.argv[1:]:\n'
            '    torch.load(path, weights_only=True)\n'
            '    ckpt = _load_checkpoint(path)\n'
            "assert 'hybridmatch_mmpose' not in sys.modules\n"
            "print(sorted(ckpt['meta']['dataset_meta']['flip_indices'])[:3])")
    proc = run_tool(['-c', load, weights, str(out / 'plain.pth')])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1] == '[0, 1, 2]'

    cfg = Config.fromfile(str(out / 'plain.py'))
    assert cfg.model.type == 'TopdownPoseEstimator'
    assert cfg.model.head.type == 'HybridMatchHead'
    assert 'train_dataloader' not in cfg

    metrics_file = tmp_path / 'metrics.json'
    proc = run_tool(['tools/test.py', str(out / 'plain.py'),
                     str(out / 'plain.pth'), '--work-dir',
                     str(tmp_path / 'test'), '--out', str(metrics_file),
                     '--cfg-options',
                     f'test_dataloader.dataset.data_root={data_root}/',
                     f'test_evaluator.data_root={data_root}/',
                     'test_dataloader.num_workers=0',
                     'test_dataloader.persistent_workers=False'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads(metrics_file.read_text())
    val = [ln for ln in _train_log(trained).splitlines()
           if 'Iter(val)' in ln and 'full/NME' in ln][-1]
    assert f"full/NME: {metrics['full/NME']:.6f}" in val

    with open(osp.join(data_root, 'annotations',
                       'face_landmarks_300w_valid.json')) as f:
        ann = json.load(f)
    img = osp.join(data_root, 'images', ann['images'][0]['file_name'])
    x, y, w, h = ann['annotations'][0]['bbox']
    boxes = np.array([[x, y, x + w, y + h]], np.float32)
    plain = init_model(str(out / 'plain.py'), str(out / 'plain.pth'),
                       device='cpu')
    (pred, ) = inference_topdown(plain, img, boxes)
    kpts = pred.pred_instances.keypoints
    assert kpts.shape == (1, 68, 2) and np.isfinite(kpts).all()
    # the same teacher inside the semi-supervised wrapper
    semi_cfg = Config.fromfile(SYNTH_CONFIG)
    import torch
    from mmpose.registry import MODELS
    semi = MODELS.build(semi_cfg.model)
    semi.load_state_dict(torch.load(ckpt, map_location='cpu',
                                    weights_only=True)['state_dict'])
    semi.eval()
    teacher = semi.teacher
    teacher.cfg, teacher.dataset_meta = plain.cfg, plain.dataset_meta
    (ref, ) = inference_topdown(teacher, img, boxes)
    np.testing.assert_allclose(kpts, ref.pred_instances.keypoints, atol=1e-4)
