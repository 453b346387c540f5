"""HybridMatchHead: shapes, parameter budget, gradient flow (III-C), losses,
pseudo-labels and predict/flip test. Small maps: K=5, 16x16 heatmaps, 64
bins (64x64 input)."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.codecs.utils.gaussian_heatmap import generate_gaussian_heatmaps
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import hybridmatch_mmpose  # noqa: F401  (registers head, loss, codec)
from hybridmatch_mmpose.models.heads import HybridMatchHead
from hybridmatch_mmpose.models.utils import hard_heatmap_labels

K, N, C = 5, 2, 8
FLIP = [1, 0, 2, 4, 3]
CODEC = dict(type='HybridLabel', input_size=(64, 64), heatmap_size=(16, 16),
             sigma=1.5, simcc_split_ratio=1.0)


pytestmark = pytest.mark.usefixtures('one_thread')


def make_head(**kwargs):
    torch.manual_seed(0)
    head = MODELS.build(dict(type='HybridMatchHead', in_channels=C,
                             out_channels=K, decoder=CODEC, **kwargs))
    head.init_weights()
    return head


def feats(seed=0, n=N):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, C, 16, 16, generator=g), )


def packed_samples(n=N, seed=0, lo=4, hi=60, codec=CODEC):
    """Samples packed by the stock GenerateTarget(HybridLabel) +
    PackPoseInputs, as in training."""
    rng = np.random.default_rng(seed)
    gen, pack = GenerateTarget(encoder=codec), PackPoseInputs()
    samples = []
    for i in range(n):
        results = dict(
            img=np.zeros((64, 64, 3), np.uint8),
            keypoints=rng.uniform(lo, hi, (1, K, 2)).astype(np.float32),
            keypoints_visible=np.ones((1, K), np.float32),
            bbox=np.array([[0., 0., 64., 64.]], np.float32),
            bbox_score=np.ones(1, np.float32),
            flip_indices=FLIP)
        if i == 0:
            results['keypoints_visible'][0, 3] = 0.  # one unlabelled point
        samples.append(pack(gen(results))['data_samples'])
    return samples


def test_forward_shapes():
    hm, x, y = make_head()(feats())
    assert hm.shape == (N, K, 16, 16)
    assert x.shape == (N, K, 64) and y.shape == (N, K, 64)


def test_forward_rejects_wrong_map_size():
    with pytest.raises(ValueError, match='heatmap_size'):
        make_head()((torch.zeros(1, C, 8, 8), ))


def test_parameter_budget_hrnetv2_w18():
    import mmpose
    cfg = Config.fromfile(osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', 'face_2d_keypoint',
        'topdown_heatmap', '300w',
        'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py'))
    cfg.model.backbone.init_cfg = None
    backbone = MODELS.build(cfg.model.backbone)
    neck = MODELS.build(cfg.model.neck)
    head = MODELS.build(dict(type='HybridMatchHead', in_channels=270,
                             out_channels=68,
                             decoder=dict(type='HybridLabel')))
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    n_bb, n_head = count(backbone) + count(neck), count(head)
    n_1d = count(head.regressor_1d)
    print(f'\nparameters: backbone+neck {n_bb:,}, head {n_head:,} '
          f'(2-D {n_head - n_1d:,}, 1-D {n_1d:,}), total {n_bb + n_head:,}')
    assert n_head - n_1d == 92138  # == the stock 300-W HeatmapHead
    assert head.simcc_size == (256, 256)
    assert n_bb + n_head <= 11.3e6


def _grads(module):
    return [p.grad for p in module.parameters()]


def _backward(head, which, detach=False):
    f = feats()[0].requires_grad_(True)
    hm, x, y = head((f, ))
    if which == '2d':
        loss = hm.pow(2).sum()
    else:
        loss = x.pow(2).sum() + y.pow(2).sum()
    loss.backward()
    return f


def test_2d_loss_never_reaches_1d_regressor():
    head = make_head()
    _backward(head, '2d')
    assert all(g is None or torch.all(g == 0)
               for g in _grads(head.regressor_1d))
    assert all(g is not None and g.abs().sum() > 0
               for g in _grads(head.final_layer))


@pytest.mark.parametrize('detach', [False, True])
def test_1d_loss_reaches_2d_layers_unless_detached(detach):
    head = make_head(detach_heatmap_for_1d=detach)
    f = _backward(head, '1d')
    assert all(g is not None and g.abs().sum() > 0
               for g in _grads(head.regressor_1d))
    grads_2d = _grads(head.conv_layers) + _grads(head.final_layer)
    if detach:
        assert all(g is None for g in grads_2d) and f.grad is None
    else:
        assert all(g is not None and g.abs().sum() > 0 for g in grads_2d)
        assert f.grad is not None and f.grad.abs().sum() > 0  # backbone


def test_loss_on_packed_samples_matches_hand_computation():
    head = make_head()
    samples = packed_samples()
    assert samples[0].gt_fields.heatmaps.shape == (K, 16, 16)
    fs = feats()
    losses = head.loss(fs, samples, train_cfg={})
    assert set(losses) == {'loss_2d', 'loss_1d', 'acc_pose'}
    assert all(torch.isfinite(v) for v in losses.values())

    # independent: Eq. 4 written out with the packed targets
    hm, x, y = head(fs)
    w = torch.cat([s.gt_instance_labels.keypoint_weights for s in samples])
    assert w[0, 3] == 0 and w.sum() == N * K - 1
    gt_hm = torch.stack([s.gt_fields.heatmaps for s in samples])
    gt_x = torch.cat([s.gt_instance_labels.keypoint_x_labels
                      for s in samples])
    gt_y = torch.cat([s.gt_instance_labels.keypoint_y_labels
                      for s in samples])
    l2d = ((hm - gt_hm)**2 * w[..., None, None]).mean()
    l1d = (w * (((x - gt_x)**2).mean(-1) + ((y - gt_y)**2).mean(-1))).mean()
    torch.testing.assert_close(losses['loss_2d'], l2d)
    torch.testing.assert_close(losses['loss_1d'], 0.05 * l1d)
    (losses['loss_2d'] + losses['loss_1d']).backward()


def test_unlabelled_loss_with_pseudo_labels():
    head = make_head()
    teacher_out = tuple(t.detach() for t in head(feats(seed=1)))
    (hm_t, x_t, y_t), conf = head.pseudo_labels(teacher_out, subpixel=False)
    assert not any(t.requires_grad for t in (hm_t, x_t, y_t, conf))
    # 2-D: MMPose's renderer at the teacher's argmax; A_conf = the peak
    hm0 = teacher_out[0][0, 2]
    iy, ix = divmod(int(hm0.argmax()), 16)
    ref, _ = generate_gaussian_heatmaps(
        (16, 16), np.array([[[ix, iy]]], np.float32), np.ones((1, 1)), 1.5)
    np.testing.assert_allclose(hm_t[0, 2].numpy(), ref[0], atol=1e-6)
    torch.testing.assert_close(conf, teacher_out[0].flatten(2).amax(-1)
                               .clamp(0, 1))
    # 1-D: peak-1 Gaussian (HybridLabel normalize=False), sigma 1.5*4 bins
    i = int(teacher_out[1][1, 4].argmax())
    ref_x = np.exp(-(np.arange(64) - i)**2 / (2 * 6.0**2))
    np.testing.assert_allclose(x_t[1, 4].numpy(), ref_x, atol=1e-6)
    # sub-pixel (the default): the 1-D label is centred where the codec's
    # decoding puts the keypoint; the biased 2-D renderer of this codec
    # rounds the refined peak to a whole cell, so the 2-D label is the
    # argmax one wherever the refined peak rounds to the argmax
    (hm_p, x_p, _), conf_p = head.pseudo_labels(teacher_out)
    kx = head.decoder.decode_simcc(teacher_out[1][1:2, 4:5].numpy(),
                                   teacher_out[2][1:2, 4:5].numpy())[0]
    mu = kx[0, 0, 0] * head.simcc_split_ratio
    assert mu != i  # the refinement moved it off the bin centre
    np.testing.assert_allclose(
        x_p[1, 4].numpy(), np.exp(-(np.arange(64) - mu)**2 / (2 * 6.0**2)),
        atol=1e-6)
    peaks = head.decoder.heatmap_peaks(teacher_out[0].numpy())
    argmax = teacher_out[0].flatten(2).argmax(-1).numpy()
    same = (np.floor(peaks[..., 1] + 0.5) * 16 + np.floor(peaks[..., 0] +
                                                          0.5)) == argmax
    assert same.mean() > 0.5
    torch.testing.assert_close(hm_p[torch.from_numpy(same)],
                               hm_t[torch.from_numpy(same)])
    torch.testing.assert_close(conf_p, conf)

    student = head(feats(seed=2))
    losses = head.loss_by_targets(student, (hm_t, x_t, y_t), conf,
                                  loss_1d_weight=0.01)
    assert set(losses) == {'loss_2d', 'loss_1d'}
    hm, x, y = student
    w = conf[..., None]
    torch.testing.assert_close(
        losses['loss_2d'], (w[..., None] * (hm - hm_t)**2).mean())
    torch.testing.assert_close(
        losses['loss_1d'],
        0.01 * (w[..., 0] * (((x - x_t)**2).mean(-1) +
                             ((y - y_t)**2).mean(-1))).mean())

    # soft labels: the teacher's raw maps (MSE 1-D loss -> raw 1-D output)
    (hm_s, x_s, _), conf_s = head.pseudo_labels(teacher_out, hard=False)
    torch.testing.assert_close(hm_s, teacher_out[0])
    torch.testing.assert_close(x_s, teacher_out[1])
    torch.testing.assert_close(conf_s, conf)
    kl_head = make_head(loss_1d=dict(type='ConfidenceRegularizedLoss',
                                     distance='kl'))
    (_, x_kl, _), _ = kl_head.pseudo_labels(teacher_out, hard=False)
    torch.testing.assert_close(x_kl, teacher_out[1].softmax(-1))


def test_confidence_from_1d():
    """``A_conf`` from the 1-D peaks: an output equal to a ground-truth
    label (the codec's peak-1 1-D labels) is fully confident; half of it
    on one axis halves the confidence; a KL head compares softmax
    distributions with the normalised label's peak."""
    with pytest.raises(ValueError, match='confidence_from'):
        make_head(confidence_from='3d')
    head = make_head(confidence_from='1d')
    sample = packed_samples(n=2)[1]  # all keypoints visible
    x_lab = sample.gt_instance_labels.keypoint_x_labels  # (1, K, 64)
    y_lab = sample.gt_instance_labels.keypoint_y_labels
    hm = torch.rand(1, K, 16, 16) * 0.1
    y_half = y_lab.clone()
    y_half[0, 1] *= 0.5
    _, conf = head.pseudo_labels((hm, x_lab, y_half))
    # labels are centred on the exact (sub-bin) location: peaks just below 1
    expected = torch.ones(1, K)
    expected[0, 1] = 0.5
    torch.testing.assert_close(conf, expected, atol=5e-3, rtol=0)
    torch.testing.assert_close(
        conf, torch.minimum(x_lab.amax(-1), y_half.amax(-1)))
    # the 2-D option (default) ignores the 1-D outputs
    _, conf_2d = make_head().pseudo_labels((hm, x_lab, y_half))
    torch.testing.assert_close(conf_2d, hm.flatten(2).amax(-1))

    kl = make_head(confidence_from='1d', loss_1d=dict(
        type='ConfidenceRegularizedLoss', distance='kl'))
    logits = torch.randn(1, K, 64) * 3
    conf_kl = kl.confidence_1d(logits, logits)
    sigma = 1.5 * 4 * 1.0  # codec 1-D sigma: 2-D sigma x stride x ratio
    label_peak = 1 / (sigma * np.sqrt(2 * np.pi))
    torch.testing.assert_close(
        conf_kl, (logits.softmax(-1).amax(-1) / label_peak).clamp(0, 1))


def _samples_meta(n=N):
    samples = []
    for _ in range(n):
        s = PoseDataSample()
        s.set_metainfo(dict(flip_indices=FLIP, input_size=(64, 64)))
        samples.append(s)
    return samples


def _peaky_feats(seed=0):
    """Features for which the head's outputs have clear maxima."""
    f = feats(seed)[0]
    return (f * 50, )


@pytest.mark.parametrize('decode_from', ['1d', '2d'])
def test_predict_shapes_and_flip_test(decode_from):
    head = make_head().eval()
    test_cfg = dict(decode_from=decode_from)
    f, ff = _peaky_feats(0), _peaky_feats(1)
    with torch.no_grad():
        preds = head.predict(f, _samples_meta(), test_cfg)
        assert len(preds) == N and isinstance(preds[0], InstanceData)
        assert preds[0].keypoints.shape == (1, K, 2)
        assert preds[0].keypoint_scores.shape == (1, K)

        flip_cfg = dict(test_cfg, flip_test=True)
        a = head.predict([f, ff], _samples_meta(), flip_cfg)
        b = head.predict([ff, f], _samples_meta(), flip_cfg)
        # == decoding the average of original and flipped-back outputs
        hm, x, y = head(f)
        hm_f, x_f, y_f = head(ff)
        manual = head.decode_outputs(
            ((hm + hm_f[:, FLIP].flip(-1)) / 2,
             (x + x_f[:, FLIP].flip(-1)) / 2, (y + y_f[:, FLIP]) / 2),
            decode_from)
    for p, q in zip(a, manual):
        np.testing.assert_allclose(p.keypoints, q.keypoints, atol=1e-5)
    if decode_from == '2d':
        return  # MMPose's quarter-pixel refine_keypoints is not mirror-
        # symmetric at the borders (1 < x < W - 1 vs 0 < x < W)
    # swapping the views mirrors the prediction (flip test is symmetric)
    width = 63.0  # last bin, in input pixels (1 bin / px)
    for p, q in zip(a, b):
        np.testing.assert_allclose(q.keypoints[0, :, 0],
                                   width - p.keypoints[0, FLIP, 0], atol=1e-3)
        np.testing.assert_allclose(q.keypoints[0, :, 1],
                                   p.keypoints[0, FLIP, 1], atol=1e-3)
        np.testing.assert_allclose(q.keypoint_scores[0],
                                   p.keypoint_scores[0, FLIP], atol=1e-5)


def test_predict_output_heatmaps_and_default_decoding():
    head = make_head().eval()
    with torch.no_grad():
        preds, fields = head.predict(feats(), _samples_meta(),
                                     dict(output_heatmaps=True))
        hm, x, y = head(feats())
        ref = head.decoder.decode(x[0].numpy(), y[0].numpy())  # '1d' codec
    assert len(fields) == N and fields[0].heatmaps.shape == (K, 16, 16)
    torch.testing.assert_close(fields[0].heatmaps, hm[0])
    np.testing.assert_allclose(preds[0].keypoints, ref[0])
    np.testing.assert_allclose(head.decode((hm, x, y))[0].keypoints, ref[0])


def test_gt_labels_decode_back_through_head_decoding():
    """Decoding the packed targets with decode_outputs recovers them."""
    head = make_head()
    # interior points: HybridLabel's default DARK 1-D refinement (blur
    # kernel 37 bins for sigma 6) is biased within ~2 sigma of the border,
    # and MMPose's 2-D renderer shifts the peak of heatmap coordinates
    # < 3 sigma = 4.5 one pixel inward (see pseudo_labels' module doc)
    samples = packed_samples(n=1, lo=20, hi=44)
    s = samples[0]
    out = (s.gt_fields.heatmaps[None],
           s.gt_instance_labels.keypoint_x_labels,
           s.gt_instance_labels.keypoint_y_labels)
    kpts = head.decode_outputs(out, '1d')[0].keypoints
    vis = s.gt_instance_labels.keypoint_weights[0].numpy() > 0
    np.testing.assert_allclose(kpts[0, vis], s.gt_instances.keypoints[0, vis],
                               atol=0.1)
    # hard 2-D pseudo-labels from a GT heatmap are the GT heatmap
    hm_t, conf = hard_heatmap_labels(out[0], 1.5)
    torch.testing.assert_close(hm_t[0, vis], out[0][0, vis])
    assert isinstance(head, HybridMatchHead)


def test_in_stock_topdown_estimator_with_hrnet():
    """The stock 300-W HRNetV2-W18 model with only the head (and codec)
    swapped: loss and flip-test predict run through TopdownPoseEstimator."""
    import mmpose
    cfg = Config.fromfile(osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', 'face_2d_keypoint',
        'topdown_heatmap', '300w',
        'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py'))
    cfg.model.backbone.init_cfg = None
    cfg.model.head = dict(type='HybridMatchHead', in_channels=270,
                          out_channels=K, decoder=dict(
                              CODEC, input_size=(32, 32), heatmap_size=(8, 8)))
    cfg.model.pop('data_preprocessor')  # inputs are given as tensors
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    samples = packed_samples(lo=2, hi=30, codec=cfg.model.head.decoder)
    for s in samples:
        s.set_metainfo(dict(input_size=(32, 32), input_center=np.array(
            [16., 16.]), input_scale=np.array([32., 32.])))
    inputs = torch.randn(N, 3, 32, 32)  # 8x8 maps: only the wiring matters
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {'loss_2d', 'loss_1d', 'acc_pose'}
    model.eval()
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
    assert out[0].pred_instances.keypoints.shape == (1, K, 2)
    assert model.test_cfg['flip_test']  # the stock test_cfg: flip test ran
