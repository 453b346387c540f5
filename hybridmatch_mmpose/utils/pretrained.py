"""Optional pretrained weights, offline by default.

MMPose's stock HRNetV2-W18 face config initialises the backbone from
``open-mmlab://msra/hrnetv2_w18`` (ImageNet), which needs the internet. Our
configs set ``model.backbone.init_cfg = None`` (train from scratch, offline);
``tools/train.py --pretrained [CHECKPOINT]`` turns the stock initialisation
back on. Before training starts, :func:`check_pretrained_reachable` makes sure
every ``Pretrained`` checkpoint named in the model config is a local file, is
already in torch's hub cache, or can be downloaded; otherwise it raises a
:class:`PretrainedWeightsUnreachable` that says what to do.
"""
import os
import os.path as osp
import urllib.request
from typing import Iterator, Tuple

STOCK_HRNET_W18_IMAGENET = 'open-mmlab://msra/hrnetv2_w18'


class PretrainedWeightsUnreachable(RuntimeError):
    """A ``Pretrained`` init_cfg names weights that cannot be loaded."""


def iter_pretrained(cfg, prefix='model') -> Iterator[Tuple[str, str]]:
    """Yield ``(config key, checkpoint)`` for each ``Pretrained`` init_cfg."""
    if isinstance(cfg, dict):
        init_cfg = cfg.get('init_cfg')
        for item in (init_cfg if isinstance(init_cfg, list) else [init_cfg]):
            if isinstance(item, dict) and item.get('type') == 'Pretrained':
                yield f'{prefix}.init_cfg', item['checkpoint']
        for key, value in cfg.items():
            if key != 'init_cfg':
                yield from iter_pretrained(value, f'{prefix}.{key}')


def resolve_url(checkpoint: str) -> str:
    """``open-mmlab://name`` -> its download URL (mmengine's own table)."""
    if checkpoint.startswith(('open-mmlab://', 'openmmlab://')):
        from mmengine.runner.checkpoint import get_external_models
        name = checkpoint.split('://', 1)[1]
        return get_external_models().get(name, checkpoint)
    return checkpoint


def hub_cache_path(url: str) -> str:
    """Where mmengine's ``load_url`` caches a downloaded checkpoint."""
    import torch.hub
    return osp.join(torch.hub.get_dir(), 'checkpoints', osp.basename(url))


def set_pretrained(model_cfg, checkpoint: str = STOCK_HRNET_W18_IMAGENET):
    """Initialise ``model_cfg``'s backbone from ``checkpoint``.

    A plain top-down model and the semi-supervised
    :class:`~hybridmatch_mmpose.models.HybridMatchEstimator` in its flat form
    have it at ``model.backbone``; the estimator's nested form at
    ``model.detector.backbone``. The student and teacher are both built
    from it, and the hook copies the student into the teacher before
    training, so both start from the same pretrained weights.
    """
    if 'backbone' in model_cfg:
        backbone = model_cfg['backbone']
    elif 'backbone' in (model_cfg.get('detector') or {}):
        backbone = model_cfg['detector']['backbone']
    else:
        raise KeyError('set_pretrained: the model config has neither '
                       '`backbone` nor `detector.backbone`')
    backbone['init_cfg'] = dict(type='Pretrained', checkpoint=checkpoint)


def check_pretrained_reachable(model_cfg, timeout: float = 10.) -> None:
    """Raise :class:`PretrainedWeightsUnreachable` unless every pretrained
    checkpoint in ``model_cfg`` can be loaded."""
    for key, checkpoint in iter_pretrained(model_cfg):
        url = resolve_url(checkpoint)
        if not url.startswith(('http://', 'https://')):
            if not osp.isfile(os.path.expanduser(url)):
                raise PretrainedWeightsUnreachable(
                    f'{key}: pretrained checkpoint {checkpoint!r} is not a '
                    'file. Pass an existing path to --pretrained, or drop '
                    '--pretrained to train from scratch.')
            continue
        if osp.isfile(hub_cache_path(url)):
            continue
        try:
            with urllib.request.urlopen(
                    urllib.request.Request(url, method='HEAD'),
                    timeout=timeout):
                pass
        except OSError as err:
            raise PretrainedWeightsUnreachable(
                f'{key}: cannot fetch pretrained weights {checkpoint!r} '
                f'({url}): {err}. This machine seems to be offline. Either '
                f'download the file elsewhere and put it at '
                f'{hub_cache_path(url)} (or pass its path to --pretrained), '
                'or drop --pretrained to train from scratch.') from None
