"""ONNX export of the HybridMatch teacher: onnxruntime's outputs equal
PyTorch's, and decoding them with the codec gives the model's own
predictions (flip test off). The model is the SynthFace demo config trained
for 4 iterations (``tiny_hybridmatch`` in conftest.py)."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from tool_runner import SYNTH_CONFIG, run_tool

# requirements/export.txt: installed by `make setup` (the pinned stack); an
# environment of its own (TORCH=system) may lack it
onnxruntime = pytest.importorskip(
    'onnxruntime', reason='onnxruntime is not installed (requirements/'
    'export.txt; make setup installs it for the pinned stack)')

# needs the trained tiny model and runs the export tool
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def exported(tiny_hybridmatch, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('onnx') / 'face.onnx')
    proc = run_tool(['tools/misc/export_onnx.py', SYNTH_CONFIG,
                     osp.join(tiny_hybridmatch, 'iter_4.pth'), '--out', out,
                     '--check'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc.stdout


@pytest.fixture(scope='module')
def model(tiny_hybridmatch, one_thread):
    from hybridmatch_mmpose.apis import load_face_model
    return load_face_model(SYNTH_CONFIG,
                           osp.join(tiny_hybridmatch, 'iter_4.pth'))


def test_export_tool_writes_graph_and_metadata(exported):
    path, stdout = exported
    meta = json.loads(open(path + '.json').read())
    assert meta['input_size'] == [64, 64]
    assert meta['output_names'] == ['heatmaps', 'simcc_x', 'simcc_y']
    assert meta['num_keypoints'] == 68 and len(meta['flip_indices']) == 68
    assert meta['simcc_split_ratio'] == 4.0
    assert 'simcc_x: shape (2, 68, 256)' in stdout


def test_onnxruntime_matches_pytorch_and_decodes_to_the_predictions(
        exported, model, tiny_synthface):
    from mmpose.apis import inference_topdown

    from hybridmatch_mmpose.apis.onnx_export import FaceLandmarkExportWrapper
    path, _ = exported
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    # a batch of 3 (the batch axis is dynamic), random inputs
    x = torch.randn(3, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = FaceLandmarkExportWrapper(model)(x)
    out = session.run(None, {'input': x.numpy()})
    for r, o in zip(ref, out):
        assert r.shape == o.shape
        np.testing.assert_allclose(o, r.numpy(), atol=1e-4, rtol=1e-4)

    # a real test face: the crop MMPose's pipeline makes, through
    # onnxruntime, decoded by the codec = the model's prediction (no flip)
    with open(osp.join(tiny_synthface, 'annotations',
                       'face_landmarks_300w_valid.json')) as f:
        ann = json.load(f)
    img = osp.join(tiny_synthface, 'images', ann['images'][0]['file_name'])
    x0, y0, w, h = ann['annotations'][0]['bbox']
    model.test_cfg['flip_test'] = False
    try:
        (pred, ) = inference_topdown(model, img,
                                     np.array([[x0, y0, x0 + w, y0 + h]]))
    finally:
        model.test_cfg['flip_test'] = True
    from mmengine.dataset import Compose, pseudo_collate
    pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline)
    data = pipeline(dict(img_path=img, bbox=np.array([[x0, y0, x0 + w,
                                                       y0 + h]]),
                         bbox_score=np.ones(1), **model.dataset_meta))
    batch = model.data_preprocessor(pseudo_collate([data]), False)
    heatmaps, simcc_x, simcc_y = session.run(
        None, {'input': batch['inputs'].numpy()})
    codec = model.teacher.head.decoder
    kpts, _ = codec.decode(simcc_x, simcc_y, heatmaps)
    # crop pixels -> image pixels, as MMPose's TopdownPoseEstimator does
    sample = batch['data_samples'][0]
    centre, scale = sample.metainfo['input_center'], \
        sample.metainfo['input_scale']
    size = np.array(sample.metainfo['input_size'])
    kpts = kpts[0] / size * scale + centre - 0.5 * scale
    np.testing.assert_allclose(kpts, pred.pred_instances.keypoints[0],
                               atol=1e-2)
