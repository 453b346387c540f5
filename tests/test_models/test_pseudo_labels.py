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


# ------------------------------------------------- sub-pixel locations
def test_hard_labels_at_float_locations_equal_the_numpy_renderers():
    """``locations``: the whole-grid Gaussian at a sub-pixel location
    (unbiased) is MMPose's ``generate_unbiased_gaussian_heatmaps`` there;
    the biased renderer rounds it as ``generate_gaussian_heatmaps`` does;
    the 1-D label is centred at the sub-bin location."""
    H, W, sigma = 12, 14, 1.5
    locs = np.array([[[0.3, 0.0], [7.26, 5.5], [12.9, 10.49]],
                     [[3.5, 8.51], [6.0, 1.2], [10.74, 4.01]]])
    hm = torch.rand(2, 3, H, W)
    t_unb, _ = hard_heatmap_labels(hm, sigma, unbiased=True,
                                   locations=torch.tensor(locs))
    t_bias, _ = hard_heatmap_labels(hm, sigma, unbiased=False,
                                    locations=torch.tensor(locs))
    for n in range(2):
        ref, _ = generate_unbiased_gaussian_heatmaps(
            (W, H), locs[n:n + 1].astype(np.float32), np.ones((1, 3)),
            sigma)
        np.testing.assert_allclose(t_unb[n].numpy(), ref, atol=1e-6)
        rounded = np.floor(locs[n:n + 1] + 0.5).astype(np.int64)
        ref_int, _ = hard_heatmap_labels(hm[n:n + 1], sigma,
                                         locations=torch.tensor(rounded))
        torch.testing.assert_close(t_bias[n:n + 1], ref_int)
    bins = torch.tensor([[3.25, 40.0], [17.5, 0.75]])
    sx = torch.randn(2, 2, 48)
    lab = hard_simcc_labels(sx, 2.0, normalize=False, locations=bins)
    grid = torch.arange(48.)
    torch.testing.assert_close(
        lab, torch.exp(-(grid - bins[..., None])**2 / 8.))
    with pytest.raises(ValueError, match='locations'):
        hard_simcc_labels(sx, 2.0, locations=bins[:1])
    with pytest.raises(ValueError, match='locations'):
        hard_heatmap_labels(hm, sigma, locations=torch.zeros(2, 3))


def _weak_views(size, n=380, seed=0):
    """``n`` real 300-W shapes (the packaged HRNet CSV) mapped into a
    ``size`` x ``size`` crop with the weak geometry (box 1.25x, rotation
    +-30 deg, scale +-25 %), as the training pipeline does."""
    from mmpose.structures.bbox import get_warp_matrix

    from hybridmatch_mmpose.datasets.hrnet_csv import (read_hrnet_csv,
                                                       stack_keypoints)
    from hybridmatch_mmpose.synthface import (PACKAGED_PRIOR_DIR,
                                              prior_csv_path)
    shapes = stack_keypoints(
        read_hrnet_csv(prior_csv_path(PACKAGED_PRIOR_DIR, 'valid')))
    rng = np.random.default_rng(seed)
    views = []
    for s in shapes[:n]:
        lo, hi = s.min(0), s.max(0)
        box = (hi - lo).max() * 1.25 * rng.uniform(0.75, 1.25)
        warp = get_warp_matrix((lo + hi) / 2, np.array([box, box]),
                               rng.uniform(-30, 30), (size, size))
        views.append(s @ warp[:, :2].T + warp[:, 2])
    return np.stack(views)


@pytest.mark.parametrize('scale', [
    # the CPU configs: 64x64 input, 16x16 DARK maps, 4 bins per pixel
    dict(input_size=(64, 64), heatmap_size=(16, 16), simcc_split_ratio=4.0,
         unbiased=True),
    # the paper: 256x256 input, 64x64 maps, 1 bin per pixel
    dict(input_size=(256, 256), heatmap_size=(64, 64),
         simcc_split_ratio=1.0, unbiased=False)], ids=['cpu64', 'paper256'])
@pytest.mark.slow
def test_perfect_teacher_pseudo_labels_are_as_precise_as_ground_truth(
        scale, one_thread):
    """A teacher whose outputs are the ground-truth encoding: its hard
    pseudo-labels, decoded by the codec, are within 1.1x of the ground
    truth's own decoding floor (NME over 380 weak views of real shapes),
    for the 2-D and the 1-D representation. Whole-cell argmax labels are
    not at the CPU scale (the reason sub-pixel labels are the default)."""
    from mmpose.registry import MODELS
    head = MODELS.build(dict(type='HybridMatchHead', in_channels=8,
                             out_channels=68,
                             decoder=dict(type='HybridLabel', sigma=1.5,
                                          **scale)))
    codec = head.decoder
    kps = _weak_views(scale['input_size'][0])
    enc = [codec.encode(k[None]) for k in kps]
    hm = torch.tensor(np.stack([e['heatmaps'] for e in enc]))
    sx = torch.tensor(np.concatenate([e['keypoint_x_labels'] for e in enc]))
    sy = torch.tensor(np.concatenate([e['keypoint_y_labels'] for e in enc]))
    weights = np.concatenate([e['keypoint_weights'] for e in enc])
    iod = np.linalg.norm(kps[:, 36] - kps[:, 45], axis=-1)

    def nme_2d(maps):
        pred = np.stack([codec.decode_heatmap(m)[0][0] for m in maps])
        err = np.linalg.norm(pred - kps, axis=-1)
        return 100 * np.mean([e[w > 0].mean() / d
                              for e, w, d in zip(err, weights, iod)])

    def nme_1d(x, y):
        pred = codec.decode_simcc(x.numpy(), y.numpy())[0]
        err = np.linalg.norm(pred - kps, axis=-1)
        return 100 * np.mean([e[w > 0].mean() / d
                              for e, w, d in zip(err, weights, iod)])

    floor_2d, floor_1d = nme_2d(hm.numpy()), nme_1d(sx, sy)
    (t_hm, t_x, t_y), conf = head.pseudo_labels((hm, sx, sy), hard=True)
    assert nme_2d(t_hm.numpy()) <= 1.1 * floor_2d
    # the 1-D floor is ~0 (the Gaussian fit is exact): allow float noise
    assert nme_1d(t_x, t_y) <= 1.1 * floor_1d + 1e-4
    assert conf[torch.from_numpy(weights) > 0].min() > 0.5
    (a_hm, a_x, a_y), _ = head.pseudo_labels((hm, sx, sy), hard=True,
                                             subpixel=False)
    if scale['unbiased']:
        assert nme_2d(a_hm.numpy()) > 3 * floor_2d
        assert nme_1d(a_x, a_y) > 0.1
