"""Export the teacher (or student) of a HybridMatch checkpoint as a plain
MMPose top-down model: a checkpoint with ``backbone.*`` / ``neck.*`` /
``head.*`` keys and a matching config whose ``model`` is the plain
``TopdownPoseEstimator`` (HRNet + ``HybridMatchHead``), so MMPose's tools
and APIs (``tools/test.py``, ``init_model`` + ``inference_topdown``,
``MMPoseInferencer``) use it without the semi-supervised wrapper.

The config keeps the test / validation data and evaluator and drops the
semi-supervised training parts (two-source loader, HybridMatchHook); it
still imports ``hybridmatch_mmpose``, which registers ``HybridMatchHead`` and
``HybridLabel``.

Usage::

    python tools/misc/export_plain_model.py CONFIG CHECKPOINT --out-dir DIR \\
        [--which teacher|student] [--name NAME]

writes ``DIR/NAME.py`` and ``DIR/NAME.pth`` (NAME defaults to
``{config name}_{which}``). The ``.pth`` holds only tensors and plain
Python types (its ``meta.dataset_meta`` as lists), so stock torch >= 2.6
(``weights_only=True``) and mmengine load it without the plugin.
"""
import argparse
import copy
import os
import os.path as osp
import sys

import torch
from mmengine.config import Config

import hybridmatch_mmpose  # noqa: F401  (safe loading of our checkpoints)
from hybridmatch_mmpose.engine.checkpoint import (CorruptCheckpointError,
                                                  UnsafeCheckpointError,
                                                  load_from_local,
                                                  plain_python)
from hybridmatch_mmpose.models import plain_detector_config

PREFIXES = ('teacher.', 'student.')


def plain_config(cfg: Config) -> Config:
    """The plain top-down config of a HybridMatch config."""
    model = cfg.model
    if model.get('type') != 'HybridMatchEstimator':
        raise ValueError(f'{cfg.filename}: model.type is {model.get("type")}, '
                         'expected a HybridMatchEstimator config')
    out = copy.deepcopy(cfg)
    out.model = plain_detector_config(model)
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler', 'auto_scale_lr'):
        out.pop(key, None)
    out.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                        if h.get('type') == 'SyncBuffersHook']
    return out


def plain_state_dict(state_dict: dict, which: str = 'teacher') -> dict:
    """``{which}.*`` entries with the prefix removed."""
    prefix = f'{which}.'
    sd = {k[len(prefix):]: v for k, v in state_dict.items()
          if k.startswith(prefix)}
    if not sd:
        raise KeyError(f'the checkpoint has no `{prefix}*` weights: is it a '
                       'HybridMatch checkpoint?')
    return sd


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--which', choices=('teacher', 'student'),
                        default='teacher')
    parser.add_argument('--name', default=None)
    args = parser.parse_args(argv)

    cfg = Config.fromfile(args.config)
    try:
        ckpt = load_from_local(args.checkpoint, map_location='cpu')
    except (FileNotFoundError, CorruptCheckpointError,
            UnsafeCheckpointError) as err:
        sys.exit(f'ERROR: {err}')
    sd = plain_state_dict(ckpt.get('state_dict', ckpt), args.which)
    name = args.name or (osp.splitext(osp.basename(args.config))[0] +
                         f'_{args.which}')
    os.makedirs(args.out_dir, exist_ok=True)
    plain_config(cfg).dump(osp.join(args.out_dir, f'{name}.py'))
    # plain Python types only (numpy arrays as lists): the file loads with
    # stock torch.load(weights_only=True), without the plugin
    meta = plain_python({k: v for k, v in (ckpt.get('meta') or {}).items()
                         if k in ('dataset_meta', 'seed', 'experiment_name',
                                  'iter', 'mmengine_version',
                                  'mmpose_version')})
    meta['exported_from'] = dict(checkpoint=osp.abspath(args.checkpoint),
                                 which=args.which)
    torch.save(dict(state_dict=sd, meta=meta),
               osp.join(args.out_dir, f'{name}.pth'))
    print(f'wrote {args.out_dir}/{name}.py and {args.out_dir}/{name}.pth '
          f'({len(sd)} tensors, the {args.which})')


if __name__ == '__main__':
    main()
