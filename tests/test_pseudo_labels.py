"""Hard/soft pseudo-labels against the codec's and MMPose's own numpy
label renderers."""
import numpy as np
import pytest
import torch
from mmpose.codecs import SimCCLabel
from mmpose.codecs.utils import (generate_gaussian_heatmaps,
                                 generate_unbiased_gaussian_heatmaps)
from mmpose.registry import KEYPOINT_CODECS

from hybridmatch_mmpose.models.utils import (hard_heatmap_labels,
                                             hard_simcc_labels,
                                             heatmap_confidence,
                                             simcc_confidence,
                                             soft_heatmap_labels,
                                             soft_simcc_labels)


def _teacher_heatmaps(locs, H, W, seed=0):
    """Random maps in [0, 0.5) with a unique maximum at each (x, y)."""
    g = torch.Generator().manual_seed(seed)
    N, K = locs.shape[:2]
    hm = torch.rand(N, K, H, W, generator=g) * 0.5
    peaks = torch.rand(N, K, generator=g) * 0.4 + 0.55
    for n in range(N):
        for k in range(K):
            x, y = locs[n, k]
            hm[n, k, y, x] = peaks[n, k]
    return hm, peaks


LOCS = np.array([[[0, 0], [19, 15], [1, 2], [3, 4], [4, 3], [5, 5], [18, 7],
                  [9, 13], [10, 8], [15, 0]]])  # (x, y) on a 20x16 grid


@pytest.mark.parametrize('sigma', [1.5, 2.0, 1.0])
def test_hard_heatmap_labels_equal_the_codec_ground_truth(sigma):
    """For an integer location the pseudo-label is exactly the 2-D label
    HybridLabel gives ground truth there, at every border, near-border and
    interior location (HybridLabel redraws MMPose's border-shifted channels,
    so both peak at the argmax)."""
    H, W, stride = 16, 20, 4
    hm, peaks = _teacher_heatmaps(LOCS, H, W)
    targets, conf = hard_heatmap_labels(hm, sigma)
    assert targets.shape == hm.shape and conf.shape == LOCS.shape[:2]
    codec = KEYPOINT_CODECS.build(
        dict(type='HybridLabel', input_size=(W * stride, H * stride),
             heatmap_size=(W, H), sigma=sigma))
    for k in range(LOCS.shape[1]):
        ref = codec.encode(
            LOCS[:, k:k + 1].astype(np.float32) * stride,
            np.ones((1, 1)))['heatmaps']
        np.testing.assert_allclose(
            targets[0, k].numpy(), ref[0], rtol=0, atol=1e-6,
            err_msg=f'loc {LOCS[0, k]}')
        peak = np.unravel_index(targets[0, k].numpy().argmax(), (H, W))
        assert peak == (LOCS[0, k, 1], LOCS[0, k, 0])
    torch.testing.assert_close(conf, peaks)


@pytest.mark.parametrize('sigma', [1.5, 2.0, 1.0])
def test_hard_heatmap_labels_equal_mmpose_renderer_off_the_border(sigma):
    """Where MMPose's window does not shift (3 sigma an integer, or the
    location at least 3 sigma from the top/left border) the pseudo-label is
    MMPose's own ``generate_gaussian_heatmaps`` output, window and all."""
    H, W = 16, 20
    hm, _ = _teacher_heatmaps(LOCS, H, W)
    targets, _ = hard_heatmap_labels(hm, sigma)
    checked = 0
    for k in range(LOCS.shape[1]):
        if not float(3 * sigma).is_integer() and LOCS[0, k].min() < 3 * sigma:
            continue
        ref, _ = generate_gaussian_heatmaps(
            (W, H), LOCS[:, k:k + 1].astype(np.float32), np.ones((1, 1)),
            sigma)
        np.testing.assert_allclose(
            targets[0, k].numpy(), ref[0], rtol=0, atol=1e-6,
            err_msg=f'loc {LOCS[0, k]}')
        checked += 1
    assert checked >= 5


def test_hard_heatmap_labels_unbiased_equal_dark_renderer():
    H, W, sigma = 12, 12, 2.0
    locs = np.array([[[0, 0], [11, 5], [6, 6]], [[3, 9], [1, 1], [8, 2]]])
    hm, _ = _teacher_heatmaps(locs, H, W)
    targets, _ = hard_heatmap_labels(hm, sigma, unbiased=True)
    for n in range(2):
        for k in range(3):
            ref, _ = generate_unbiased_gaussian_heatmaps(
                (W, H), locs[n:n + 1, k:k + 1].astype(np.float32),
                np.ones((1, 1)), sigma)
            np.testing.assert_allclose(targets[n, k].numpy(), ref[0],
                                       rtol=0, atol=1e-6)


def test_confidence_is_clamped_peak_and_no_grad():
    hm = torch.tensor([2.0, 0.3, -0.5, 0.0]).view(1, 4, 1, 1).repeat(
        1, 1, 3, 3)
    hm[0, 1, 1, 2] = 0.7
    hm.requires_grad_(True)
    targets, conf = hard_heatmap_labels(hm * 1.0, 1.5)
    torch.testing.assert_close(conf, torch.tensor([[1.0, 0.7, 0.0, 0.0]]))
    assert not targets.requires_grad and not conf.requires_grad
    assert not heatmap_confidence(hm).requires_grad
    soft, soft_conf = soft_heatmap_labels(hm)
    assert not soft.requires_grad
    torch.testing.assert_close(soft, hm.detach())
    torch.testing.assert_close(soft_conf, conf)


@pytest.mark.parametrize('normalize', [True, False])
@pytest.mark.parametrize('sigma', [(6.0, 4.0), (2.5, 2.5)])
def test_hard_simcc_labels_equal_simcc_label(normalize, sigma):
    input_size, ratio = (32, 24), 2.0
    Wx, Wy = 64, 48
    codec = SimCCLabel(input_size=input_size, sigma=sigma,
                       simcc_split_ratio=ratio, normalize=normalize)
    # integer bins, including both borders
    bins = np.array([[[0, 0], [Wx - 1, Wy - 1], [17, 30], [40, 1]]])
    K = bins.shape[1]
    g = torch.Generator().manual_seed(1)
    sx, sy = torch.randn(1, K, Wx, generator=g), torch.randn(1, K, Wy,
                                                             generator=g)
    for k in range(K):
        sx[0, k, bins[0, k, 0]] = 10.
        sy[0, k, bins[0, k, 1]] = 10.
    sx.requires_grad_(True)
    tx = hard_simcc_labels(sx, sigma[0], normalize=normalize)
    ty = hard_simcc_labels(sy, sigma[1], normalize=normalize)
    assert not tx.requires_grad
    ref = codec.encode(bins / ratio, np.ones((1, K)))
    np.testing.assert_allclose(tx.numpy(), ref['keypoint_x_labels'],
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ty.numpy(), ref['keypoint_y_labels'],
                               rtol=1e-6, atol=1e-7)


def test_soft_simcc_labels():
    x = torch.randn(2, 3, 10, requires_grad=True)
    p = soft_simcc_labels(x, beta=2.0)
    assert not p.requires_grad
    torch.testing.assert_close(p, torch.softmax(2.0 * x.detach(), -1))
    torch.testing.assert_close(p.sum(-1), torch.ones(2, 3))
    raw = soft_simcc_labels(x, normalize=False)
    torch.testing.assert_close(raw, x.detach())


def test_simcc_confidence_is_lower_axis_peak_over_label_peak():
    sx = torch.tensor([[[0.1, 0.9, 0.2], [0.0, 2.0, 0.0]]])  # peaks 0.9, 2.0
    sy = torch.tensor([[[0.3, 0.6, -1.], [-.5, -.2, -.1]]])  # 0.6, -0.1
    conf = simcc_confidence(sx.requires_grad_(), sy, 1.0, 0.5)
    # keypoint 0: min(0.9 / 1, 0.6 / 0.5 -> 1.2) = 0.9;
    # keypoint 1: min(2.0 -> clamp, -0.1 / 0.5 = -0.2) -> 0
    torch.testing.assert_close(conf, torch.tensor([[0.9, 0.0]]))
    assert not conf.requires_grad


def test_shape_errors():
    with pytest.raises(ValueError, match=r'\(N, K, H, W\)'):
        hard_heatmap_labels(torch.zeros(2, 3, 4), 1.5)
    with pytest.raises(ValueError, match=r'\(N, K, W\)'):
        hard_simcc_labels(torch.zeros(2, 3, 4, 4), 1.5)
