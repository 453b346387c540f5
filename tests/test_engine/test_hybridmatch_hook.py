"""HybridMatchHook: EMA teacher (BatchNorm buffers included), the
lambda_u^1D ramp of Eq. 6, and exact state across checkpoint / --resume.

Unit tests drive the hook with a fake runner (SimpleNamespace); the last
test runs a real mmengine Runner (tiny HRNet, 64x64, 4 iterations, mixed
labelled/unlabelled batches through mmdet.MultiBranchDataPreprocessor, val
with MMPose's stock NME metric) and resumes it from iteration 2."""
import copy
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.logging import MessageHub
from mmengine.runner import Runner
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs
from mmpose.registry import HOOKS, MODELS
from mmpose.structures import PoseDataSample
from torch.utils.data import Dataset

import hybridmatch_mmpose  # noqa: F401
from hybridmatch_mmpose.engine.hooks import (HybridMatchHook, ema_update,
                                             lambda_u_1d_at, lambda_u_at)

from tiny_models import CODEC, FLIP, K, MODEL  # noqa: E402

pytestmark = pytest.mark.usefixtures('one_thread')


def build(seed=0, **semi_train_cfg):
    torch.manual_seed(seed)
    cfg = copy.deepcopy(MODEL)
    cfg['semi_train_cfg'].update(semi_train_cfg)
    model = MODELS.build(cfg)
    with torch.no_grad():  # non-trivial weights and BN statistics
        for t in model.state_dict().values():
            if t.is_floating_point() and t.dim() > 0:
                t.add_(torch.randn_like(t) * 0.1)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_var.abs_().add_(0.1)
                m.num_batches_tracked.fill_(int(torch.randint(0, 99, ())))
    model.train()
    return model


_hub_count = [0]


def fake_runner(model, it=0, max_iters=1000):
    _hub_count[0] += 1
    hub = MessageHub.get_instance(f'test_hybridmatch_hook_{_hub_count[0]}')
    return SimpleNamespace(model=model, iter=it, max_iters=max_iters,
                           message_hub=hub)


# ---------------------------------------------------------------- Eq. 6
def test_ramp_values():
    lam, I = 0.05, 1000  # K = 0.1 * I = 100
    assert lambda_u_1d_at(0, I, lam, 0.1) == 0.0
    assert lambda_u_1d_at(50, I, lam, 0.1) == pytest.approx(lam / 2)
    assert lambda_u_1d_at(99, I, lam, 0.1) == pytest.approx(0.99 * lam)
    assert lambda_u_1d_at(100, I, lam, 0.1) == lam
    assert lambda_u_1d_at(101, I, lam, 0.1) == lam
    assert lambda_u_1d_at(999, I, lam, 0.1) == lam
    assert lambda_u_1d_at(0, I, lam, 0.0) == lam  # no ramp
    with pytest.raises(ValueError):
        lambda_u_1d_at(-1, I, lam, 0.1)


def test_hook_sets_and_logs_lambda_before_each_iteration():
    model = build()
    hook = HOOKS.build(dict(type='HybridMatchHook'))
    runner = fake_runner(model, max_iters=1000)  # K = 100
    for it, expected in ((0, 0.0), (50, 0.025), (100, 0.05), (700, 0.05)):
        runner.iter = it
        hook.before_train_iter(runner, batch_idx=it)
        assert float(model.lambda_u_1d) == pytest.approx(expected, abs=1e-15)
        assert runner.message_hub.get_scalar(
            'train/lambda_u_1d').current() == pytest.approx(expected)
    # hook arguments override the model's semi_train_cfg
    hook = HybridMatchHook(lambda_1d=0.2, ramp_fraction=0.5)
    runner.iter = 250  # K = 500
    hook.before_train_iter(runner, batch_idx=0)
    assert float(model.lambda_u_1d) == pytest.approx(0.1)


def test_lambda_u_burn_in_and_ramp_values():
    assert lambda_u_at(0, 2.0) == 2.0  # the paper: lambda_u from the start
    assert lambda_u_at(99, 2.0, burn_in_iters=100) == 0.0
    assert lambda_u_at(100, 2.0, burn_in_iters=100) == 2.0
    assert lambda_u_at(100, 2.0, 100, ramp_iters=4) == pytest.approx(0.5)
    assert lambda_u_at(102, 2.0, 100, ramp_iters=4) == pytest.approx(1.5)
    assert lambda_u_at(103, 2.0, 100, ramp_iters=4) == 2.0
    assert lambda_u_at(500, 2.0, 100, ramp_iters=4) == 2.0


def test_burn_in_zero_weight_then_teacher_copied_and_ramp_shifted():
    """Before iteration B the unlabelled weight is 0; before iteration B
    the teacher becomes an exact copy of the student (not before), and
    Eq. 6's ramp counts from B."""
    model = build(burn_in_iters=300, lambda_u=1.5)
    hook = HOOKS.build(dict(type='HybridMatchHook'))
    runner = fake_runner(model, max_iters=1000)  # K = 100
    hook.before_train(runner)  # fresh start: teacher := student
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(1.0)  # the burn-in trains the student
    for it in (0, 150, 299):
        runner.iter = it
        hook.before_train_iter(runner, batch_idx=it)
        assert model.lambda_u == 0.0 and float(model.lambda_u_1d) == 0.0
        assert runner.message_hub.get_scalar(
            'train/lambda_u').current() == 0.0
    s_sd, t_sd = model.student.state_dict(), model.teacher.state_dict()
    assert not all(torch.equal(t_sd[k], v) for k, v in s_sd.items())
    runner.iter = 300
    hook.before_train_iter(runner, batch_idx=300)
    assert model.lambda_u == 1.5 and float(model.lambda_u_1d) == 0.0
    s_sd, t_sd = model.student.state_dict(), model.teacher.state_dict()
    assert all(torch.equal(t_sd[k], v) for k, v in s_sd.items())
    runner.iter = 350
    hook.before_train_iter(runner, batch_idx=350)
    assert float(model.lambda_u_1d) == pytest.approx(0.025)  # 50 / 100
    runner.iter = 400
    hook.before_train_iter(runner, batch_idx=400)
    assert float(model.lambda_u_1d) == pytest.approx(0.05)


# ------------------------------------------------------------------ EMA
def test_ema_matches_formula_on_a_parameter_and_bn_buffers():
    m = 0.3
    model = build()
    s, t = model.student.backbone, model.teacher.backbone
    # independent copies before the update
    w_s, w_t = s.conv1.weight.detach().clone(), t.conv1.weight.detach().clone()
    mean_s, mean_t = s.bn1.running_mean.clone(), t.bn1.running_mean.clone()
    var_s, var_t = s.bn1.running_var.clone(), t.bn1.running_var.clone()
    nbt_s = s.bn1.num_batches_tracked.clone()
    assert not torch.equal(w_s, w_t) and not torch.equal(mean_s, mean_t)
    assert s.bn1.num_batches_tracked != t.bn1.num_batches_tracked

    hook = HybridMatchHook(momentum=m)
    hook.after_train_iter(fake_runner(model), batch_idx=0)
    torch.testing.assert_close(t.conv1.weight, (1 - m) * w_t + m * w_s)
    torch.testing.assert_close(t.bn1.running_mean, (1 - m) * mean_t +
                               m * mean_s)
    torch.testing.assert_close(t.bn1.running_var, (1 - m) * var_t + m * var_s)
    assert torch.equal(t.bn1.num_batches_tracked, nbt_s)
    assert not t.conv1.weight.requires_grad  # still frozen
    # the student is untouched
    assert torch.equal(s.conv1.weight, w_s)
    assert torch.equal(s.bn1.running_mean, mean_s)


def test_ema_buffers_copy_option_and_interval():
    model = build()
    s, t = model.student.backbone, model.teacher.backbone
    w_t = t.conv1.weight.detach().clone()
    hook = HybridMatchHook(momentum=0.5, interval=2, buffers='copy')
    runner = fake_runner(model, it=0)
    hook.after_train_iter(runner, batch_idx=0)  # (0 + 1) % 2 != 0: skip
    assert torch.equal(t.conv1.weight, w_t)
    runner.iter = 1
    hook.after_train_iter(runner, batch_idx=1)
    torch.testing.assert_close(t.conv1.weight,
                               0.5 * w_t + 0.5 * s.conv1.weight)
    assert torch.equal(t.bn1.running_mean, s.bn1.running_mean)
    assert torch.equal(t.bn1.running_var, s.bn1.running_var)
    with pytest.raises(ValueError):
        HybridMatchHook(momentum=0)
    with pytest.raises(ValueError):
        HybridMatchHook(buffers='skip')


def test_before_train_copies_student_once_unless_resumed():
    # fresh start: teacher := student, every entry, exactly
    model = build()
    HybridMatchHook().before_train(fake_runner(model, it=0))
    s_sd, t_sd = model.student.state_dict(), model.teacher.state_dict()
    assert all(torch.equal(t_sd[k], v) for k, v in s_sd.items())

    # resumed (runner.iter > 0): teacher kept
    model = build()
    t0 = copy.deepcopy(model.teacher.state_dict())
    HybridMatchHook().before_train(fake_runner(model, it=5))
    assert all(torch.equal(model.teacher.state_dict()[k], v)
               for k, v in t0.items())

    # iteration 0 but a checkpoint with teacher.* was loaded: kept too
    src = build(seed=1)
    model = build(seed=2)
    model.load_state_dict(src.state_dict())
    assert model.teacher_loaded
    HybridMatchHook().before_train(fake_runner(model, it=0))
    assert torch.equal(model.teacher.backbone.conv1.weight,
                       src.teacher.backbone.conv1.weight)
    assert not torch.equal(model.teacher.backbone.conv1.weight,
                           model.student.backbone.conv1.weight)


def test_wrapped_model_is_unwrapped():
    model = build()
    wrapped = torch.nn.DataParallel(model)  # a registered model wrapper
    runner = fake_runner(wrapped, it=0)
    hook = HybridMatchHook(momentum=0.5)
    hook.before_train(runner)
    assert torch.equal(model.teacher.head.final_layer.weight,
                       model.student.head.final_layer.weight)
    runner.iter = 200
    hook.before_train_iter(runner, batch_idx=0)
    assert float(model.lambda_u_1d) == 0.05


def test_ema_pairs_built_once_follow_the_student_over_iterations():
    """The hook builds the tensor pairs in before_train and reuses them:
    after in-place changes of the student (as optimiser steps and BN
    updates make), three updates equal the formula applied entry by entry
    to independent copies."""
    m = 0.25
    model = build()
    hook = HybridMatchHook(momentum=m)
    runner = fake_runner(model, it=0)
    hook.before_train(runner)  # teacher := student, pairs built
    expected = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    for it in range(3):
        with torch.no_grad():
            for p in model.student.parameters():
                p.add_(torch.randn_like(p))
            for name, b in model.student.named_buffers():
                b.add_(1 if not b.is_floating_point() else torch.rand_like(b))
        student = model.student.state_dict()
        for k, v in expected.items():
            expected[k] = (1 - m) * v + m * student[k] \
                if v.is_floating_point() else student[k].clone()
        runner.iter = it
        hook.after_train_iter(runner, batch_idx=it)
    for k, v in model.teacher.state_dict().items():
        torch.testing.assert_close(v, expected[k], msg=k)


def test_ema_update_rejects_mismatched_models():
    a = torch.nn.Sequential(torch.nn.Linear(2, 2))
    b = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(),
                            torch.nn.Linear(2, 2))
    with pytest.raises(KeyError):
        ema_update(a, b, 0.5)


# ----------------------------------------------------------- resume state
def test_state_survives_checkpoint_round_trip():
    """Simulated resume at iteration j: the fresh estimator gets the same
    teacher (parameters and BN buffers) and lambda, and the hook recomputes
    the same lambda from runner.iter."""
    j, I = 37, 1000
    model = build(seed=0)
    hook = HybridMatchHook(momentum=0.2)
    runner = fake_runner(model, it=0, max_iters=I)
    hook.before_train(runner)
    for it in range(j):  # a few "iterations" with a moving student
        runner.iter = it
        hook.before_train_iter(runner, batch_idx=it)
        with torch.no_grad():
            for p in model.student.parameters():
                p.add_(0.01)
            model.student.backbone.bn1.running_mean.add_(0.1)
        hook.after_train_iter(runner, batch_idx=it)
    runner.iter = j
    hook.before_train_iter(runner, batch_idx=j)
    saved = copy.deepcopy(model.state_dict())

    fresh = build(seed=9)
    fresh.load_state_dict(saved, strict=True)
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(fresh.teacher.state_dict()[k], v), k
    assert torch.equal(fresh.lambda_u_1d, model.lambda_u_1d)
    assert float(fresh.lambda_u_1d) == lambda_u_1d_at(j, I, 0.05, 0.1)
    fresh.train()
    assert not any(m.training for m in fresh.teacher.modules())
    resumed = fake_runner(fresh, it=j, max_iters=I)
    hook2 = HybridMatchHook(momentum=0.2)
    hook2.before_train(resumed)  # resumed: no copy
    hook2.before_train_iter(resumed, batch_idx=0)
    assert torch.equal(fresh.lambda_u_1d, model.lambda_u_1d)
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(fresh.teacher.state_dict()[k], v), k


# --------------------------------------------------- a real mmengine Runner
def _labelled(i):
    rng = np.random.default_rng(i)
    results = dict(
        img=rng.integers(0, 255, (64, 64, 3), dtype=np.uint8),
        keypoints=rng.uniform(8, 56, (1, K, 2)).astype(np.float32),
        keypoints_visible=np.ones((1, K), np.float32),
        bbox=np.array([[0., 0., 64., 64.]], np.float32),
        bbox_score=np.ones(1, np.float32), flip_indices=FLIP,
        input_size=(64, 64), input_center=np.array([32., 32.]),
        input_scale=np.array([64., 64.]), id=i, img_id=i)
    return PackPoseInputs()(GenerateTarget(encoder=CODEC)(results))


class ToySemiDataset(Dataset):
    """Items in MMDetection's MultiBranch format: even indices labelled
    (branch ``sup``), odd ones unlabelled (weak and strong views, no
    ground truth)."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        inputs = dict(sup=None, unsup_teacher=None, unsup_student=None)
        samples = dict(inputs)
        if i % 2 == 0:
            packed = _labelled(i)
            inputs['sup'], samples['sup'] = (packed['inputs'],
                                             packed['data_samples'])
        else:
            g = torch.Generator().manual_seed(i)
            weak = torch.randint(0, 255, (3, 64, 64), generator=g,
                                 dtype=torch.uint8)
            inputs['unsup_teacher'] = weak
            inputs['unsup_student'] = 255 - weak  # photometric-only change
            for b in ('unsup_teacher', 'unsup_student'):
                samples[b] = PoseDataSample(metainfo=dict(
                    id=i, img_id=i, flip_indices=FLIP))
        return dict(inputs=inputs, data_samples=samples)


class ToyValDataset(Dataset):
    metainfo = dict(dataset_name='toy', num_keypoints=K, flip_indices=FLIP)

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return _labelled(100 + i)


class TeacherModeProbe(Hook):
    """Records whether any teacher module is in train mode around every
    training iteration (the loop calls runner.model.train() each time)."""

    def __init__(self):
        self.teacher_training = []
        self.lambdas = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        teacher = runner.model.teacher
        self.teacher_training.append(
            any(m.training for m in teacher.modules()))
        self.lambdas.append(float(runner.model.lambda_u_1d))


def make_runner(work_dir, name, resume_from=None):
    probe = TeacherModeProbe()
    runner = Runner(
        model=copy.deepcopy(MODEL) | dict(
            semi_train_cfg=dict(MODEL['semi_train_cfg'], ramp_fraction=0.5)),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=dict(
            dataset=ToySemiDataset(), batch_size=4, num_workers=0,
            sampler=dict(type='InfiniteSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(by_epoch=False, max_iters=4, val_interval=4),
        val_dataloader=dict(
            dataset=ToyValDataset(), batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate')),
        val_cfg=dict(),
        val_evaluator=dict(type='NME', norm_mode='use_norm_item',
                           norm_item='bbox_size'),
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-3)),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', by_epoch=False,
                            interval=2),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='HybridMatchHook', momentum=0.2), probe],
        log_processor=dict(by_epoch=False),
        default_scope='mmpose',
        randomness=dict(seed=0),
        log_level='WARNING',
        load_from=resume_from,
        resume=resume_from is not None)
    return runner, probe


def test_runner_train_val_checkpoint_resume_is_exact(tmp_path):
    runner, probe = make_runner(tmp_path / 'a', 'run_a')
    runner.train()
    # teacher never in train mode although the loop calls model.train()
    assert probe.teacher_training == [False] * 4
    # Eq. 6 with K = 0.5 * 4 = 2: iterations 0..3
    assert probe.lambdas == pytest.approx([0.0, 0.025, 0.05, 0.05])
    hist = runner.message_hub.get_scalar('train/lambda_u_1d').data[0]
    assert hist.tolist() == pytest.approx([0.0, 0.025, 0.05, 0.05])
    for key in ('train/sup_loss_2d', 'train/unsup_loss_1d',
                'train/unsup_conf', 'train/sup_acc_pose'):
        assert key in runner.message_hub.log_scalars, key
    assert 'val/NME' in runner.message_hub.log_scalars  # stock metric ran
    final = copy.deepcopy(runner.model.state_dict())
    student_moved = not torch.equal(
        final['student.head.final_layer.weight'],
        final['teacher.head.final_layer.weight'])
    assert student_moved

    ckpt = tmp_path / 'a' / 'iter_2.pth'
    assert ckpt.exists()
    saved = torch.load(ckpt, map_location='cpu', weights_only=True)
    assert {k.split('.')[0] for k in saved['state_dict']} == {
        'student', 'teacher', 'lambda_u_1d'}
    # the buffer saved at iteration 2 holds the lambda iteration 1 used
    assert float(saved['state_dict']['lambda_u_1d']) == pytest.approx(0.025)

    runner_b, probe_b = make_runner(tmp_path / 'b', 'run_b',
                                    resume_from=str(ckpt))
    runner_b.train()
    assert probe_b.lambdas == pytest.approx([0.05, 0.05])  # iterations 2, 3
    assert probe_b.teacher_training == [False] * 2
    resumed = runner_b.model.state_dict()
    for k, v in final.items():
        assert torch.equal(resumed[k], v), k
