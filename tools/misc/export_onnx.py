"""Export a trained face landmark model to ONNX.

    python tools/misc/export_onnx.py CONFIG CHECKPOINT --out model.onnx
        [--opset 17] [--static-batch] [--check]

CONFIG + CHECKPOINT: a HybridMatch config with its checkpoint (the EMA
teacher is exported, or the student with ``--cfg-options
model.semi_test_cfg.predict_on=student``), or a plain MMPose config with its
checkpoint. Writes ``model.onnx`` (input ``input`` (N, 3, H, W), normalised;
outputs ``heatmaps``, ``simcc_x``, ``simcc_y``) and ``model.onnx.json``
(input size, normalisation, split ratio, keypoint names, flip pairs; see
:mod:`hybridmatch_mmpose.apis.onnx_export`). ``--check`` runs onnxruntime
on a random batch and prints the largest difference to PyTorch.
"""
import argparse
import sys

import numpy as np
import torch
from mmengine.config import DictAction

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe loading)
from hybridmatch_mmpose.apis import CheckpointMismatchError, load_face_model
from hybridmatch_mmpose.apis.onnx_export import (FaceLandmarkExportWrapper,
                                                 export_onnx)
from hybridmatch_mmpose.engine import (CorruptCheckpointError,
                                       UnsafeCheckpointError)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, help='ONNX file to write')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--static-batch', action='store_true',
                        help='batch size fixed to 1 (default: dynamic)')
    parser.add_argument('--check', action='store_true',
                        help='compare onnxruntime with PyTorch')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    try:
        model = load_face_model(args.config, args.checkpoint,
                                cfg_options=args.cfg_options)
    except (FileNotFoundError, CheckpointMismatchError,
            CorruptCheckpointError, UnsafeCheckpointError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    meta = export_onnx(model, args.out, opset=args.opset,
                       dynamic_batch=not args.static_batch)
    print(f'wrote {args.out} and {args.out}.json (input {meta["input_size"]}'
          f' w x h, {meta["num_keypoints"]} keypoints)')
    if args.check:
        import onnxruntime
        w, h = meta['input_size']
        x = torch.randn(1 if args.static_batch else 2, 3, h, w,
                        generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            ref = FaceLandmarkExportWrapper(model)(x)
        session = onnxruntime.InferenceSession(
            args.out, providers=['CPUExecutionProvider'])
        out = session.run(None, {'input': x.numpy()})
        for name, r, o in zip(meta['output_names'], ref, out):
            print(f'{name}: shape {tuple(o.shape)}, max |onnxruntime - '
                  f'torch| = {np.abs(r.numpy() - o).max():.2e}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
