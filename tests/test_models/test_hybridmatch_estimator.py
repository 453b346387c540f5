"""HybridMatchEstimator: L = L_s + lambda_u * L_u on multi-branch batches,
frozen eval-mode teacher, pseudo-labels from the teacher only, gradient
routing, predict/tensor delegation, plain-checkpoint loading.

A tiny HRNet (the real backbone type, 1 block per stage, 4-32 channels) with
the stock FeatureMapProcessor neck and HybridMatchHead: 64x64 inputs, 16x16
heatmaps, 64 bins, K=5 keypoints, batches of 2."""
import copy

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner.checkpoint import load_checkpoint
from mmengine.structures import PixelData
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import hybridmatch_mmpose  # noqa: F401  (registers everything)

from tiny_models import CODEC, DETECTOR, FLIP, K, PREPROCESSOR  # noqa: E402

pytestmark = pytest.mark.usefixtures('one_thread')


def build(seed=0, detector=DETECTOR, **kwargs):
    """The estimator; the teacher is *not* a copy of the student (different
    random init), so teacher-vs-student mix-ups show."""
    torch.manual_seed(seed)
    cfg = dict(type='HybridMatchEstimator', detector=copy.deepcopy(detector),
               data_preprocessor=dict(type='mmdet.MultiBranchDataPreprocessor',
                                      data_preprocessor=PREPROCESSOR))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    # perturb every float entry so that BN buffers / biases are not trivial
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point() and t.dim() > 0:
                t.add_(torch.randn_like(t) * 0.05)
    model.train()
    return model


def sup_samples(n, seed=0):
    """Labelled samples packed by the stock GenerateTarget(HybridLabel) +
    PackPoseInputs, as the data pipeline makes them."""
    rng = np.random.default_rng(seed)
    gen, pack = GenerateTarget(encoder=CODEC), PackPoseInputs()
    out = []
    for i in range(n):
        results = dict(
            img=rng.integers(0, 255, (64, 64, 3), dtype=np.uint8),
            keypoints=rng.uniform(4, 60, (1, K, 2)).astype(np.float32),
            keypoints_visible=np.ones((1, K), np.float32),
            bbox=np.array([[0., 0., 64., 64.]], np.float32),
            bbox_score=np.ones(1, np.float32), flip_indices=FLIP,
            input_size=(64, 64), input_center=np.array([32., 32.]),
            input_scale=np.array([64., 64.]), id=1000 + i, img_id=1000 + i)
        out.append(pack(gen(results)))
    return out


def unsup_samples(n, ids=None):
    ids = list(range(n)) if ids is None else ids
    return [PoseDataSample(metainfo=dict(id=i, img_id=i, flip_indices=FLIP))
            for i in ids]


def batch(ns=2, nu=2, seed=0):
    """A preprocessed multi-branch batch (what ``loss`` receives)."""
    g = torch.Generator().manual_seed(seed)
    inputs = dict(sup=torch.randn(ns, 3, 64, 64, generator=g),
                  unsup_teacher=torch.randn(nu, 3, 64, 64, generator=g))
    inputs['unsup_student'] = (inputs['unsup_teacher'] +
                               0.3 * torch.randn(nu, 3, 64, 64, generator=g))
    samples = dict(sup=[p['data_samples'] for p in sup_samples(ns, seed)],
                   unsup_teacher=unsup_samples(nu),
                   unsup_student=unsup_samples(nu))
    return inputs, samples


def total(losses):
    return sum(v for k, v in losses.items() if 'loss' in k)


# --------------------------------------------------------------- teacher
def test_teacher_frozen_and_always_eval():
    model = build()
    assert all(not p.requires_grad for p in model.teacher.parameters())
    assert all(p.requires_grad for p in model.student.parameters())
    for mode in (True, False, True):
        model.train(mode)  # what runner.model.train() / .eval() do
        assert not any(m.training for m in model.teacher.modules())
        assert all(m.training == mode for m in model.student.modules())
    assert 'lambda_u_1d' in model.state_dict()
    assert float(model.lambda_u_1d) == 0.0


def test_config_validation():
    with pytest.raises(ValueError, match='freeze_teacher'):
        build(semi_train_cfg=dict(freeze_teacher=False))
    with pytest.raises(ValueError, match='pseudo_label'):
        build(semi_train_cfg=dict(pseudo_label='argmax'))
    with pytest.raises(ValueError, match='predict_on'):
        build(semi_test_cfg=dict(predict_on='ema'))
    with pytest.raises(ValueError, match='hard_label_position'):
        build(semi_train_cfg=dict(hard_label_position='nearest'))
    with pytest.raises(ValueError, match='burn_in_iters'):
        build(semi_train_cfg=dict(burn_in_iters=-1))


def test_misspelt_options_are_errors_naming_the_nearest():
    with pytest.raises(ValueError,
                       match=r'semi_train_cfg\.lamda_u.*semi_train_cfg'
                       r'\.lambda_u'):
        build(semi_train_cfg=dict(lamda_u=0.0))
    with pytest.raises(ValueError, match=r'semi_test_cfg\.predict_one'):
        build(semi_test_cfg=dict(predict_one='student'))


def test_zero_unlabelled_weight_skips_the_unlabelled_branches():
    """During the burn-in (or with lambda_u = 0) neither the teacher nor
    the student forwards the unlabelled views, so the loss is the
    supervised one exactly; a positive weight scales L_u linearly."""
    model = build()
    model.set_lambda_u_1d(0.05)
    inputs, samples = batch()

    def fail(*args, **kwargs):
        raise AssertionError('the teacher ran during the burn-in')

    model.set_lambda_u(0.0)
    forward, model.teacher._forward = model.teacher._forward, fail
    losses = model.loss(inputs, samples)
    model.teacher._forward = forward
    ref = model.student.loss(inputs['sup'], samples['sup'])
    assert set(losses) == {f'sup_{k}' for k in ref}
    for k, v in ref.items():
        torch.testing.assert_close(losses[f'sup_{k}'], v, rtol=0, atol=0)
    model.set_lambda_u(1.0)
    full = model.loss(inputs, samples)
    model.set_lambda_u(0.25)
    quarter = model.loss(inputs, samples)
    for k in ('unsup_loss_2d', 'unsup_loss_1d'):
        torch.testing.assert_close(quarter[k], 0.25 * full[k])


# ------------------------------------------------------------------ loss
def test_loss_terms_match_the_equations():
    """sup_* = student.loss on `sup`; unsup_* = lambda_u * (L_u^2D,
    lambda_u^1D * L_u^1D) against the teacher's hard pseudo-labels."""
    lambda_u, lam1d = 2.0, 0.03
    model = build(semi_train_cfg=dict(lambda_u=lambda_u))
    model.set_lambda_u_1d(lam1d)
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'sup_loss_2d', 'sup_loss_1d', 'sup_acc_pose',
                           'unsup_loss_2d', 'unsup_loss_1d', 'unsup_conf'}

    ref_sup = model.student.loss(inputs['sup'], samples['sup'])
    for k in ('loss_2d', 'loss_1d', 'acc_pose'):
        torch.testing.assert_close(losses[f'sup_{k}'], ref_sup[k],
                                   rtol=0, atol=0)

    with torch.no_grad():  # independent path: the teacher's raw outputs
        hm, x, y = model.teacher.head(model.teacher.extract_feat(
            inputs['unsup_teacher']))
    targets, conf = model.student.head.pseudo_labels((hm, x, y), hard=True)
    assert torch.equal(conf, hm.flatten(2).amax(-1).clamp(0, 1))
    out = model.student.head(model.student.extract_feat(
        inputs['unsup_student']))
    raw = model.student.head.loss_by_targets(out, targets, conf,
                                             loss_1d_weight=1.0)
    torch.testing.assert_close(losses['unsup_loss_2d'],
                               lambda_u * raw['loss_2d'])
    torch.testing.assert_close(losses['unsup_loss_1d'],
                               lambda_u * lam1d * raw['loss_1d'])
    torch.testing.assert_close(losses['unsup_conf'], conf.mean())
    assert not losses['unsup_conf'].requires_grad
    assert losses['unsup_loss_1d'] > 0 and losses['unsup_loss_2d'] > 0


def test_joint_student_forward_gives_the_same_losses_with_frozen_bn():
    """One student forward over cat(sup, strong) = two forwards, when
    BatchNorm uses its running statistics (in training mode it normalises
    the joint batch instead, which is the option's documented difference);
    gradients match too."""
    results = []
    for joint in (False, True):
        model = build(semi_train_cfg=dict(joint_student_forward=joint))
        model.set_lambda_u_1d(0.05)
        model.student.eval()  # BN: running statistics, batch-independent
        inputs, samples = batch(ns=3, nu=2)
        losses = model.loss(inputs, samples)
        total(losses).backward()
        grad = torch.cat([p.grad.flatten()
                          for p in model.student.parameters()])
        results.append((losses, grad))
    (sep, g_sep), (joint, g_joint) = results
    assert sep.keys() == joint.keys()
    for k in sep:
        torch.testing.assert_close(joint[k], sep[k], rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(g_joint, g_sep, rtol=1e-4, atol=1e-7)


def test_flip_averaged_teacher_pseudo_labels_are_its_flip_test_keypoints():
    """``teacher_flip_test``: the hard 1-D pseudo-labels sit where the
    teacher's own flip-test prediction puts each keypoint (decoded by the
    codec; ``HeatmapHead``-style flip back with the teacher's test_cfg);
    without it they differ."""
    inputs, samples = batch(ns=0, nu=3)
    weak = inputs['unsup_teacher']
    keypoints = {}
    for flip in (True, False):
        model = build(semi_train_cfg=dict(teacher_flip_test=flip))
        (_, tx, ty), _ = model.pseudo_labels(weak, samples['unsup_teacher'])
        keypoints[flip] = model.student.head.decoder.decode_simcc(
            tx.numpy(), ty.numpy())[0]
    teacher = model.teacher
    assert teacher.test_cfg['flip_test']
    with torch.no_grad():
        feats = [teacher.extract_feat(weak),
                 teacher.extract_feat(weak.flip(-1))]
        preds = teacher.head.predict(feats, samples['unsup_teacher'],
                                     test_cfg=teacher.test_cfg)
    ref = np.stack([p.keypoints[0] for p in preds])
    np.testing.assert_allclose(keypoints[True], ref, atol=1e-3)
    assert np.abs(keypoints[False] - ref).max() > 0.1
    with pytest.raises(ValueError, match='flip_indices'):
        build(semi_train_cfg=dict(teacher_flip_test=True)).pseudo_labels(
            weak, [PoseDataSample(metainfo=dict(id=i)) for i in range(3)])


def test_soft_pseudo_labels():
    model = build(semi_train_cfg=dict(pseudo_label='soft'))
    model.set_lambda_u_1d(0.05)
    inputs, samples = batch(ns=0)
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        hm, x, y = model.teacher._forward(inputs['unsup_teacher'])
    out = model.student._forward(inputs['unsup_student'])
    ref = model.student.head.loss_by_targets(
        out, (hm, x, y), hm.flatten(2).amax(-1).clamp(0, 1),
        loss_1d_weight=0.05)
    torch.testing.assert_close(losses['unsup_loss_2d'], ref['loss_2d'])
    torch.testing.assert_close(losses['unsup_loss_1d'], ref['loss_1d'])


def test_unlabelled_ground_truth_never_reaches_a_loss():
    """Garbage ground truth on unlabelled samples changes nothing, bit for
    bit: only the teacher's outputs make the unsupervised targets."""
    model = build()
    model.set_lambda_u_1d(0.05)
    inputs, samples = batch()
    clean = model.loss(inputs, samples)

    dirty = copy.deepcopy(samples)
    garbage = sup_samples(4, seed=7)
    for i, s in enumerate(dirty['unsup_teacher'] + dirty['unsup_student']):
        g = garbage[i]['data_samples']
        s.gt_instances = g.gt_instances
        s.gt_instance_labels = g.gt_instance_labels
        s.gt_fields = PixelData(heatmaps=g.gt_fields.heatmaps * 1e3 + 5)
        s.gt_instance_labels.keypoint_weights.fill_(7.)
    noisy = model.loss(inputs, dirty)
    assert clean.keys() == noisy.keys()
    for k in clean:
        assert torch.equal(clean[k], noisy[k]), k


def test_pairing_is_checked():
    model = build()
    inputs, samples = batch()
    samples['unsup_student'] = unsup_samples(2, ids=[1, 0])
    with pytest.raises(ValueError, match='not paired'):
        model.loss(inputs, samples)
    samples['unsup_student'] = [PoseDataSample() for _ in range(2)]
    with pytest.raises(ValueError, match='`id`'):
        model.loss(inputs, samples)
    inputs2, samples2 = batch()
    inputs2['unsup_student'] = inputs2['unsup_student'][:1]
    samples2['unsup_student'] = samples2['unsup_student'][:1]
    with pytest.raises(ValueError, match='same shape'):
        model.loss(inputs2, samples2)


def test_batches_without_one_branch():
    model = build()
    inputs, samples = batch(ns=2, nu=2)
    # no unlabelled samples: branch missing, or empty
    only_sup = model.loss(dict(sup=inputs['sup']), dict(sup=samples['sup']))
    assert set(only_sup) == {'sup_loss_2d', 'sup_loss_1d', 'sup_acc_pose'}
    empty = dict(inputs, unsup_teacher=inputs['sup'][:0],
                 unsup_student=inputs['sup'][:0])
    empty_samples = dict(samples, unsup_teacher=[], unsup_student=[])
    assert model.loss(empty, empty_samples).keys() == only_sup.keys()
    total(only_sup).backward()
    # no labelled samples
    only_unsup = model.loss(
        {k: v for k, v in inputs.items() if k != 'sup'},
        {k: v for k, v in samples.items() if k != 'sup'})
    assert set(only_unsup) == {'unsup_loss_2d', 'unsup_loss_1d',
                               'unsup_conf'}
    total(only_unsup).backward()
    with pytest.raises(ValueError, match='empty training batch'):
        model.loss(dict(sup=inputs['sup'][:0]), dict(sup=[]))
    with pytest.raises(ValueError, match='both present'):
        model.loss(dict(unsup_teacher=inputs['unsup_teacher']),
                   dict(unsup_teacher=samples['unsup_teacher']))


# -------------------------------------------------------------- gradients
def grads(module):
    return [p.grad for p in module.parameters()]


def test_1d_regressor_gets_grad_only_from_1d_losses():
    """lambda_u^1D = 0 and lambda_s^1D = 0: the 1-D regressor's gradient is
    zero, while the 2-D layers and the backbone learn; the teacher gets no
    gradient at all."""
    det = copy.deepcopy(DETECTOR)
    det['head']['loss_1d_weight'] = 0.0
    model = build(detector=det)
    model.set_lambda_u_1d(0.0)
    inputs, samples = batch()
    total(model.loss(inputs, samples)).backward()
    for g in grads(model.student.head.regressor_1d):
        assert g is None or torch.count_nonzero(g) == 0
    assert torch.count_nonzero(model.student.head.final_layer.weight.grad)
    assert torch.count_nonzero(model.student.backbone.conv1.weight.grad)
    assert all(g is None for g in grads(model.teacher))

    # and lambda_u^1D > 0 alone (no labelled data) does reach it
    model.zero_grad()
    model.set_lambda_u_1d(0.05)
    total(model.loss({k: v for k, v in inputs.items() if k != 'sup'},
                     {k: v for k, v in samples.items() if k != 'sup'}
                     )).backward()
    assert torch.count_nonzero(
        model.student.head.regressor_1d.mlp_head_x.weight.grad)


def test_train_step_through_multi_branch_preprocessor():
    """Raw collated batch -> mmdet.MultiBranchDataPreprocessor -> loss ->
    optimiser step: the student changes, the teacher does not."""
    model = build()
    model.set_lambda_u_1d(0.05)
    packed = sup_samples(2)
    rng = np.random.default_rng(3)
    img = [torch.from_numpy(rng.integers(0, 255, (3, 64, 64), np.uint8))
           for _ in range(2)]
    data = dict(
        inputs=dict(sup=[p['inputs'] for p in packed] + [None, None],
                    unsup_teacher=[None, None] + img,
                    unsup_student=[None, None] + [255 - i for i in img]),
        data_samples=dict(
            sup=[p['data_samples'] for p in packed] + [None, None],
            unsup_teacher=[None, None] + unsup_samples(2),
            unsup_student=[None, None] + unsup_samples(2)))
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    teacher0 = copy.deepcopy(model.teacher.state_dict())
    student0 = copy.deepcopy(model.student.state_dict())
    log_vars = model.train_step(data, optim)
    assert {'loss', 'sup_loss_2d', 'sup_loss_1d', 'sup_acc_pose',
            'unsup_loss_2d', 'unsup_loss_1d', 'unsup_conf'} <= set(log_vars)
    torch.testing.assert_close(
        log_vars['loss'],
        sum(log_vars[k] for k in log_vars if 'loss' in k and k != 'loss'))
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, teacher0[k]), k
    assert not torch.equal(model.student.head.final_layer.weight,
                           student0['head.final_layer.weight'])


# ------------------------------------------------------- predict / tensor
def test_predict_and_tensor_delegate_to_teacher_or_student():
    model = build()
    model.eval()
    packed = sup_samples(2)
    data = dict(inputs=[p['inputs'] for p in packed],
                data_samples=[p['data_samples'] for p in packed])
    preds = model.val_step(copy.deepcopy(data))  # plain MMPose batch
    assert len(preds) == 2
    kpts = preds[0].pred_instances.keypoints
    assert kpts.shape == (1, K, 2)

    proc = model.data_preprocessor(copy.deepcopy(data), False)
    ref_t = model.teacher.predict(proc['inputs'], proc['data_samples'])
    np.testing.assert_array_equal(kpts, ref_t[0].pred_instances.keypoints)
    x = proc['inputs']
    for got, ref in zip(model._forward(x), model.teacher._forward(x)):
        assert torch.equal(got, ref)
    for got, ref in zip(model.extract_feat(x), model.teacher.extract_feat(x)):
        assert torch.equal(got, ref)
    assert not torch.equal(model._forward(x)[0], model.student._forward(x)[0])

    model.semi_test_cfg.predict_on = 'student'
    model.semi_test_cfg.forward_on = 'student'
    preds_s = model.val_step(copy.deepcopy(data))
    ref_s = model.student.predict(proc['inputs'], proc['data_samples'])
    np.testing.assert_array_equal(preds_s[0].pred_instances.keypoints,
                                  ref_s[0].pred_instances.keypoints)
    assert torch.equal(model(x, mode='tensor')[0],
                       model.student._forward(x)[0])


# ------------------------------------------------------------ checkpoints
def test_plain_checkpoint_loads_into_student_and_teacher(tmp_path):
    torch.manual_seed(42)
    plain = MODELS.build(copy.deepcopy(DETECTOR))
    with torch.no_grad():
        for t in plain.state_dict().values():
            if t.is_floating_point():
                t.add_(torch.randn_like(t))
    sd = plain.state_dict()
    assert all(k.startswith(('backbone.', 'head.')) for k in sd)

    model = build()
    model.set_lambda_u_1d(0.02)
    path = tmp_path / 'plain.pth'
    torch.save(dict(state_dict=dict(sd, **{
        'data_preprocessor.mean': torch.zeros(3, 1, 1)})), path)
    load_checkpoint(model, str(path), strict=True)  # mmengine's loader
    for name in ('student', 'teacher'):
        got = getattr(model, name).state_dict()
        assert got.keys() == sd.keys()
        for k, v in sd.items():
            assert torch.equal(got[k], v), (name, k)
    assert float(model.lambda_u_1d) == 0.02
    assert not model.teacher_loaded

    # torch's own load_state_dict takes the same path
    model2 = build(seed=1)
    result = model2.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert torch.equal(model2.teacher.head.final_layer.weight,
                       sd['head.final_layer.weight'])
    model3 = build(seed=2)
    model3.load_plain_checkpoint(sd)
    assert torch.equal(model3.student.backbone.conv1.weight,
                       sd['backbone.conv1.weight'])


def test_own_checkpoint_round_trip():
    model = build(seed=3)
    model.set_lambda_u_1d(0.0123)
    fresh = build(seed=4)
    fresh.load_state_dict(model.state_dict(), strict=True)
    for k, v in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[k], v), k
    assert fresh.lambda_u_1d.dtype == torch.float64
    assert float(fresh.lambda_u_1d) == 0.0123
    assert fresh.teacher_loaded
