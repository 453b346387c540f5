"""The HybridMatch configs: every config loads and builds its model, the
semi-supervised ones carry the paper's hyper-parameters (Sec. III-C, IV-B;
numbers recomputed here), variants differ from their base only where they
should, AFLW / WFLW facts match MMPose's stock configs, and the SynthFace
demo config draws 8 labelled + 8 unlabelled images per batch.

The 300-W / AFLW / WFLW data sets are not built (no data here); the
SynthFace data loader runs on a tiny generated SynthFace-68.
Run with OMP_NUM_THREADS=1; about 25 s on 2 loaded CPU cores."""
import copy
import glob
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import hybridmatch_mmpose  # noqa: F401  (registers everything)
from hybridmatch_mmpose.datasets import (LabelledUnlabelledDataset,
                                         SemiSplitDataset)
from hybridmatch_mmpose.engine.hooks.hybridmatch_hook import lambda_u_1d_at
from hybridmatch_mmpose.utils.pretrained import iter_pretrained
from mmpose.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# every runnable config; _base_/hybridmatch_semi.py is a fragment of
# variables that the supervised base configs inherit
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True)
    if not p.endswith(osp.join('_base_', 'hybridmatch_semi.py')))


def _path(rel):
    return osp.join(REPO, 'configs', rel)


def _load(rel):
    return Config.fromfile(_path(rel))


# The paper's setting (IV-B) and the training set sizes (IV-A)
PAPER = dict(lambda_1d=0.05, ramp_fraction=0.1, lr=1e-4, epochs=60,
             milestones=(30, 50), batch=16, input=256, heatmap=64, bins=256,
             flip=0.5, rotate=30., scale=(0.75, 1.25))
SEMI = {  # config -> (number of training faces, split)
    'hybridmatch_300w_5pct.py': (3148, dict(ratio=0.05, seed=0)),
    'hybridmatch_300w_10pct.py': (3148, dict(ratio=0.1, seed=0)),
    'hybridmatch_300w_20pct.py': (3148, dict(ratio=0.2, seed=0)),
    'hybridmatch_300w_50img.py': (3148, dict(num=50, seed=0)),
    'hybridmatch_300w_10img.py': (3148, dict(num=10, seed=0)),
    'hybridmatch_aflw_5pct.py': (20000, dict(ratio=0.05, seed=0)),
    'hybridmatch_wflw_5pct.py': (7500, dict(ratio=0.05, seed=0)),
}


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpose')


def _hook(cfg, name):
    found = [h for h in cfg.custom_hooks if h['type'] == name]
    return found[0] if found else None


def _types(pipeline):
    return [t['type'] for t in pipeline]


# ------------------------------------------------------------ every config --
@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_loads_and_builds_its_model(path):
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    # HRNetV2-W18 (the example config swaps in Lite-HRNet-18, 1.3 M / model)
    plain = cfg.model.get('detector') or cfg.model  # flat or nested form
    expected = 1e6 if plain.backbone.type == 'LiteHRNet' else 9e6
    assert sum(p.numel() for p in model.parameters()) > expected
    assert list(iter_pretrained(cfg.model)) == []  # offline by default


# -------------------------------------------------- paper hyper-parameters --
@pytest.mark.parametrize('name', sorted(SEMI))
def test_semi_config_has_the_paper_hyper_parameters(name):
    cfg = _load(name)
    num_train, split = SEMI[name]
    # schedule: I = 60 epochs of ceil(N / 16) iterations
    iters_per_epoch = math.ceil(num_train / PAPER['batch'])
    I = PAPER['epochs'] * iters_per_epoch
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_cfg.max_iters == I
    assert cfg.train_cfg.val_interval % iters_per_epoch == 0
    assert cfg.default_hooks.checkpoint.interval == cfg.train_cfg.val_interval
    assert cfg.default_hooks.checkpoint.by_epoch is False
    assert cfg.default_hooks.checkpoint.save_best == 'NME'
    assert cfg.default_hooks.checkpoint.rule == 'less'
    # Adam, lr 1e-4, linear warm-up, x0.1 at epochs 30 and 50
    assert cfg.optim_wrapper.optimizer.type == 'Adam'
    assert cfg.optim_wrapper.optimizer.lr == PAPER['lr']
    warmup, steps = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and not warmup.by_epoch
    assert warmup.begin == 0 and 0 < warmup.end < iters_per_epoch * 5
    assert steps.type == 'MultiStepLR' and not steps.by_epoch
    assert steps.milestones == [e * iters_per_epoch
                                for e in PAPER['milestones']]
    assert steps.gamma == 0.1 and steps.end == I

    # lambda_s^1D = lambda^1D = 0.05; lambda_u^1D ramps to it at K = 0.1 I
    model = cfg.model
    assert model.type == 'HybridMatchEstimator'
    assert model.head.type == 'HybridMatchHead'
    assert model.head.loss_1d_weight == PAPER['lambda_1d']
    stc = model.semi_train_cfg
    assert stc.lambda_1d == PAPER['lambda_1d']
    assert stc.pseudo_label == 'hard'
    assert model.semi_test_cfg.predict_on == 'teacher'
    K = round(PAPER['ramp_fraction'] * I)
    ramp = [lambda_u_1d_at(i, I, stc.lambda_1d, stc.ramp_fraction)
            for i in (0, K // 2, K - 1, K, I - 1)]
    assert ramp[0] == 0.
    assert ramp[1] == pytest.approx(PAPER['lambda_1d'] * (K // 2) / K)
    assert ramp[2] < PAPER['lambda_1d'] == ramp[3] == ramp[4]
    hook = _hook(cfg, 'HybridMatchHook')
    assert hook is not None and hook.get('momentum') == 0.001
    assert hook.get('lambda_1d') is None and hook.get('ramp_fraction') is None
    assert _hook(cfg, 'SemiSplitDumpHook') and _hook(cfg, 'SyncBuffersHook')

    # 256 input, 64x64 2-D heatmaps, 256 bins per axis, one codec everywhere
    codec = model.head.decoder
    assert codec.type == 'HybridLabel'
    assert tuple(codec.input_size) == (PAPER['input'], ) * 2
    assert tuple(codec.heatmap_size) == (PAPER['heatmap'], ) * 2
    assert PAPER['input'] * codec.simcc_split_ratio == PAPER['bins']
    assert codec.sigma == 1.5
    # the stock backbone / neck, offline, stock flip test
    assert model.backbone.type == 'HRNet'
    assert model.backbone.init_cfg is None
    assert model.neck.type == 'FeatureMapProcessor'
    assert model.test_cfg.flip_test is True

    # data: 8 labelled + 8 unlabelled per batch of 16, the split
    dl = cfg.train_dataloader
    assert dl.batch_size == dl.sampler.batch_size == PAPER['batch']
    assert dl.sampler.type == 'mmdet.MultiSourceSampler'
    ratio = dl.sampler.source_ratio
    n_lab = PAPER['batch'] - int(PAPER['batch'] * ratio[1] / sum(ratio))
    assert n_lab == 8
    ds = dl.dataset
    assert ds.type == 'LabelledUnlabelledDataset'
    assert dict(ds.split) == split
    assert 'pipeline' not in ds.dataset
    # T_w: flip 0.5, rotation +-30 deg, scale +-25 %, no shift
    weak = ds.weak_pipeline
    assert _types(weak) == ['LoadImage', 'GetBBoxCenterScale', 'RandomFlip',
                            'RandomBBoxTransform', 'TopdownAffine']
    flip, bbox = weak[2], weak[3]
    assert flip.direction == 'horizontal' and flip.prob == PAPER['flip']
    assert bbox.rotate_factor == PAPER['rotate']
    assert tuple(bbox.scale_factor) == PAPER['scale']
    assert bbox.shift_prob == 0
    assert tuple(weak[4].input_size) == tuple(codec.input_size)
    # labelled: targets from the same codec; unlabelled: the teacher sees
    # T_w, the student T'_s(T_w) with photometric ops + Cutout only
    assert _types(ds.sup_pipeline) == ['GenerateTarget', 'mmdet.MultiBranch']
    assert ds.sup_pipeline[0].encoder == codec
    (branches, ) = ds.unsup_pipeline
    assert branches.type == 'mmdet.MultiBranch'
    assert _types(branches.unsup_teacher) == ['PackPoseInputs']
    assert _types(branches.unsup_student) == [
        'PhotometricRandAugment', 'RandomCutout', 'PackPoseInputs']


def test_variants_differ_from_the_5pct_config_in_the_split_only():
    base = _load('hybridmatch_300w_5pct.py').to_dict()
    for name in ('hybridmatch_300w_20pct.py', 'hybridmatch_300w_10pct.py',
                 'hybridmatch_300w_50img.py', 'hybridmatch_300w_10img.py'):
        cfg = _load(name).to_dict()
        split = cfg['train_dataloader']['dataset'].pop('split')
        assert split == SEMI[name][1]
        ref = copy.deepcopy(base)
        ref['train_dataloader']['dataset'].pop('split')
        assert cfg == ref, name


def _stock(tmp_path, dataset):
    path = tmp_path / f'stock_{dataset}.py'
    path.write_text(
        "_base_ = ['mmpose::face_2d_keypoint/topdown_heatmap/"
        f"{dataset}/td-hm_hrnetv2-w18_8xb64-60e_{dataset}-256x256.py']\n")
    return Config.fromfile(str(path))


@pytest.mark.parametrize('dataset', ['300w', 'aflw', 'wflw'])
def test_data_set_facts_match_the_stock_config(dataset, tmp_path):
    name = ('hybridmatch_300w_5pct.py' if dataset == '300w' else
            f'hybridmatch_{dataset}_5pct.py')
    cfg, stock = _load(name), _stock(tmp_path, dataset)
    assert cfg.model.head.out_channels == \
        stock.model.head.out_channels
    assert cfg.model.head.in_channels == stock.model.head.in_channels
    inner = cfg.train_dataloader.dataset.dataset
    for key in ('type', 'data_root', 'data_mode', 'ann_file', 'data_prefix'):
        assert inner[key] == stock.train_dataloader.dataset[key], key
        assert cfg.val_dataloader.dataset[key] == \
            stock.val_dataloader.dataset[key], key
        assert cfg.test_dataloader.dataset[key] == \
            stock.test_dataloader.dataset[key], key
    assert cfg.val_dataloader.dataset.pipeline == \
        stock.val_dataloader.dataset.pipeline
    assert cfg.dataset_type == stock.dataset_type
    assert cfg.data_root == stock.data_root
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        assert evaluator.type == 'FaceLandmarkMetric'
        assert evaluator.norm_mode == stock.val_evaluator.norm_mode
        assert evaluator.get('norm_item') == stock.val_evaluator.get(
            'norm_item')
        assert evaluator.data_root == stock.data_root
    assert cfg.model.test_cfg == stock.model.test_cfg


def test_evaluator_subsets():
    c300w = _load('hybridmatch_300w_5pct.py')
    assert c300w.val_evaluator.subsets == dict(
        common='annotations/face_landmarks_300w_valid_common.json',
        challenge='annotations/face_landmarks_300w_valid_challenge.json')
    aflw = _load('hybridmatch_aflw_5pct.py')
    assert aflw.test_evaluator.norm_item == 'bbox_size'
    assert aflw.test_evaluator.subsets == dict(
        frontal='annotations/face_landmarks_aflw_test_frontal.json')
    wflw = _load('hybridmatch_wflw_5pct.py')
    assert wflw.test_evaluator.keypoint_indices == [60, 72]
    assert wflw.test_evaluator.subsets == {
        name: f'annotations/face_landmarks_wflw_test_{file}.json'
        for name, file in [('pose', 'largepose'), ('expression', 'expression'),
                           ('illumination', 'illumination'),
                           ('makeup', 'makeup'), ('occlusion', 'occlusion'),
                           ('blur', 'blur')]}


# ---------------------------------------------------------------- ablations --
ABLATIONS = [  # (300-W config, its SynthFace version)
    ('ablations/fsl_2d_300w_10pct.py',
     'synthface/fsl-2d_synthface-5pct-64x64_cpu.py'),
    ('ablations/fsl_1d_300w_10pct.py',
     'synthface/fsl-1d_synthface-5pct-64x64_cpu.py'),
    ('ablations/ssl_2d_300w_10pct.py',
     'synthface/ssl-2d_synthface-5pct-64x64_cpu.py'),
    ('ablations/ssl_1d_300w_10pct.py',
     'synthface/ssl-1d_synthface-5pct-64x64_cpu.py'),
    ('ablations/hybridmatch_300w_10pct_soft.py',
     'synthface/hybridmatch-soft_synthface-5pct-64x64_cpu.py'),
]
BASES = {'ablations': 'hybridmatch_300w_10pct.py',
         'synthface': 'synthface/hybridmatch_synthface-5pct-64x64_cpu.py'}


def _head(cfg):
    return cfg.model.head


@pytest.mark.parametrize('name', [n for pair in ABLATIONS for n in pair])
def test_ablation_settings(name):
    cfg, base = _load(name), _load(BASES[name.split('/')[0]])
    kind = osp.basename(name)[:6].replace('-', '_')
    head, base_head = _head(cfg), _head(base)
    loss_2d_weight = head.get('loss_2d', {}).get('loss_weight', 1.)
    decode = head.get('decode_from', None) or head.decoder.get(
        'decode_from', '1d')
    assert head.decoder == base_head.decoder
    # everything but model / data / hooks is the semi base's
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler',
                'default_hooks', 'val_dataloader', 'val_evaluator'):
        assert cfg[key] == base[key], key

    if kind.startswith('fsl'):
        # supervised only: the plain detector on the labelled split
        assert cfg.model.type == 'TopdownPoseEstimator'
        assert cfg.model.data_preprocessor.type == 'PoseDataPreprocessor'
        ds = cfg.train_dataloader.dataset
        assert ds.type == 'SemiSplitDataset' and ds.subset == 'labelled'
        assert ds.split == base.train_dataloader.dataset.split
        assert ds.dataset == base.train_dataloader.dataset.dataset
        assert ds.pipeline[:-2] == base.train_dataloader.dataset.weak_pipeline
        assert _types(ds.pipeline[-2:]) == ['GenerateTarget', 'PackPoseInputs']
        assert ds.pipeline[-2].encoder == head.decoder
        assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'
        assert cfg.train_dataloader.batch_size == 16
        assert _hook(cfg, 'HybridMatchHook') is None
        assert _hook(cfg, 'SemiSplitDumpHook')
    else:
        assert cfg.model.type == 'HybridMatchEstimator'
        assert cfg.train_dataloader == base.train_dataloader
        assert cfg.custom_hooks == base.custom_hooks
    stc = cfg.model.get('semi_train_cfg', {})
    if kind == 'fsl_2d':
        assert (loss_2d_weight, head.loss_1d_weight, decode) == (1., 0., '2d')
    elif kind == 'fsl_1d':
        assert (loss_2d_weight, head.loss_1d_weight, decode) == (0., 1., '1d')
    elif kind == 'ssl_2d':
        assert (loss_2d_weight, head.loss_1d_weight, decode) == (1., 0., '2d')
        assert stc.lambda_1d == 0.
    elif kind == 'ssl_1d':
        assert (loss_2d_weight, head.loss_1d_weight, decode) == (0., 1., '1d')
        assert (stc.lambda_1d, stc.ramp_fraction) == (1., 0.)
    else:  # soft pseudo-labels, otherwise HybridMatch
        assert stc.pseudo_label == 'soft'
        assert cfg.model.to_dict() == dict(
            base.model.to_dict(),
            semi_train_cfg=dict(base.model.semi_train_cfg,
                                pseudo_label='soft'))


# ----------------------------------------------------- the SynthFace demo --
SYNTH = 'synthface/hybridmatch_synthface-5pct-64x64_cpu.py'


def test_synthface_config_is_the_paper_config_at_64x64():
    cfg, paper = _load(SYNTH), _load('hybridmatch_300w_5pct.py')
    codec = cfg.model.head.decoder
    assert tuple(codec.input_size) == (64, 64)
    assert tuple(codec.heatmap_size) == (16, 16)
    assert 64 * codec.simcc_split_ratio == 256  # 256 bins as the paper
    assert cfg.train_dataloader.dataset.sup_pipeline[0].encoder == codec
    assert cfg.train_dataloader.dataset.weak_pipeline[-1].input_size == \
        (64, 64)
    assert cfg.val_dataloader.dataset.pipeline[-2].input_size == (64, 64)
    for key in ('data_root', ):
        for part in (cfg.train_dataloader.dataset.dataset,
                     cfg.val_dataloader.dataset, cfg.test_dataloader.dataset,
                     cfg.val_evaluator, cfg.test_evaluator):
            assert part[key] == 'data/synthface/'
    # same recipe otherwise: estimator settings (plus a supervised burn-in
    # of a sixth of the schedule), split, augmentation
    assert cfg.model.semi_train_cfg == dict(
        paper.model.semi_train_cfg,
        burn_in_iters=cfg.train_cfg.max_iters // 6)
    assert cfg.model.head.loss_1d_weight == 0.05
    assert cfg.train_dataloader.dataset.split == dict(ratio=0.05, seed=0)
    assert cfg.train_dataloader.dataset.weak_pipeline[:-1] == \
        paper.train_dataloader.dataset.weak_pipeline[:-1]
    assert cfg.train_dataloader.dataset.unsup_pipeline == \
        paper.train_dataloader.dataset.unsup_pipeline
    # the schedule's shape: milestones at 1/2 and 5/6 of I, one validation
    I = cfg.train_cfg.max_iters
    assert cfg.param_scheduler[1].milestones == [I // 2, I * 5 // 6]
    assert cfg.train_cfg.val_interval == I
    # EMA window: the same fraction of I as the paper config
    momentum = _hook(cfg, 'HybridMatchHook').momentum
    assert 1 / momentum / I == pytest.approx(
        1 / 0.001 / paper.train_cfg.max_iters, rel=0.01)


@pytest.fixture(scope='module')
def synthface_root(tmp_path_factory):
    from hybridmatch_mmpose.synthface import generate_synthface
    root = str(tmp_path_factory.mktemp('synthface_cfg'))
    generate_synthface(root, num_train=20, num_test=2, image_size=96,
                       seed=4, contact_sheet=None)
    return root + '/'


def test_synthface_config_draws_8_labelled_and_8_unlabelled(synthface_root):
    cfg = _load(SYNTH)
    dl_cfg = copy.deepcopy(cfg.train_dataloader)
    dl_cfg.dataset.dataset.data_root = synthface_root
    dl_cfg.update(num_workers=0, persistent_workers=False)
    loader = Runner.build_dataloader(dl_cfg, seed=0)
    data = loader.dataset
    assert isinstance(data, LabelledUnlabelledDataset)
    assert (len(data.labelled), len(data.unlabelled)) == (1, 19)  # 5 % of 20
    assert len(data) == 20 and data.cumulative_sizes == [1, 20]
    # one "epoch" of the schedule: ceil(all faces / batch) iterations
    assert len(loader) == math.ceil(20 / 16)
    assert data.split_info['split'] == dict(ratio=0.05, num=None, seed=0)
    batch = next(iter(loader))
    pre = MODELS.build(cfg.model.data_preprocessor)
    out = pre(batch, training=True)
    lab_ids = set(data.split_info['labelled']['ann_ids'])
    sizes = {k: tuple(v.shape) for k, v in out['inputs'].items()}
    assert sizes == dict(sup=(8, 3, 64, 64), unsup_teacher=(8, 3, 64, 64),
                         unsup_student=(8, 3, 64, 64))
    samples = out['data_samples']
    assert all(s.id in lab_ids for s in samples['sup'])
    assert not any(s.id in lab_ids for s in samples['unsup_teacher'])
    assert [s.id for s in samples['unsup_teacher']] == \
        [s.id for s in samples['unsup_student']]
    s = samples['sup'][0]
    assert s.gt_fields.heatmaps.shape == (68, 16, 16)
    assert s.gt_instance_labels.keypoint_x_labels.shape == (1, 68, 256)
    assert not samples['unsup_student'][0].gt_instance_labels.keys()
    # the model takes the batch: L_s and L_u terms
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    with torch.no_grad():
        losses = model(**out, mode='loss')
    assert {'sup_loss_2d', 'sup_loss_1d', 'unsup_loss_2d',
            'unsup_loss_1d'} <= set(losses)


# ------------------------------------------------ LabelledUnlabelledDataset --
def _train_set(root):
    return dict(type='Face300WDataset', data_root=root,
                ann_file='annotations/face_landmarks_300w_train.json',
                data_prefix=dict(img='images/'))


def test_labelled_unlabelled_dataset(synthface_root):
    load = [dict(type='LoadImage')]
    data = DATASETS.build(dict(
        type='LabelledUnlabelledDataset', dataset=_train_set(synthface_root),
        split=dict(num=4, seed=1), weak_pipeline=load,
        sup_pipeline=[dict(type='GetBBoxCenterScale')], unsup_pipeline=[]))
    lab, unl = data.datasets
    assert data.labelled is lab and data.unlabelled is unl
    assert all(isinstance(d, SemiSplitDataset) for d in (lab, unl))
    assert (lab.subset, unl.subset) == ('labelled', 'unlabelled')
    assert (len(lab), len(unl), len(data)) == (4, 16, 20)
    lab_ids = {lab.get_data_info(i)['id'] for i in range(4)}
    unl_ids = {unl.get_data_info(i)['id'] for i in range(16)}
    assert not lab_ids & unl_ids and len(lab_ids | unl_ids) == 20
    assert lab.split_info == unl.split_info == data.split_info
    assert lab._inner is None and unl._inner is None  # released
    # weak_pipeline first, then the subset's own
    assert [type(t).__name__ for t in lab.pipeline.transforms] == [
        'LoadImage', 'GetBBoxCenterScale']
    assert [type(t).__name__ for t in unl.pipeline.transforms] == [
        'LoadImage']
    assert 'keypoints' in data[0] and 'keypoints' not in data[4]
    assert data.metainfo['dataset_name'] == '300w'

    with pytest.raises(ValueError, match='give the pipelines to the wrapper'):
        LabelledUnlabelledDataset(
            dict(_train_set(synthface_root), pipeline=load),
            split=dict(ratio=0.5), sup_pipeline=[], unsup_pipeline=[])
    with pytest.raises(ValueError, match='split.ratio must be in'):
        LabelledUnlabelledDataset(
            _train_set(synthface_root), split=dict(ratio=2.),
            sup_pipeline=[], unsup_pipeline=[])


@pytest.mark.parametrize('name', [pair[1] for pair in ABLATIONS])
def test_synthface_ablation_trains_with_the_intended_losses(
        name, synthface_root):
    """One loss evaluation per SynthFace ablation on a batch of 2 from its
    own training data loader: the switched-off terms are exactly 0."""
    cfg = _load(name)
    dl_cfg = copy.deepcopy(cfg.train_dataloader)
    # the training set inside LabelledUnlabelledDataset / SemiSplitDataset
    dl_cfg.dataset.dataset.data_root = synthface_root
    dl_cfg.update(batch_size=2, num_workers=0, persistent_workers=False)
    if 'batch_size' in dl_cfg.sampler:
        dl_cfg.sampler.batch_size = 2
    batch = next(iter(Runner.build_dataloader(dl_cfg, seed=0)))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if hasattr(model, 'set_lambda_u_1d'):  # as HybridMatchHook after K
        model.set_lambda_u_1d(cfg.model.semi_train_cfg.lambda_1d)
    with torch.no_grad():
        losses = model(**model.data_preprocessor(batch, True), mode='loss')
    losses = {k: float(v) for k, v in losses.items() if 'loss' in k}
    kind = osp.basename(name)[:6]
    if kind.startswith('fsl'):
        assert set(losses) == {'loss_2d', 'loss_1d'}
        off = 'loss_1d' if kind == 'fsl-2d' else 'loss_2d'
    else:
        assert set(losses) == {'sup_loss_2d', 'sup_loss_1d', 'unsup_loss_2d',
                               'unsup_loss_1d'}
        off = {'ssl-2d': 'loss_1d', 'ssl-1d': 'loss_2d'}.get(kind)
    for key, value in losses.items():
        if off is not None and key.endswith(off):
            assert value == 0, key
        elif key.startswith('sup_') or not key.startswith('unsup'):
            assert value > 0, key  # labelled terms are never 0


# ------------------------------------------------------ the config tree --
WRAPS = [  # (supervised base, the semi-supervised config that wraps it)
    ('fsl_2d_300w_5pct.py', 'hybridmatch_300w_5pct.py'),
    ('_base_/fsl-2d_64x64_cpu.py', '_base_/hybridmatch_64x64_cpu.py'),
    ('300w_afw_helen/fsl-2d_afw-helen-5pct-64x64_cpu.py',
     '300w_afw_helen/hybridmatch_afw-helen-5pct-64x64_cpu.py'),
]


@pytest.mark.parametrize('fsl_name, semi_name', WRAPS)
def test_semi_config_wraps_its_supervised_base(fsl_name, semi_name):
    """The semi-supervised config is its supervised base with the model
    wrapped (student + EMA teacher, HybridMatchHead) and the unlabelled
    faces added: the same network body, labelled faces, T_w, schedule and
    test set."""
    fsl, semi = _load(fsl_name), _load(semi_name)
    assert fsl.model.type == 'TopdownPoseEstimator'
    assert fsl.model.head.type == 'HeatmapHead'  # MMPose's stock model
    assert semi.detector == fsl.model
    for key in ('backbone', 'neck', 'test_cfg'):
        assert semi.model[key] == fsl.model[key], key
    assert semi.model.data_preprocessor.data_preprocessor == \
        fsl.model.data_preprocessor
    # the HybridMatch head has the stock head's 2-D half
    hm_codec, codec = semi.model.head.decoder, fsl.model.head.decoder
    for key in ('input_size', 'heatmap_size', 'sigma'):
        assert hm_codec[key] == codec[key], key
    assert hm_codec.get('unbiased', False) == codec.get('unbiased', False)
    assert semi.model.head.in_channels == fsl.model.head.in_channels
    sup, ds = fsl.train_dataloader.dataset, semi.train_dataloader.dataset
    assert (sup.type, sup.subset) == ('SemiSplitDataset', 'labelled')
    assert ds.dataset == sup.dataset and ds.split == sup.split
    assert ds.weak_pipeline == sup.pipeline[:-2]
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler',
                'default_hooks', 'val_dataloader', 'test_dataloader',
                'val_evaluator', 'test_evaluator'):
        assert semi[key] == fsl[key], key
    assert semi.val_cfg.type == 'TeacherStudentValLoop'
    assert _hook(semi, 'HybridMatchHook') and not _hook(fsl, 'HybridMatchHook')
