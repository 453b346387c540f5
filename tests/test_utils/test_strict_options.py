"""Strict options: a misspelt key of a hook, transform, metric, data set
or ``semi_*_cfg`` is an error naming the nearest valid key, built the way
a config builds it (mmengine's registries)."""
import pytest
from mmengine.registry import init_default_scope

import hybridmatch_mmpose  # noqa: F401  (registers the modules)
from hybridmatch_mmpose.utils.options import (UnknownOptionError,
                                              merge_known_options)


@pytest.fixture(autouse=True, scope='module')
def _scope():
    init_default_scope('mmpose')


@pytest.mark.parametrize('registry, cfg, nearest', [
    ('HOOKS', dict(type='HybridMatchHook', momentun=0.01), 'momentum'),
    ('HOOKS', dict(type='HybridMatchHook', ramp_fration=0.2),
     'ramp_fraction'),
    ('TRANSFORMS', dict(type='RandomCutout', ration=0.3), 'ratio'),
    ('TRANSFORMS', dict(type='PhotometricRandAugment', aug_nun=1),
     'aug_num'),
    ('METRICS', dict(type='FaceLandmarkMetric', treshold=0.1), 'threshold'),
])
def test_misspelt_argument_names_the_nearest(registry, cfg, nearest):
    import mmpose.registry
    name = cfg['type']
    wrong = next(k for k in cfg if k != 'type')
    with pytest.raises(UnknownOptionError,
                       match=rf'unknown option `{name}\.{wrong}`; did you '
                       rf'mean `{name}\.{nearest}`\?'):
        getattr(mmpose.registry, registry).build(cfg)


def test_correct_arguments_still_build():
    """The check passes every real parameter through unchanged."""
    from mmpose.registry import HOOKS, TRANSFORMS
    hook = HOOKS.build(dict(type='HybridMatchHook', momentum=0.01,
                            interval=2, buffers='copy'))
    assert (hook.momentum, hook.interval, hook.buffers) == (0.01, 2, 'copy')
    cutout = TRANSFORMS.build(dict(type='RandomCutout', ratio=0.3, prob=0.5))
    assert (cutout.ratio, cutout.prob) == ((0.3, 0.3), 0.5)
    with pytest.raises(UnknownOptionError, match='Valid options: none'):
        HOOKS.build(dict(type='SemiSplitDumpHook', out='x.json'))


def test_merge_known_options():
    merged = merge_known_options('semi_train_cfg', dict(a=1, b=2), dict(b=3))
    assert merged == dict(a=1, b=3)
    with pytest.raises(UnknownOptionError, match='`semi_train_cfg.c`.'):
        merge_known_options('semi_train_cfg', dict(a=1, b=2), dict(c=3))
