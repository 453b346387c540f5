"""SemiTopdownEstimator on its own: a mean teacher for MMPose's stock
``TopdownPoseEstimator`` + ``HeatmapHead`` (tiny HRNet). Expected values
are recomputed from the student and teacher themselves."""
import copy
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import hybridmatch_mmpose  # noqa: F401  (registers everything)
from hybridmatch_mmpose.models import HybridMatchEstimator, \
    SemiTopdownEstimator

from tiny_models import DETECTOR, FLIP, K, PREPROCESSOR  # noqa: E402

pytestmark = pytest.mark.usefixtures('one_thread')

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CODEC = dict(type='MSRAHeatmap', input_size=(64, 64), heatmap_size=(16, 16),
             sigma=1.5, unbiased=True)
# the tiny HRNet with MMPose's stock heatmap head
STOCK = dict(copy.deepcopy(DETECTOR), head=dict(
    type='HeatmapHead', in_channels=60, out_channels=K,
    deconv_out_channels=None, conv_out_channels=(60, ),
    conv_kernel_sizes=(1, ),
    loss=dict(type='KeypointMSELoss', use_target_weight=True),
    decoder=CODEC))


def build(seed=0, **kwargs):
    """Student and teacher from different random weights."""
    torch.manual_seed(seed)
    cfg = dict(type='SemiTopdownEstimator', detector=copy.deepcopy(STOCK),
               data_preprocessor=dict(type='mmdet.MultiBranchDataPreprocessor',
                                      data_preprocessor=PREPROCESSOR))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    with torch.no_grad():
        for t in model.teacher.state_dict().values():
            if t.is_floating_point() and t.dim() > 0:
                t.add_(torch.randn_like(t) * 0.05)
    return model.train()


def batch(ns=2, nu=3, seed=0):
    rng = np.random.default_rng(seed)
    gen, pack = GenerateTarget(encoder=CODEC), PackPoseInputs()
    sup = []
    for i in range(ns):
        sup.append(pack(gen(dict(
            img=rng.integers(0, 255, (64, 64, 3), dtype=np.uint8),
            keypoints=rng.uniform(4, 60, (1, K, 2)).astype(np.float32),
            keypoints_visible=np.ones((1, K), np.float32),
            bbox=np.array([[0., 0., 64., 64.]], np.float32),
            flip_indices=FLIP, input_size=(64, 64), id=100 + i)))
        ['data_samples'])
    g = torch.Generator().manual_seed(seed)
    weak = torch.randn(nu, 3, 64, 64, generator=g)
    inputs = dict(sup=torch.randn(ns, 3, 64, 64, generator=g),
                  unsup_teacher=weak,
                  unsup_student=weak + 0.3 * torch.randn(
                      nu, 3, 64, 64, generator=g))
    unsup = [PoseDataSample(metainfo=dict(id=i)) for i in range(nu)]
    return inputs, dict(sup=sup, unsup_teacher=unsup,
                        unsup_student=copy.deepcopy(unsup))


def test_mean_teacher_loss_is_the_mse_of_student_vs_teacher_heatmaps():
    model = build(semi_train_cfg=dict(lambda_u=0.5))
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'sup_loss_kpt', 'sup_acc_pose', 'unsup_loss_kpt'}
    with torch.no_grad():
        teacher = model.teacher._forward(inputs['unsup_teacher'])
        student = model.student._forward(inputs['unsup_student'])
        sup = model.student.loss(inputs['sup'], samples['sup'])
    # KeypointMSELoss with unit weights: the mean squared difference
    expected = 0.5 * ((student - teacher)**2).mean()
    torch.testing.assert_close(losses['unsup_loss_kpt'], expected)
    torch.testing.assert_close(losses['sup_loss_kpt'], sup['loss_kpt'])
    # gradients reach the student only
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert model.student.head.final_layer.weight.grad.abs().sum() > 0


def test_a_teacher_equal_to_the_student_on_the_same_view_costs_nothing():
    model = build()
    model.teacher.load_state_dict(model.student.state_dict())
    model.train(False)  # BatchNorm in eval mode in both
    inputs, samples = batch()
    inputs['unsup_student'] = inputs['unsup_teacher'].clone()
    losses = model.loss(inputs, samples)
    assert losses['unsup_loss_kpt'].item() == 0.0
    assert losses['sup_loss_kpt'].item() > 0


def test_burn_in_forwards_neither_teacher_nor_unlabelled_views():
    model = build()
    inputs, samples = batch()

    def fail(*args, **kwargs):
        raise AssertionError('the teacher ran during the burn-in')

    model.teacher._forward = fail
    model.set_lambda_u(0.0)
    assert set(model.loss(inputs, samples)) == {'sup_loss_kpt',
                                                'sup_acc_pose'}


def test_options_of_a_subclass_are_unknown_to_the_base():
    with pytest.raises(ValueError, match='pseudo_label'):
        build(semi_train_cfg=dict(pseudo_label='hard'))
    assert 'pseudo_label' in HybridMatchEstimator.DEFAULT_TRAIN_CFG
    assert set(SemiTopdownEstimator.DEFAULT_TRAIN_CFG) < set(
        HybridMatchEstimator.DEFAULT_TRAIN_CFG)
    with pytest.raises(TypeError, match='HybridMatchHead'):
        MODELS.build(dict(type='HybridMatchEstimator',
                          detector=copy.deepcopy(STOCK)))


def test_plain_checkpoint_loads_into_student_and_teacher():
    torch.manual_seed(7)
    plain = MODELS.build(copy.deepcopy(STOCK))
    sd = plain.state_dict()
    model = build()
    model.load_state_dict(sd, strict=True)
    for name in ('student', 'teacher'):
        got = getattr(model, name).state_dict()
        for k, v in sd.items():
            assert torch.equal(got[k], v), (name, k)
    assert not model.teacher_loaded


def test_the_mean_teacher_config_wraps_the_supervised_model():
    """configs/300w_afw_helen/mean-teacher-2d_*: the FSL-2D config's model
    as student and teacher, HybridMatch's data and schedule."""
    d = osp.join(REPO, 'configs', '300w_afw_helen')
    mt = Config.fromfile(osp.join(
        d, 'mean-teacher-2d_afw-helen-5pct-64x64_cpu.py'))
    fsl = Config.fromfile(osp.join(d, 'fsl-2d_afw-helen-5pct-64x64_cpu.py'))
    hm = Config.fromfile(osp.join(
        d, 'hybridmatch_afw-helen-5pct-64x64_cpu.py'))
    assert mt.model.type == 'SemiTopdownEstimator'
    assert mt.model.detector == fsl.model
    assert mt.train_cfg == hm.train_cfg
    assert mt.custom_hooks == hm.custom_hooks
    assert mt.model.semi_train_cfg.burn_in_iters == \
        hm.model.semi_train_cfg.burn_in_iters
    assert mt.train_dataloader.sampler == hm.train_dataloader.sampler
    for key in ('dataset', 'split', 'weak_pipeline', 'unsup_pipeline'):
        assert mt.train_dataloader.dataset[key] == \
            hm.train_dataloader.dataset[key], key
    assert mt.train_dataloader.dataset.sup_pipeline[0].encoder == \
        fsl.model.head.decoder


@pytest.mark.slow
def test_mean_teacher_config_trains_with_the_hook(tiny_synthface, tmp_path):
    """tools/train.py: 4 iterations, burn-in 2, on tiny SynthFace-68; the
    unlabelled loss appears at the burn-in's end, as lambda_u does."""
    import json

    from tool_runner import run_tool, semi_data_opts, tiny_schedule
    cfg = osp.join(REPO, 'configs', '300w_afw_helen',
                   'mean-teacher-2d_afw-helen-5pct-64x64_cpu.py')
    ann = 'annotations/face_landmarks_300w_{}.json'
    proc = run_tool(
        ['tools/train.py', cfg, '--work-dir', str(tmp_path),
         '--cfg-options'] + semi_data_opts(tiny_synthface) +
        tiny_schedule(4, 4, burn_in=2) +
        ['train_dataloader.dataset.split.ratio=0.25',
         f'train_dataloader.dataset.dataset.ann_file={ann.format("train")}',
         f'val_dataloader.dataset.ann_file={ann.format("valid")}',
         f'test_dataloader.dataset.ann_file={ann.format("valid")}'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    (scalars, ) = [osp.join(r, f) for r, _, fs in os.walk(tmp_path)
                   for f in fs if f == 'scalars.json']
    with open(scalars) as f:
        logs = [json.loads(line) for line in f]
    train = {r['step']: r for r in logs if 'lambda_u' in r}
    assert [train[i]['lambda_u'] for i in (1, 2, 3, 4)] == [0, 0, 1, 1]
    assert 'unsup_loss_kpt' not in train[2] and 'unsup_loss_kpt' in train[3]
    # validated: the teacher (plain keys), then the student
    val = [r for r in logs if 'student/NME' in r][-1]
    # tools/test.py on the last checkpoint gives the final validation's
    # teacher figures (the same faces, the same model)
    out = tmp_path / 'metrics.json'
    proc = run_tool(
        ['tools/test.py', cfg, str(tmp_path / 'iter_4.pth'), '--work-dir',
         str(tmp_path / 'test'), '--out', str(out), '--cfg-options',
         f'test_dataloader.dataset.data_root={tiny_synthface}/',
         f'test_dataloader.dataset.ann_file={ann.format("valid")}',
         'test_dataloader.num_workers=0',
         'test_dataloader.persistent_workers=False'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert abs(json.loads(out.read_text())['NME'] - val['NME']) < 1e-4
