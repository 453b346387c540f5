"""HybridLabel: shapes, faithfulness to MMPose's MSRAHeatmap / SimCCLabel,
shared weights, sub-pixel round trip, and the stock GenerateTarget +
PackPoseInputs pipeline. Each check compares with an independent
computation (MMPose's own codecs, or plain numpy)."""
import numpy as np
import pytest
import torch

import hybridmatch_mmpose  # noqa: F401  (registers HybridLabel)
from hybridmatch_mmpose.codecs import HybridLabel
from mmpose.codecs import MSRAHeatmap, SimCCLabel
from mmpose.registry import KEYPOINT_CODECS, TRANSFORMS

K = 68


def random_keypoints(n_faces, size, margin=8, seed=0):
    """(n_faces, 1, K, 2) sub-pixel keypoints inside [margin, size-margin]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(margin, size - margin, (n_faces, 1, K, 2))


@pytest.mark.parametrize('input_size,heatmap_size,split',
                         [(256, 64, 1.0), (128, 32, 2.0)])
def test_shapes_and_dtypes(input_size, heatmap_size, split):
    codec = HybridLabel(input_size=(input_size, input_size),
                        heatmap_size=(heatmap_size, heatmap_size),
                        simcc_split_ratio=split)
    kp = random_keypoints(1, input_size)[0]
    enc = codec.encode(kp, np.ones((1, K), np.float32))
    assert set(enc) == {'heatmaps', 'keypoint_x_labels', 'keypoint_y_labels',
                        'keypoint_weights'}
    assert enc['heatmaps'].shape == (K, heatmap_size, heatmap_size)
    # 256 bins in both settings: 256 * 1.0 and 128 * 2.0
    assert enc['keypoint_x_labels'].shape == (1, K, 256)
    assert enc['keypoint_y_labels'].shape == (1, K, 256)
    assert enc['keypoint_weights'].shape == (1, K)
    for value in enc.values():
        assert value.dtype == np.float32
    # default 1-D sigma = 2-D sigma drawn on the finer grid
    assert np.allclose(codec.simcc_sigma,
                       1.5 * input_size / heatmap_size * split)

    keypoints, scores = codec.decode(enc['keypoint_x_labels'],
                                     enc['keypoint_y_labels'])
    assert keypoints.shape == (1, K, 2) and scores.shape == (1, K)
    keypoints, scores = codec.decode_heatmap(enc['heatmaps'])
    assert keypoints.shape == (1, K, 2) and scores.shape == (1, K)


@pytest.mark.parametrize('normalize', [False, True])
def test_composition_is_faithful(normalize):
    # >= 20 px from the border: away from MSRAHeatmap's border shift (below)
    kp = random_keypoints(1, 256, margin=20, seed=1)[0]
    vis = np.ones((1, K), np.float32)
    msra = MSRAHeatmap((256, 256), (64, 64), sigma=1.5).encode(kp, vis)
    simcc = SimCCLabel((256, 256), sigma=6.0, simcc_split_ratio=1.0,
                       normalize=normalize).encode(kp, vis)

    # rounded 1-D labels: exactly SimCCLabel
    enc = HybridLabel(normalize=normalize, simcc_unbiased=False).encode(
        kp, vis)
    np.testing.assert_array_equal(enc['heatmaps'], msra['heatmaps'])
    np.testing.assert_array_equal(enc['keypoint_x_labels'],
                                  simcc['keypoint_x_labels'])
    np.testing.assert_array_equal(enc['keypoint_y_labels'],
                                  simcc['keypoint_y_labels'])

    # default sub-bin 1-D labels: a Gaussian at the exact position (numpy)
    enc = HybridLabel(normalize=normalize).encode(kp, vis)
    np.testing.assert_array_equal(enc['heatmaps'], msra['heatmaps'])
    bins = np.arange(256)
    scale = 1 / (6.0 * np.sqrt(2 * np.pi)) if normalize else 1.
    for axis, key in enumerate(['keypoint_x_labels', 'keypoint_y_labels']):
        expected = scale * np.exp(-(bins - kp[0, :, axis, None])**2 /
                                  (2 * 6.0**2))
        np.testing.assert_allclose(enc[key][0], expected, atol=1e-6)

    # ... which are SimCCLabel's own labels on integer positions
    kp_int = np.round(kp)
    ours = HybridLabel(normalize=normalize).encode(kp_int, vis)
    theirs = SimCCLabel((256, 256), sigma=6.0, simcc_split_ratio=1.0,
                        normalize=normalize).encode(kp_int, vis)
    np.testing.assert_allclose(ours['keypoint_x_labels'],
                               theirs['keypoint_x_labels'], atol=1e-7)


@pytest.mark.parametrize('split', [1.0, 2.0])
def test_label_peaks_sit_at_the_keypoint(split):
    size = int(256 / split)
    kp = random_keypoints(1, size, margin=0, seed=2)[0]  # border included
    enc = HybridLabel(input_size=(size, size),
                      heatmap_size=(size // 4, size // 4),
                      simcc_split_ratio=split).encode(kp)
    # 2-D: MSRAHeatmap centres the Gaussian on the nearest heatmap pixel
    flat = enc['heatmaps'].reshape(K, -1).argmax(axis=1)
    peak_y, peak_x = np.unravel_index(flat, enc['heatmaps'].shape[1:])
    np.testing.assert_array_equal(peak_x, np.floor(kp[0, :, 0] / 4 + 0.5))
    np.testing.assert_array_equal(peak_y, np.floor(kp[0, :, 1] / 4 + 0.5))
    # 1-D: the peak bin is the nearest bin to keypoint * split
    np.testing.assert_array_equal(enc['keypoint_x_labels'][0].argmax(-1),
                                  np.round(kp[0, :, 0] * split))
    np.testing.assert_array_equal(enc['keypoint_y_labels'][0].argmax(-1),
                                  np.round(kp[0, :, 1] * split))


@pytest.mark.parametrize('sigma', [1.5, 2.0, 2.5])
def test_border_shift_of_stock_heatmaps_is_undone(sigma):
    """MMPose 1.3.2 draws the biased Gaussian one heatmap pixel right/below
    the keypoint when 3 * sigma is not an integer and the keypoint is within
    3 * sigma of the left/top border; HybridLabel draws it in place and is
    MSRAHeatmap's output everywhere else."""
    j = np.arange(K)
    kp = 4.0 * np.stack([j % 64, (j + 10) % 64], -1)[None]
    kp[0, 10:20, 1] = 4.0 * np.arange(10)  # some near the top border too
    ours = HybridLabel(sigma=sigma).encode(kp)['heatmaps']
    stock = MSRAHeatmap((256, 256), (64, 64), sigma).encode(kp)['heatmaps']

    def peaks(hm):
        y, x = np.unravel_index(hm.reshape(K, -1).argmax(1), hm.shape[1:])
        return np.stack([x, y], -1)

    expected = kp[0] / 4
    np.testing.assert_array_equal(peaks(ours), expected)
    near = (expected - 3 * sigma < 0).any(-1)
    stock_off = (peaks(stock) != expected).any(-1)
    if float(3 * sigma).is_integer():
        assert not stock_off.any()
        np.testing.assert_array_equal(ours, stock)
    else:
        assert near.sum() > 10
        assert stock_off[near].all() and not stock_off[~near].any()
        np.testing.assert_array_equal(ours[~near], stock[~near])


def test_weights_outside_and_invisible_are_zero_in_both():
    kp = random_keypoints(1, 256, seed=3)[0]
    vis = np.ones((1, K), np.float32)
    kp[0, 0] = (-10, 100)    # just off the image: stock codecs keep it
    kp[0, 1] = (100, 256.2)  # just below the image
    kp[0, 2] = (-500, 100)   # far off: stock codecs drop it too
    vis[0, 3] = 0            # invisible
    vis[0, 4] = 0.7          # fractional visibility

    enc = HybridLabel().encode(kp, vis)
    w = enc['keypoint_weights'][0]
    assert (w[:4] == 0).all()
    assert w[4] == pytest.approx(0.7)  # min of the two, not 0.7 ** 2
    assert (w[5:] == 1).all()
    for k in range(4):  # zero weight <=> empty labels in both
        assert not enc['heatmaps'][k].any()
        assert not enc['keypoint_x_labels'][0, k].any()
        assert not enc['keypoint_y_labels'][0, k].any()

    # stock behaviour (3-sigma rule) keeps keypoints 0 and 1
    msra_w = MSRAHeatmap((256, 256), (64, 64), 1.5).encode(
        kp, vis)['keypoint_weights'][0]
    assert msra_w[0] == 1 and msra_w[1] == 1 and msra_w[2] == 0
    w_stock = HybridLabel(ignore_outside=False).encode(
        kp, vis)['keypoint_weights'][0]
    simcc_w = SimCCLabel((256, 256), sigma=6.0, simcc_split_ratio=1.0).encode(
        kp, vis)['keypoint_weights'][0]
    np.testing.assert_array_equal(w_stock, np.minimum(msra_w, simcc_w))


def test_round_trip_is_sub_pixel_in_1d_only():
    codec = HybridLabel()  # refine_1d='gaussian'
    faces = random_keypoints(5, 256, margin=0, seed=4)  # border included
    err_1d, err_2d = [], []
    for kp in faces:
        enc = codec.encode(kp)
        pred_1d, _ = codec.decode(enc['keypoint_x_labels'],
                                  enc['keypoint_y_labels'])
        pred_2d, _ = codec.decode_heatmap(enc['heatmaps'])
        err_1d.append(np.linalg.norm(pred_1d - kp, axis=-1))
        err_2d.append(np.linalg.norm(pred_2d - kp, axis=-1))
    assert np.mean(err_1d) <= 0.05 and np.max(err_1d) <= 0.05
    # 64x64 labels centred on the nearest heatmap pixel (stride 4 px): the
    # error is that rounding, about 4 * 0.38 px on average
    assert 1.0 < np.mean(err_2d) < 2.0
    # argmax alone is quantised to whole bins (0.38 px mean at 1 bin/px)
    enc = codec.encode(faces[0])
    argmax, _ = HybridLabel(refine_1d='none').decode(
        enc['keypoint_x_labels'], enc['keypoint_y_labels'])
    assert np.linalg.norm(argmax - faces[0], axis=-1).mean() > 0.2


def test_dark_1d_refinement_is_exact_inside_biased_at_the_ends():
    codec = HybridLabel(refine_1d='dark')
    rng = np.random.default_rng(7)
    inside = rng.uniform(30, 226, (1, K, 2))
    enc = codec.encode(inside)
    pred, _ = codec.decode(enc['keypoint_x_labels'], enc['keypoint_y_labels'])
    assert np.abs(pred - inside).max() <= 0.01
    ends = inside.copy()
    ends[..., 0] = rng.uniform(0, 10, K)  # x within 10 px of the left end
    enc = codec.encode(ends)
    dark, _ = codec.decode(enc['keypoint_x_labels'], enc['keypoint_y_labels'])
    fit, _ = HybridLabel().decode(enc['keypoint_x_labels'],
                                  enc['keypoint_y_labels'])
    assert np.abs(dark - ends)[..., 0].mean() > 0.5
    assert np.abs(fit - ends).max() <= 0.01


def test_decode_from_2d_and_head_style_calls():
    kp = random_keypoints(1, 256, seed=5)[0]
    enc = HybridLabel().encode(kp)
    outputs = (enc['keypoint_x_labels'], enc['keypoint_y_labels'],
               enc['heatmaps'][None])  # one sample, as BaseHead.decode sends
    k1, s1 = HybridLabel(decode_from='1d').decode(*outputs)
    k2, s2 = HybridLabel(decode_from='2d').decode(*outputs)
    np.testing.assert_allclose(k1, kp, atol=0.01)
    np.testing.assert_array_equal(
        k2, MSRAHeatmap((256, 256), (64, 64), 1.5).decode(enc['heatmaps'])[0])
    # label peaks: 1 in 2-D; the sampled sub-bin Gaussian >= exp(-0.5**2 / 72)
    assert np.allclose(s2, 1) and np.all(s1 >= np.exp(-0.25 / 72) - 1e-6)
    # (K, W) inputs get an instance axis
    k3, _ = HybridLabel().decode(enc['keypoint_x_labels'][0],
                                 enc['keypoint_y_labels'][0])
    np.testing.assert_array_equal(k3, k1)
    with pytest.raises(ValueError):
        HybridLabel(decode_from='2d').decode(*outputs[:2])


def _results():
    kp = random_keypoints(1, 256, seed=6)[0].astype(np.float32)
    return dict(img=np.zeros((256, 256, 3), np.uint8), keypoints=kp,
                keypoints_visible=np.ones((1, K), np.float32),
                bbox=np.array([[0, 0, 256, 256]], np.float32))


def test_stock_generate_target_and_pack_pose_inputs():
    codec_cfg = dict(type='HybridLabel', input_size=(256, 256),
                     heatmap_size=(64, 64), sigma=1.5, simcc_split_ratio=1.0)
    generate = TRANSFORMS.build(dict(type='GenerateTarget', encoder=codec_cfg))
    pack = TRANSFORMS.build(dict(type='PackPoseInputs'))
    packed = pack(generate(_results()))

    sample = packed['data_samples']
    assert packed['inputs'].shape == (3, 256, 256)
    assert isinstance(sample.gt_fields.heatmaps, torch.Tensor)
    assert sample.gt_fields.heatmaps.shape == (K, 64, 64)
    labels = sample.gt_instance_labels
    assert labels.keypoint_x_labels.shape == (1, K, 256)
    assert labels.keypoint_y_labels.shape == (1, K, 256)
    assert labels.keypoint_weights.shape == (1, K)
    assert torch.all(labels.keypoint_weights == 1)
    # PackPoseInputs' default instance table is kept
    assert sample.gt_instances.keypoints.shape == (1, K, 2)
    assert sample.gt_instances.bboxes.shape == (1, 4)


def test_two_stock_encoders_do_not_pack():
    """Why this codec exists: a list of encoders gives a list of weights."""
    generate = TRANSFORMS.build(dict(type='GenerateTarget', encoder=[
        dict(type='MSRAHeatmap', input_size=(256, 256),
             heatmap_size=(64, 64), sigma=1.5),
        dict(type='SimCCLabel', input_size=(256, 256), sigma=6.0,
             simcc_split_ratio=1.0)]))
    results = generate(_results())
    assert isinstance(results['keypoint_weights'], list)
    with pytest.raises(AssertionError):
        TRANSFORMS.build(dict(type='PackPoseInputs'))(results)


def test_registered():
    codec = KEYPOINT_CODECS.build(dict(type='HybridLabel', sigma=2.0))
    assert isinstance(codec, HybridLabel) and codec.sigma == 2.0
    with pytest.raises(ValueError):
        HybridLabel(decode_from='3d')
