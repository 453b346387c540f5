"""The semi-supervised data side: labelled split, label stripping, weak /
strong views and the multi-branch batch (HybridMatch Sec. III-C-1, IV-B).

Run with OMP_NUM_THREADS=1; about 20 s on 2 CPU cores."""
import copy
import json
import os.path as osp
import types

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement

import hybridmatch_mmpose  # noqa: F401  (registers everything)
from hybridmatch_mmpose.datasets import (SPLIT_FILE_NAME, UNLABELLED_KEYS,
                                         PhotometricRandAugment, RandomCutout,
                                         SemiSplit, SemiSplitDataset,
                                         SemiSplitDumpHook, dump_semi_split)
from mmpose.registry import DATA_SAMPLERS, DATASETS, HOOKS, MODELS, TRANSFORMS
from mmpose.structures import PoseDataSample

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STOCK_CPU_CONFIG = osp.join(
    REPO, 'configs', 'synthface', 'td-hm_hrnetv2-w18_synthface-64x64_cpu.py')
ANN = 'annotations/face_landmarks_300w_train.json'
NUM_TRAIN = 30
BRANCHES = ('sup', 'unsup_teacher', 'unsup_student')

# The base data config fragment (the lead's config defines `input_size`,
# `heatmap_size`, `data_root` and `codec` before it).
SEMI_DATA_SNIPPET = """
labelled_split = dict(ratio=0.05, seed=0)  # or dict(num=50, seed=0)
batch_size = 16
source_ratio = [1, 1]  # labelled : unlabelled per batch -> 8 + 8

branch_field = ['sup', 'unsup_teacher', 'unsup_student']
# MMPose's default PackPoseInputs meta_keys + bbox_rotation, so that a weak /
# strong pair can be checked for identical geometry
semi_meta_keys = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
                  'ori_shape', 'img_shape', 'input_size', 'input_center',
                  'input_scale', 'flip', 'flip_direction', 'flip_indices',
                  'raw_ann_info', 'dataset_name', 'bbox_rotation')
# T_w (paper IV-B): horizontal flip p=0.5, rotation within +-30 deg (applied
# with p=0.6 as HRNet's face code), box scale within [0.75, 1.25], no shift.
# MMPose draws rotation and scale from a normal truncated to these ranges.
weak_geometry = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomBBoxTransform', shift_prob=0., rotate_factor=30.,
         rotate_prob=0.6, scale_factor=(0.75, 1.25), scale_prob=1.0),
    dict(type='TopdownAffine', input_size=input_size),
]
# T'_s (paper III-C-1): photometric only (no rotate / shear / translate),
# then one Cutout hole
strong_photometric = [
    dict(type='PhotometricRandAugment', aug_num=2),
    dict(type='RandomCutout', ratio=(0.0, 0.5)),
]
sup_pipeline = weak_geometry + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='mmdet.MultiBranch', branch_field=branch_field,
         sup=dict(type='PackPoseInputs', meta_keys=semi_meta_keys)),
]
unsup_pipeline = weak_geometry + [
    dict(type='mmdet.MultiBranch', branch_field=branch_field,
         unsup_teacher=[dict(type='PackPoseInputs', meta_keys=semi_meta_keys)],
         unsup_student=strong_photometric +
         [dict(type='PackPoseInputs', meta_keys=semi_meta_keys)]),
]
train_set = dict(
    type='Face300WDataset', data_root=data_root, data_mode='topdown',
    ann_file='annotations/face_landmarks_300w_train.json',
    data_prefix=dict(img='images/'))  # no pipeline here
train_dataloader = dict(
    _delete_=True,
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='mmdet.MultiSourceSampler', batch_size=batch_size,
                 source_ratio=source_ratio),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type='SemiSplitDataset', dataset=train_set,
                 split=labelled_split, subset='labelled',
                 pipeline=sup_pipeline),
            dict(type='SemiSplitDataset', dataset=train_set,
                 split=labelled_split, subset='unlabelled',
                 pipeline=unsup_pipeline),
        ]))
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=dict(
            type='mmpose.PoseDataPreprocessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True)))
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='SemiSplitDumpHook')]
"""


def _config_text(data_root):
    return (f"_base_ = [{STOCK_CPU_CONFIG!r}]\n"
            "input_size = (64, 64)\nheatmap_size = (16, 16)\n"
            f"data_root = {data_root!r}\n"
            "codec = dict(type='HybridLabel', input_size=input_size,\n"
            "             heatmap_size=heatmap_size, sigma=1.5,\n"
            "             simcc_split_ratio=4.0)\n" + SEMI_DATA_SNIPPET)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from hybridmatch_mmpose.synthface import generate_synthface
    root = str(tmp_path_factory.mktemp('synthface_semi'))
    generate_synthface(root, num_train=NUM_TRAIN, num_test=2, image_size=96,
                       seed=5, contact_sheet=None)
    return root


@pytest.fixture(scope='module')
def cfg(data_root, tmp_path_factory):
    path = tmp_path_factory.mktemp('cfg') / 'semi_cfg.py'
    path.write_text(_config_text(data_root))
    return Config.fromfile(str(path))


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpose')


def _train_set(data_root, ann_file=ANN):
    return dict(type='Face300WDataset', data_root=data_root,
                ann_file=ann_file, data_prefix=dict(img='images/'))


def _plain(x):
    """Packed outputs as nested dicts / lists / arrays / tensors."""
    if isinstance(x, BaseDataElement):
        return _plain(x.to_dict())
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def _assert_identical(a, b, where='out'):
    """Bitwise equality of nested packed outputs."""
    assert type(a) is type(b), f'{where}: {type(a)} vs {type(b)}'
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f'{where}: {a.keys()} vs {b.keys()}'
        for k in a:
            _assert_identical(a[k], b[k], f'{where}.{k}')
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            _assert_identical(u, v, f'{where}[{i}]')
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b), where
    else:
        assert a == b, f'{where}: {a!r} vs {b!r}'


# ---------------------------------------------------------------- split --
def test_split_is_seeded_disjoint_complete_and_order_free():
    ids = np.arange(1000, 1100)
    lab, unl = SemiSplit(ratio=0.1, seed=0).split(ids)
    assert len(lab) == 10 and len(unl) == 90
    assert not set(lab) & set(unl)
    assert sorted(set(lab) | set(unl)) == list(range(100))
    # same options, same split; another seed, another split
    lab2, unl2 = SemiSplit(ratio=0.1, seed=0).split(ids)
    assert np.array_equal(lab, lab2) and np.array_equal(unl, unl2)
    assert not np.array_equal(lab, SemiSplit(ratio=0.1, seed=1).split(ids)[0])
    # the split follows the ids, not the file order
    shuffled = np.random.default_rng(7).permutation(ids)
    lab_s, _ = SemiSplit(ratio=0.1, seed=0).split(shuffled)
    assert sorted(shuffled[lab_s]) == sorted(ids[lab])
    # pinned: numpy's PCG64 permutation (the same on every machine)
    lab, unl = SemiSplit(num=3, seed=0).split(list(range(10)))
    assert lab.tolist() == [2, 4, 6]
    assert unl.tolist() == [0, 1, 3, 5, 7, 8, 9]
    # ratio -> count, round half up (300-W has 3,148 training faces)
    counts = [SemiSplit(ratio=r).num_labelled(3148) for r in (.2, .1, .05)]
    assert counts == [630, 315, 157]
    assert SemiSplit(num=50).num_labelled(3148) == 50
    assert SemiSplit(num=10).num_labelled(3148) == 10


@pytest.mark.parametrize('kwargs, n, match', [
    (dict(ratio=0.0), 10, r'split\.ratio must be in \(0, 1\]'),
    (dict(ratio=-0.1), 10, r'split\.ratio must be in \(0, 1\]'),
    (dict(ratio=1.5), 10, r'split\.ratio must be in \(0, 1\]'),
    (dict(ratio=1.0), 10, r'split\.ratio=1\.0 labels all 10 .*unlabelled '
     r'rest is empty'),
    (dict(ratio=0.01), 10, r'split\.ratio=0\.01 selects no sample'),
    (dict(num=11), 10, r'split\.num=11 is larger than the data set'),
    (dict(num=10), 10, r'split\.num=10 labels all 10 .*unlabelled rest'),
    (dict(num=0), 10, r'split\.num must be a positive integer'),
    (dict(num=2.5), 10, r'split\.num must be a positive integer'),
    (dict(), 10, r'give one of split\.ratio .* and split\.num'),
    (dict(ratio=0.1, num=5), 10, r'split\.num=5 and split\.ratio=0\.1 are '
     r'both set.*add split\.ratio=None'),
    (dict(ratio=0.5, seed=-1), 10, r'split\.seed'),
])
def test_split_errors_name_the_option(kwargs, n, match):
    with pytest.raises(ValueError, match=match):
        SemiSplit(**kwargs).split(list(range(n)))


def test_split_datasets_partition_the_training_set(data_root, tmp_path):
    split = dict(ratio=0.2, seed=3)
    full = DATASETS.build(dict(_train_set(data_root), pipeline=[]))
    lab = SemiSplitDataset(_train_set(data_root), split, 'labelled')
    unl = SemiSplitDataset(_train_set(data_root), split, 'unlabelled')
    assert (len(lab), len(unl)) == (6, 24)
    lab_ids = {lab.get_data_info(i)['id'] for i in range(len(lab))}
    unl_ids = {unl.get_data_info(i)['id'] for i in range(len(unl))}
    all_ids = {full.get_data_info(i)['id'] for i in range(len(full))}
    assert not lab_ids & unl_ids and lab_ids | unl_ids == all_ids
    _assert_identical(lab.metainfo, full.metainfo)
    _assert_identical(unl.metainfo, full.metainfo)

    # labelled samples keep everything Face300WDataset gives them
    info = lab.get_data_info(0)
    ref = next(full.get_data_info(i) for i in range(len(full))
               if full.get_data_info(i)['id'] == info['id'])
    ref['sample_idx'] = 0
    _assert_identical(info, ref)
    # unlabelled ones keep the image, the face box and identifiers only
    info = unl.get_data_info(0)
    metainfo_keys = {'dataset_name', 'upper_body_ids', 'lower_body_ids',
                     'flip_pairs', 'dataset_keypoint_weights', 'flip_indices',
                     'skeleton_links', 'sample_idx'}
    assert set(info) - metainfo_keys <= set(UNLABELLED_KEYS)
    assert {'bbox', 'bbox_center', 'bbox_scale', 'img_path'} <= set(info)
    assert not {k for k in set(info) - metainfo_keys
                if 'keypoint' in k or k == 'raw_ann_info'}

    # ids, image ids and file names go to the work dir
    hook = HOOKS.build(dict(type='SemiSplitDumpHook'))
    assert isinstance(hook, SemiSplitDumpHook)
    concat = DATASETS.build(dict(type='ConcatDataset', datasets=[lab, unl]))
    runner = types.SimpleNamespace(
        train_dataloader=types.SimpleNamespace(dataset=concat),
        work_dir=str(tmp_path), logger=types.SimpleNamespace(
            info=lambda *a: None, warning=lambda *a: None))
    hook.before_train(runner)
    with open(tmp_path / SPLIT_FILE_NAME) as f:
        record = json.load(f)
    assert record['split'] == dict(ratio=0.2, num=None, seed=3)
    assert record['num_samples'] == NUM_TRAIN
    assert set(record['labelled']['ann_ids']) == lab_ids
    assert set(record['unlabelled']['ann_ids']) == unl_ids
    assert record['labelled']['file_names'][0].startswith('train/')
    assert record['ann_file'].endswith(ANN)
    # subsets drawn with different splits are refused
    other = SemiSplitDataset(_train_set(data_root), dict(ratio=0.2, seed=4),
                             'unlabelled')
    with pytest.raises(ValueError, match='different splits'):
        dump_semi_split(DATASETS.build(
            dict(type='ConcatDataset', datasets=[lab, other])), str(tmp_path))


def test_refetch_stays_in_the_subset(data_root):
    """A pipeline that drops a sample (returns None) makes BaseDataset draw
    another one: it must come from the same subset."""
    split = dict(num=5, seed=0)
    lab = SemiSplitDataset(_train_set(data_root), split, 'labelled')
    lab_ids = {lab.get_data_info(i)['id'] for i in range(len(lab))}
    first = lab.get_data_info(0)['id']
    drop_first = SemiSplitDataset(
        _train_set(data_root), split, 'labelled',
        pipeline=[lambda r: None if r['id'] == first else r])
    np.random.seed(0)
    got = {drop_first[0]['id'] for _ in range(10)}
    assert first not in got and got <= lab_ids


def test_wrapper_option_errors(data_root):
    with pytest.raises(ValueError, match='subset must be one of'):
        SemiSplitDataset(_train_set(data_root), dict(num=2), 'unlabeled')
    with pytest.raises(ValueError, match='give the pipeline to SemiSplit'):
        SemiSplitDataset(dict(_train_set(data_root), pipeline=[
            dict(type='LoadImage')]), dict(num=2))
    with pytest.raises(ValueError, match='unknown option `split.percent`'):
        SemiSplitDataset(_train_set(data_root), dict(percent=5))
    with pytest.raises(ValueError, match=r'unknown option `SemiSplitDataset'
                       r'\.subest`; did you mean `SemiSplitDataset\.subset`'):
        SemiSplitDataset(_train_set(data_root), dict(num=2), subest='labelled')


# ------------------------------------------------- unlabelled GT stripping --
def _alter_unlabelled_keypoints(data_root, unlabelled_ids, out_name):
    with open(osp.join(data_root, ANN)) as f:
        coco = json.load(f)
    rng = np.random.default_rng(0)
    n_altered = 0
    for ann in coco['annotations']:
        if ann['id'] in unlabelled_ids:
            k = ann['num_keypoints']
            xy = rng.uniform(5, 90, size=(k, 2))
            vis = rng.integers(1, 3, size=(k, 1))  # still labelled (1 or 2)
            ann['keypoints'] = np.concatenate([xy, vis], 1).ravel().tolist()
            ann['num_keypoints'] = k - 1
            ann['bbox'] = [1.0, 2.0, 30.0, 40.0]
            ann['area'] = 1200.0
            n_altered += 1
    assert n_altered == len(unlabelled_ids)
    path = osp.join(data_root, 'annotations', out_name)
    with open(path, 'w') as f:
        json.dump(coco, f)
    return 'annotations/' + out_name


def _packed_unlabelled(cfg, data_root, ann_file, indices):
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset.datasets[1])
    ds_cfg.dataset.update(data_root=data_root, ann_file=ann_file)
    ds = DATASETS.build(ds_cfg)
    outs = []
    for i in indices:
        np.random.seed(100 + i)  # the same random draws for both files
        outs.append(_plain(ds[i]))
    return outs


def test_unlabelled_ground_truth_cannot_change_the_packed_outputs(
        cfg, data_root, monkeypatch):
    split = cfg.train_dataloader.dataset.datasets[1].split
    unl = SemiSplitDataset(_train_set(data_root), split, 'unlabelled')
    unl_ids = {unl.get_data_info(i)['id'] for i in range(len(unl))}
    altered = _alter_unlabelled_keypoints(data_root, unl_ids, 'altered.json')
    # the labelled split does not depend on the unlabelled labels
    lab_a = SemiSplitDataset(_train_set(data_root), split, 'labelled')
    lab_b = SemiSplitDataset(_train_set(data_root, altered), split,
                             'labelled')
    _assert_identical([lab_a.get_data_info(i) for i in range(len(lab_a))],
                      [lab_b.get_data_info(i) for i in range(len(lab_b))])

    idx = range(0, len(unl), 3)
    ref = _packed_unlabelled(cfg, data_root, ANN, idx)
    new = _packed_unlabelled(cfg, data_root, altered, idx)
    _assert_identical(ref, new)  # bitwise, inputs and data samples
    for out in ref:
        assert out['inputs']['sup'] is None
        for branch in ('unsup_teacher', 'unsup_student'):
            sample = out['data_samples'][branch]
            assert 'keypoints' not in sample['gt_instances']
            assert 'raw_ann_info' not in sample
            assert not sample.get('gt_instance_labels')
            assert not sample.get('gt_fields')

    # control: without stripping, the altered keypoints do reach the output
    import hybridmatch_mmpose.datasets.semi_split_dataset as ssd
    monkeypatch.setattr(ssd, 'strip_labels', lambda info: info)
    leaky_ref = _packed_unlabelled(cfg, data_root, ANN, idx[:1])
    leaky_new = _packed_unlabelled(cfg, data_root, altered, idx[:1])
    with pytest.raises(AssertionError, match='keypoints'):
        _assert_identical(leaky_ref, leaky_new)


# ------------------------------------------------------ strong vs weak view --
def _mutual_information(a, b, bins=32):
    h, _, _ = np.histogram2d(a.ravel(), b.ravel(), bins=bins,
                             range=[[0, 256], [0, 256]])
    p = h / h.sum()
    outer = p.sum(1, keepdims=True) @ p.sum(0, keepdims=True)
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / outer[nz])).sum())


def _best_shift(ref, img, r=2):
    """The (dy, dx) that best aligns ``img`` with ``ref``, by mutual
    information (blind to any per-pixel intensity mapping)."""
    h, w = ref.shape
    core = ref[r:h - r, r:w - r]
    scores = {(dy, dx): _mutual_information(
        core, img[r + dy:h - r + dy, r + dx:w - r + dx])
        for dy in range(-r, r + 1) for dx in range(-r, r + 1)}
    return max(scores, key=scores.get)


GEOMETRY_KEYS = ('id', 'img_id', 'img_path', 'flip', 'flip_direction',
                 'input_center', 'input_scale', 'input_size', 'bbox_rotation')


def test_strong_view_with_brightness_only_is_the_weak_view_brightened(cfg):
    """Cutout off, one op (Brightness): the strong image is exactly
    ``mmcv.adjust_brightness`` of the weak one, pixel for pixel, so every
    pixel of a drawn marker stays where the weak view has it (a stronger
    statement than comparing thresholded marker masks, which brightness
    rounding and clipping would make fragile)."""
    branch_field = list(BRANCHES)
    pipeline = TRANSFORMS.build(dict(
        type='mmdet.MultiBranch', branch_field=branch_field,
        unsup_teacher=[dict(type='PackPoseInputs')],
        unsup_student=[
            dict(type='PhotometricRandAugment',
                 aug_space=[[dict(type='Brightness')]], aug_num=1),
            dict(type='PackPoseInputs')]))
    geometry = [TRANSFORMS.build(t) for t in cfg.weak_geometry[1:]]
    img = np.full((96, 96, 3), 90, np.uint8)
    img[30:34, 50:53] = 250  # the marker
    img[60, 20] = 0
    for seed in range(6):
        np.random.seed(seed)
        results = dict(img=img.copy(), img_shape=img.shape[:2],
                       ori_shape=img.shape[:2], id=seed, img_id=seed,
                       bbox=np.array([[10, 10, 86, 86]], np.float32),
                       bbox_score=np.ones(1, np.float32),
                       flip_indices=list(range(68)))
        for t in geometry:
            results = t(results)
        out = pipeline(results)
        weak = out['inputs']['unsup_teacher'].permute(1, 2, 0).numpy()
        strong = out['inputs']['unsup_student'].permute(1, 2, 0).numpy()
        matches = [f for f in np.round(np.arange(0.1, 1.95, 0.1), 1)
                   if np.array_equal(mmcv.adjust_brightness(weak, f), strong)]
        assert matches, f'seed {seed}: not a brightness change'
        # hence the drawn marker: its weak-view pixels, brightened, are the
        # strong view's pixels at the same positions
        marker = weak.max(2) > 200
        assert marker.any()
        np.testing.assert_array_equal(
            strong[marker], mmcv.adjust_brightness(weak, matches[0])[marker])


def test_strong_view_keeps_the_weak_geometry(cfg, data_root):
    """The whole policy (RandAugment colour ops + Cutout) on SynthFace
    faces: same geometry metainfo and boxes, and the images align best at
    zero shift; a 1-pixel translation would be caught."""
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset.datasets[1])
    ds_cfg.dataset.data_root = data_root
    ds = DATASETS.build(ds_cfg)
    n_differs = 0
    for i in range(len(ds)):
        np.random.seed(i)
        out = ds[i]
        teacher = out['data_samples']['unsup_teacher']
        student = out['data_samples']['unsup_student']
        for key in GEOMETRY_KEYS:
            _assert_identical(teacher.metainfo[key], student.metainfo[key],
                              key)
        _assert_identical(_plain(teacher.gt_instances),
                          _plain(student.gt_instances))
        weak = out['inputs']['unsup_teacher'].numpy().mean(0)
        strong = out['inputs']['unsup_student'].numpy().mean(0)
        n_differs += not np.array_equal(weak, strong)
        assert _best_shift(weak, strong) == (0, 0), f'sample {i}'
        assert _best_shift(weak, np.roll(strong, 1, axis=1)) != (0, 0)
    assert n_differs >= len(ds) - 2  # the strong view is really changed


def test_strong_augment_is_photometric_only_and_seeded():
    with pytest.raises(ValueError, match="'mmdet.Rotate' is not a "
                       'photometric op'):
        PhotometricRandAugment(aug_space=[[dict(type='mmdet.Rotate')]],
                               aug_num=1)
    with pytest.raises(ValueError, match="'TranslateX' is not a photometric"):
        PhotometricRandAugment(aug_space=[[dict(type='Brightness')],
                                          [dict(type='TranslateX')]])
    strong = TRANSFORMS.build(dict(type='PhotometricRandAugment'))
    cut = TRANSFORMS.build(dict(type='RandomCutout', ratio=0.5))
    img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)

    def run(seed):
        np.random.seed(seed)
        return cut(strong(dict(img=img.copy())))['img']

    assert np.array_equal(run(1), run(1))
    assert not all(np.array_equal(run(1), run(s)) for s in range(2, 6))


def test_cutout_hole_is_centred_and_clipped():
    cut = RandomCutout(ratio=0.5, fill_in=(7, 7, 7))
    img = np.full((16, 16, 3), 200, np.uint8)
    np.random.seed(0)
    covered = np.zeros((16, 16))
    for _ in range(400):
        hole = cut(dict(img=img.copy()))['img'][..., 0] == 7
        ys, xs = np.nonzero(hole)
        assert hole.sum() == (np.ptp(ys) + 1) * (np.ptp(xs) + 1)  # a rectangle
        assert np.ptp(ys) < 8 and np.ptp(xs) < 8  # at most half the side
        covered += hole
    covered /= 400
    # every border is covered about as often as the opposite one (1/4 per
    # axis), unlike a top-left-anchored hole (1/16 per axis at the top/left)
    assert covered[0, 0] > 0.03 and covered[-1, -1] > 0.03
    assert abs(covered[0].mean() - covered[-1].mean()) < 0.08
    assert abs(covered[:, 0].mean() - covered[:, -1].mean()) < 0.08
    assert covered[8, 8] > covered[0, 0]
    assert RandomCutout(ratio=0.5, prob=0.0)(dict(img=img.copy()))[
        'img'].min() == 200
    with pytest.raises(ValueError, match='ratio'):
        RandomCutout(ratio=(0.6, 0.2))


# --------------------------------------------------------------- sampler --
class _TwoSources:
    """What MultiSourceSampler reads from a ConcatDataset."""

    def __init__(self, n_lab, n_unl):
        self.datasets = [list(range(n_lab)), list(range(n_unl))]
        self.cumulative_sizes = [n_lab, n_lab + n_unl]

    def __len__(self):
        return self.cumulative_sizes[-1]


@pytest.mark.parametrize('batch_size, ratio, n_lab', [
    (16, [1, 1], 8), (16, [1, 3], 4), (15, [1, 1], 8), (8, [1, 7], 1)])
def test_sampler_mixes_labelled_and_unlabelled_by_ratio(
        batch_size, ratio, n_lab):
    data = _TwoSources(7, 50)
    sampler = DATA_SAMPLERS.build(dict(
        type='mmdet.MultiSourceSampler', dataset=data, batch_size=batch_size,
        source_ratio=ratio, seed=0))
    it = iter(sampler)
    seen_lab = []
    for _ in range(10):
        batch = [next(it) for _ in range(batch_size)]
        assert all(i < 7 for i in batch[:n_lab])  # labelled first
        assert all(7 <= i < 57 for i in batch[n_lab:])
        seen_lab += batch[:n_lab]
    # the small labelled set is cycled through whole permutations
    assert set(seen_lab[:7]) == set(range(7))


def test_sampler_splits_the_stream_across_ranks(monkeypatch):
    import mmdet.datasets.samplers.multi_source_sampler as mss
    streams = []
    for rank in (0, 1):
        monkeypatch.setattr(mss, 'get_dist_info', lambda r=rank: (r, 2))
        sampler = mss.MultiSourceSampler(
            _TwoSources(8, 40), batch_size=4, source_ratio=[1, 1], seed=0)
        it = iter(sampler)
        streams.append([next(it) for _ in range(16)])
    # per-GPU batches of 2 + 2; the two ranks take alternate elements of
    # one seeded permutation per source: disjoint within a cycle
    lab = [[i for i in s if i < 8] for s in streams]
    assert len(lab[0]) == len(lab[1]) == 8
    assert not set(lab[0][:4]) & set(lab[1][:4])


# ----------------------------------------------------------- end to end --
def test_batch_format_through_runner_and_multibranch_preprocessor(cfg):
    dl_cfg = copy.deepcopy(cfg.train_dataloader)
    dl_cfg.update(batch_size=8, num_workers=0, persistent_workers=False)
    dl_cfg.sampler.batch_size = 8
    loader = Runner.build_dataloader(dl_cfg, seed=0)
    lab_set, unl_set = loader.dataset.datasets
    assert isinstance(lab_set, SemiSplitDataset)
    assert (len(lab_set), len(unl_set)) == (2, NUM_TRAIN - 2)  # 5 % of 30
    batch = next(iter(loader))

    pre = MODELS.build(cfg.model.data_preprocessor)
    assert type(pre).__name__ == 'MultiBranchDataPreprocessor'
    data = pre(batch, training=True)
    assert set(data) == {'inputs', 'data_samples'}
    assert set(data['inputs']) == set(BRANCHES)
    assert set(data['data_samples']) == set(BRANCHES)
    for branch in BRANCHES:
        x = data['inputs'][branch]
        assert isinstance(x, torch.Tensor) and x.dtype == torch.float32
        assert x.shape == (4, 3, 64, 64)  # 8 = 4 labelled + 4 unlabelled
        assert abs(float(x.mean())) < 1.5  # normalised
        samples = data['data_samples'][branch]
        assert len(samples) == 4
        assert all(isinstance(s, PoseDataSample) for s in samples)

    lab_ids = {lab_set.get_data_info(i)['id'] for i in range(len(lab_set))}
    for s in data['data_samples']['sup']:
        assert s.id in lab_ids
        assert s.gt_fields.heatmaps.shape == (68, 16, 16)
        labels = s.gt_instance_labels
        assert labels.keypoint_x_labels.shape == (1, 68, 256)
        assert labels.keypoint_y_labels.shape == (1, 68, 256)
        assert labels.keypoint_weights.shape == (1, 68)
        assert s.gt_instances.keypoints.shape == (1, 68, 2)
    for t, s in zip(data['data_samples']['unsup_teacher'],
                    data['data_samples']['unsup_student']):
        assert t.id not in lab_ids
        for key in GEOMETRY_KEYS:
            _assert_identical(t.metainfo[key], s.metainfo[key], key)
        for sample in (t, s):
            assert 'keypoints' not in sample.gt_instances
            assert 'heatmaps' not in sample.get('gt_fields', {})
            assert not sample.gt_instance_labels.keys()
            # TopdownAffine's constant placeholder, not ground truth
            np.testing.assert_array_equal(
                sample.gt_instances.keypoints_visible, np.ones((1, 1, 1)))

    # evaluation batches pass through to PoseDataPreprocessor unchanged
    val = pre(dict(inputs=[torch.zeros(3, 64, 64, dtype=torch.uint8)],
                   data_samples=[PoseDataSample()]), training=False)
    assert val['inputs'].shape == (1, 3, 64, 64)
