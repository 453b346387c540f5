"""The plugin registers into MMPose, configs inherit the stock ones, and
nothing reaches for the internet unless asked."""
import glob
import os.path as osp
import urllib.request

import pytest
from mmengine.config import Config

import hybridmatch_mmpose
from hybridmatch_mmpose.utils.data_paths import data_root_options
from hybridmatch_mmpose.utils.pretrained import (
    STOCK_HRNET_W18_IMAGENET, PretrainedWeightsUnreachable,
    check_pretrained_reachable, iter_pretrained, set_pretrained)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# every runnable config (not the variables fragment)
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True)
    if not p.endswith(osp.join('_base_', 'hybridmatch_semi.py')))


def test_version():
    assert hybridmatch_mmpose.__version__


#: training set type by config name (the rest are 300-W / SynthFace-68)
DATASET_TYPES = dict(aflw='AFLWDataset', wflw='WFLWDataset')
#: data set wrappers of the semi-supervised and labelled-only configs
WRAPPERS = ('LabelledUnlabelledDataset', 'SemiSplitDataset')


def train_set(cfg):
    """The (innermost) training set config, through our split wrappers."""
    dataset = cfg.train_dataloader.dataset
    while dataset.type in WRAPPERS:
        dataset = dataset.dataset
    return dataset


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_inherits_stock_and_is_offline(path):
    cfg = Config.fromfile(path)
    assert cfg.custom_imports == dict(
        imports=['hybridmatch_mmpose'], allow_failed_imports=False)
    # inherited from MMPose's stock 300-W HRNetV2-W18 config; HybridMatch
    # keeps that model dict flat (type changed), the mean teacher wraps the
    # supervised model (detector=...)
    model = cfg.model
    if model.type == 'SemiTopdownEstimator':
        model = model.detector
    assert 'detector' not in model
    if '/examples/' in path:  # another backbone of MMPose's zoo
        assert model.backbone.type == 'LiteHRNet' and model.neck is None
    else:
        assert model.backbone.type == 'HRNet'
        assert model.neck.type == 'FeatureMapProcessor'
    name = osp.basename(path)
    expected = next((t for key, t in DATASET_TYPES.items()
                     if f'_{key}_' in name), 'Face300WDataset')
    assert train_set(cfg).type == expected
    # offline by default: no pretrained checkpoint anywhere in the model
    assert list(iter_pretrained(cfg.model)) == []


def test_stock_config_names_imagenet_weights():
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'synthface',
        'td-hm_hrnetv2-w18_synthface-64x64_cpu.py'))
    set_pretrained(cfg.model)
    assert list(iter_pretrained(cfg.model)) == [
        ('model.backbone.init_cfg', STOCK_HRNET_W18_IMAGENET)]


def test_semi_config_pretrained_goes_to_the_backbone():
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'hybridmatch_300w_5pct.py'))
    set_pretrained(cfg.model)
    assert list(iter_pretrained(cfg.model)) == [
        ('model.backbone.init_cfg', STOCK_HRNET_W18_IMAGENET)]
    # the nested form (detector=dict(...)) is supported as well
    nested = dict(type='HybridMatchEstimator',
                  detector=dict(type='TopdownPoseEstimator',
                                backbone=dict(type='HRNet')))
    set_pretrained(nested)
    assert list(iter_pretrained(nested)) == [
        ('model.detector.backbone.init_cfg', STOCK_HRNET_W18_IMAGENET)]
    with pytest.raises(KeyError, match='detector.backbone'):
        set_pretrained(dict(type='HybridMatchEstimator'))


def test_unreachable_weights_give_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))  # empty hub cache

    def offline(*args, **kwargs):
        raise urllib.error.URLError('Temporary failure in name resolution')

    monkeypatch.setattr(urllib.request, 'urlopen', offline)
    model = dict(backbone=dict(type='HRNet'))
    set_pretrained(model)
    with pytest.raises(PretrainedWeightsUnreachable) as err:
        check_pretrained_reachable(model)
    msg = str(err.value)
    assert 'model.backbone.init_cfg' in msg and 'hrnetv2_w18' in msg
    assert 'drop --pretrained' in msg

    # a cached download is enough, offline
    url = 'https://download.openmmlab.com/pretrain/third_party/hrnetv2_w18-00eb2006.pth'
    cached = tmp_path / 'hub' / 'checkpoints' / osp.basename(url)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b'')
    check_pretrained_reachable(model)


def test_missing_local_pretrained_file(tmp_path):
    model = dict(backbone=dict(type='HRNet'))
    set_pretrained(model, str(tmp_path / 'nope.pth'))
    with pytest.raises(PretrainedWeightsUnreachable, match='nope.pth'):
        check_pretrained_reachable(model)


@pytest.mark.parametrize('config, train_key', [
    ('configs/synthface/td-hm_hrnetv2-w18_synthface-64x64_cpu.py',
     'train_dataloader.dataset'),
    ('configs/synthface/hybridmatch_synthface-5pct-64x64_cpu.py',
     'train_dataloader.dataset.dataset'),
    ('configs/hybridmatch_300w_5pct.py', 'train_dataloader.dataset.dataset'),
])
def test_data_root_options_find_every_data_set(config, train_key):
    """data_root_options (tools/misc/data_root_options.py, used by make
    demo) finds the same
    keys as the tests' hand-written list, for both config layouts."""
    from tool_runner import data_root_opts, with_cfg_options
    cfg = Config.fromfile(osp.join(REPO, config))
    opts = data_root_options(cfg, '/data/x')
    assert sorted(opts) == sorted(data_root_opts('/data/x', train_key))
    # the options really apply: every data set then reads /data/x/
    cfg = with_cfg_options(cfg, opts)
    assert train_set(cfg)['data_root'] == '/data/x/'
    assert cfg.test_evaluator.data_root == '/data/x/'
