"""ONNX export of a face landmark model (``tools/deployment/export_onnx.py``).

The graph is the predicting network only (the EMA teacher of a HybridMatch
model, or a plain top-down model): backbone + neck + head, from a
normalised input crop to the head's raw outputs. Decoding stays outside the
graph, in the codec (``model.head.decoder.decode(simcc_x, simcc_y,
heatmaps)``, argmax + the configured sub-bin refinement), as MMDeploy
exports MMPose models; the sidecar JSON carries what a runtime needs to do
the same (input size, normalisation, split ratio, flip pairs).
"""
import json
import warnings
from typing import Tuple

import torch
from torch import Tensor, nn

OUTPUT_NAMES = ('heatmaps', 'simcc_x', 'simcc_y')


class FaceLandmarkExportWrapper(nn.Module):
    """The predicting network of ``model`` as a plain ``nn.Module``.

    Args:
        model (nn.Module): A ``TopdownPoseEstimator`` with a
            ``HybridMatchHead`` or a ``HybridMatchEstimator`` (its
            ``semi_test_cfg.predict_on`` model, the teacher by default).

    Forward:
        inputs (Tensor): (N, 3, H, W), normalised as the model's
            ``data_preprocessor`` does (RGB, ``(x - mean) / std``).

    Returns:
        tuple: ``heatmaps`` (N, K, H/4, W/4), ``simcc_x`` (N, K, W *
        split_ratio), ``simcc_y`` (N, K, H * split_ratio).
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        if hasattr(model, 'semi_test_cfg'):
            model = model._model('predict_on')
        self.net = model.eval()

    def forward(self, inputs: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        return tuple(self.net.head.forward(self.net.extract_feat(inputs)))


def export_metadata(model: nn.Module) -> dict:
    """What a runtime needs besides the graph: input size, normalisation,
    the codec's split ratio and decoding, keypoint names and flip pairs."""
    net = FaceLandmarkExportWrapper(model).net
    codec = net.head.decoder
    pre = net.data_preprocessor
    meta = getattr(model, 'dataset_meta', None) or {}
    return dict(
        input_names=['input'],
        output_names=list(OUTPUT_NAMES),
        input_size=[int(v) for v in codec.input_size],  # (w, h)
        bgr_to_rgb=bool(getattr(pre, '_channel_conversion', True)),
        mean=[float(v) for v in pre.mean.flatten()],
        std=[float(v) for v in pre.std.flatten()],
        simcc_split_ratio=float(codec.simcc_split_ratio),
        decode_from=getattr(codec, 'decode_from', '1d'),
        num_keypoints=int(net.head.out_channels),
        keypoint_names=[meta['keypoint_id2name'][i] for i in sorted(
            meta.get('keypoint_id2name', {}))],
        flip_indices=list(meta.get('flip_indices', [])))


def export_onnx(model: nn.Module, path: str, opset: int = 17,
                dynamic_batch: bool = True) -> dict:
    """Write ``path`` (ONNX) and ``path + '.json'`` (metadata).

    Uses ``torch.onnx.export`` with the TorchScript-based exporter
    (``dynamo=False``: no ``onnxscript`` dependency; HRNet and the head are
    plain convolutions, interpolations and linear layers).

    Returns:
        dict: The metadata written to the JSON file.
    """
    wrapper = FaceLandmarkExportWrapper(model).cpu()
    meta = export_metadata(model)
    w, h = meta['input_size']
    dummy = torch.zeros(1, 3, h, w)
    axes = {name: {0: 'batch'} for name in ('input', ) + OUTPUT_NAMES} \
        if dynamic_batch else None
    # record=True: the tracer's warnings about Python ints in shapes are
    # about dynamic sizes; only the batch axis is dynamic here
    with torch.no_grad(), warnings.catch_warnings(record=True):
        torch.onnx.export(
            wrapper, (dummy, ), path, input_names=['input'],
            output_names=list(OUTPUT_NAMES), opset_version=opset,
            dynamic_axes=axes, dynamo=False)
    with open(path + '.json', 'w') as f:
        json.dump(meta, f, indent=1)
    return meta
