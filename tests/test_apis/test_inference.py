"""Using a trained model: MMPose's ``init_model`` / ``inference_topdown`` and
``MMPoseInferencer`` on a HybridMatch config + checkpoint, ``tools/infer.py``
on images, a folder and a video, and its errors. The model is the SynthFace
demo config trained for 4 iterations (``tiny_hybridmatch`` in conftest.py).
"""
import json
import os.path as osp
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from tool_runner import REPO, SYNTH_CONFIG, run_tool

from hybridmatch_mmpose.utils.shared_data import SHARED_ENV, shared_data_dir

SHARED = Path(shared_data_dir())
REAL68 = SHARED / 'real68'


@pytest.fixture(scope='module')
def ckpt(tiny_hybridmatch):
    return osp.join(tiny_hybridmatch, 'iter_4.pth')


@pytest.fixture(scope='module')
def test_faces(tiny_synthface):
    """``[(image path, file_name, bbox xyxy, keypoints (68, 2))]`` of the
    tiny set's test faces."""
    with open(osp.join(tiny_synthface, 'annotations',
                       'face_landmarks_300w_valid.json')) as f:
        ann = json.load(f)
    names = {im['id']: im['file_name'] for im in ann['images']}
    faces = []
    for a in ann['annotations']:
        x, y, w, h = a['bbox']
        faces.append((osp.join(tiny_synthface, 'images', names[a['image_id']]),
                      names[a['image_id']],
                      np.array([x, y, x + w, y + h], np.float32),
                      np.array(a['keypoints'], np.float32).reshape(-1, 3)[:,
                                                                          :2]))
    return faces


@pytest.fixture(scope='module')
def semi_model(ckpt, one_thread):
    from mmpose.apis import init_model
    return init_model(SYNTH_CONFIG, ckpt, device='cpu')


def _teacher_reference(model, ckpt):
    """The teacher alone, loaded by hand from the checkpoint's
    ``teacher.*`` weights: an independent path to the expected output."""
    from mmengine.config import Config
    from mmpose.registry import MODELS

    from hybridmatch_mmpose.models import plain_detector_config
    cfg = Config.fromfile(SYNTH_CONFIG)
    plain = MODELS.build(plain_detector_config(cfg.model))
    state = torch.load(ckpt, map_location='cpu',
                       weights_only=True)['state_dict']
    plain.load_state_dict({k[len('teacher.'):]: v for k, v in state.items()
                           if k.startswith('teacher.')})
    plain.cfg, plain.dataset_meta = model.cfg, model.dataset_meta
    return plain.eval()


@pytest.mark.slow
def test_mmpose_init_model_and_inference_topdown_on_the_semi_config(
        semi_model, ckpt, test_faces):
    from mmpose.apis import inference_topdown

    from hybridmatch_mmpose.models import HybridMatchEstimator
    assert isinstance(semi_model, HybridMatchEstimator)
    # dataset_meta from the checkpoint: 68 points and their flip pairs
    assert semi_model.dataset_meta['num_keypoints'] == 68
    assert len(semi_model.dataset_meta['flip_indices']) == 68
    # test_cfg is the predicting teacher's (MMPose's inferencer sets it)
    assert semi_model.test_cfg is semi_model.teacher.test_cfg
    img, _, box, _ = test_faces[0]
    (pred, ) = inference_topdown(semi_model, img, box[None])
    (ref, ) = inference_topdown(_teacher_reference(semi_model, ckpt), img,
                                box[None])
    assert pred.pred_instances.keypoints.shape == (1, 68, 2)
    np.testing.assert_allclose(pred.pred_instances.keypoints,
                               ref.pred_instances.keypoints, atol=1e-4)


@pytest.mark.slow
def test_mmpose_inferencer_whole_image(ckpt, semi_model, test_faces,
                                       one_thread):
    from mmpose.apis import MMPoseInferencer, inference_topdown
    inferencer = MMPoseInferencer(pose2d=SYNTH_CONFIG, pose2d_weights=ckpt,
                                  det_model='whole_image', device='cpu')
    img = test_faces[1][0]
    out = next(inferencer(img))
    (face, ) = out['predictions'][0]
    (ref, ) = inference_topdown(semi_model, img)  # whole image box
    assert np.array(face['keypoints']).shape == (68, 2)
    np.testing.assert_allclose(face['keypoints'],
                               ref.pred_instances.keypoints[0], atol=1e-3)


def _video(path, frames):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (frames[0].shape[1], frames[0].shape[0]))
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.mark.slow
def test_infer_tool_folder_video_boxes_and_bad_files(ckpt, semi_model,
                                                     test_faces, tmp_path):
    """A folder with two images (one with a box outside the image), an
    unreadable and a truncated image and a 3-frame video: JSON per input
    with the landmarks MMPose's inference_topdown gives for the same boxes,
    overlays drawn,
    a warning per bad item, and the run goes to the end (exit status 1)."""
    from mmpose.apis import inference_topdown
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    (img_a, _, box_a, _), (img_b, _, box_b, _) = test_faces[:2]
    shutil.copy(img_a, src / 'a.jpg')
    shutil.copy(img_b, src / 'sub' / 'b.jpg')
    (src / 'broken.jpg').write_bytes(b'not an image')
    data = open(img_a, 'rb').read()  # bottom half missing: decodes grey
    (src / 'truncated.jpg').write_bytes(data[:len(data) // 2])
    frames = [cv2.imread(f[0]) for f in test_faces[:3]]
    _video(src / 'clip.mp4', frames)
    boxes = {'a.jpg': [box_a.tolist(), [-300, -300, -200, -200]],
             'sub/b.jpg': [box_b.tolist()],
             'broken.jpg': [box_a.tolist()],
             'truncated.jpg': [box_a.tolist()]}
    for i, face in enumerate(test_faces[:3]):
        boxes[f'clip.mp4/{i:06d}'] = [face[2].tolist()]
    (tmp_path / 'boxes.json').write_text(json.dumps(boxes))
    out = tmp_path / 'out'
    proc = run_tool(['tools/infer.py', SYNTH_CONFIG, ckpt, str(src),
                     '--out-dir', str(out), '--boxes',
                     str(tmp_path / 'boxes.json')])
    assert proc.returncode == 1, proc.stderr[-3000:]

    summary = json.loads((out / 'summary.json').read_text())
    assert (summary['inputs'], summary['done']) == (5, 3)
    assert summary['faces'] == 1 + 1 + 3
    broken, truncated = summary['failed']
    assert broken['file'].endswith('broken.jpg')
    assert "broken.jpg: not an image: it starts with b'not an i'" in \
        broken['error']
    assert 'truncated.jpg: truncated JPEG' in truncated['error']
    assert any('a.jpg: box 1' in w and 'outside' in w
               for w in summary['warnings'])
    assert 'broken.jpg' in proc.stderr

    for name, img, box in (('a.jpg', img_a, box_a),
                           ('sub/b.jpg', img_b, box_b)):
        record = json.loads((out / 'predictions' / f'{name}.json')
                            .read_text())
        (face, ) = record['faces']
        assert face['bbox_source'] == 'file'
        assert len(face['keypoint_scores']) == 68
        (ref, ) = inference_topdown(semi_model, img, box[None])
        np.testing.assert_allclose(face['keypoints'],
                                   ref.pred_instances.keypoints[0],
                                   atol=2e-3)
        overlay = cv2.imread(str(out / 'overlays' /
                                 (osp.splitext(name)[0] + '.jpg')))
        assert overlay.shape == cv2.imread(img).shape
        assert np.abs(overlay.astype(int) - cv2.imread(img)).max() > 100

    video = json.loads((out / 'predictions' / 'clip.mp4.json').read_text())
    assert [f['frame'] for f in video['frames']] == [0, 1, 2]
    assert all(len(f['faces']) == 1 and len(f['faces'][0]['keypoints']) ==
               68 for f in video['frames'])
    cap = cv2.VideoCapture(str(out / 'overlays' / 'clip.mp4'))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
    cap.release()


@pytest.mark.slow
def test_infer_tool_whole_image_on_one_image(ckpt, test_faces, tmp_path):
    out = tmp_path / 'out'
    proc = run_tool(['tools/infer.py', SYNTH_CONFIG, ckpt, test_faces[0][0],
                     '--out-dir', str(out), '--whole-image', '--no-overlay'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    name = osp.basename(test_faces[0][0])
    record = json.loads((out / 'predictions' / f'{name}.json').read_text())
    (face, ) = record['faces']
    assert face['bbox_source'] == 'whole_image'
    assert face['bbox'] == [0, 0, record['width'], record['height']]
    assert not (out / 'overlays').exists()


@pytest.mark.slow
def test_infer_tool_wrong_checkpoint_stops_before_any_input(ckpt, tmp_path):
    """A 68-point checkpoint with the 98-point WFLW config: exit status 2,
    the message names the checkpoint, the config and a mismatched shape."""
    config = osp.join(REPO, 'configs', 'hybridmatch_wflw_5pct.py')
    proc = run_tool(['tools/infer.py', config, ckpt, str(tmp_path),
                     '--out-dir', str(tmp_path / 'out'), '--whole-image'])
    assert proc.returncode == 2
    assert f'checkpoint {ckpt} does not fit config {config}' in proc.stderr
    assert 'of another shape' in proc.stderr and '(98' in proc.stderr
    assert not (tmp_path / 'out').exists()


@pytest.mark.slow
def test_checkpoint_mismatch_hints_at_the_plain_export(semi_model, ckpt):
    from hybridmatch_mmpose.apis import (CheckpointMismatchError,
                                         check_state_dict_fits)
    plain = _teacher_reference(semi_model, ckpt)
    semi_state = semi_model.state_dict()
    check_state_dict_fits(semi_model, semi_state, 'semi.py', 'semi.pth')
    with pytest.raises(CheckpointMismatchError,
                       match='HybridMatch checkpoint: use it with its '
                       'HybridMatch config, or export'):
        check_state_dict_fits(plain, semi_state, 'plain.py', 'semi.pth')
    with pytest.raises(CheckpointMismatchError, match='plain model'):
        check_state_dict_fits(semi_model, plain.state_dict(), 'semi.py',
                              'plain.pth')


def test_read_box_file_layouts_and_errors(tiny_synthface, tmp_path):
    from hybridmatch_mmpose.apis import BoxFileError, read_box_file
    coco = read_box_file(osp.join(tiny_synthface, 'annotations',
                                  'face_landmarks_300w_valid.json'))
    assert len(coco) == 6
    (name, boxes), = list(coco.items())[:1]
    assert boxes.shape == (1, 4) and (boxes[:, 2:] > boxes[:, :2]).all()
    path = tmp_path / 'b.json'
    path.write_text(json.dumps({'x.jpg': [[1, 2, 3, 4, 0.9]]}))
    np.testing.assert_array_equal(read_box_file(str(path))['x.jpg'],
                                  [[1, 2, 3, 4]])
    path.write_text(json.dumps({'x.jpg': [[1, 2, 3]]}))
    with pytest.raises(BoxFileError, match=r'x.jpg.*4 values'):
        read_box_file(str(path))
    path.write_text('[1, 2')
    with pytest.raises(BoxFileError, match=r'^box file .*b\.json: not valid '
                       r'JSON at line 1, column 6 .*`--boxes`'):
        read_box_file(str(path))


@pytest.mark.slow
def test_infer_tool_with_a_coco_box_file_on_its_image_folder(
        ckpt, semi_model, tiny_synthface, tmp_path):
    """MMPose's 300-W annotation file as the box file, the ``images/test``
    folder as input: keys ``test/NAME.jpg`` match ``NAME.jpg``, and the box
    is the one MMPose's Face300WDataset builds from center / scale, so the
    landmarks equal those of the test pipeline (what tools/test.py
    evaluates)."""
    from mmengine.dataset import pseudo_collate
    from mmpose.registry import DATASETS
    out = tmp_path / 'out'
    proc = run_tool(['tools/infer.py', SYNTH_CONFIG, ckpt,
                     osp.join(tiny_synthface, 'images', 'test'), '--out-dir',
                     str(out), '--no-overlay', '--boxes',
                     osp.join(tiny_synthface, 'annotations',
                              'face_landmarks_300w_valid.json')])
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / 'summary.json').read_text())
    assert (summary['inputs'], summary['faces']) == (6, 6)
    assert summary['warnings'] == []

    dataset_cfg = semi_model.cfg.test_dataloader.dataset.copy()
    dataset_cfg.data_root = tiny_synthface + '/'
    dataset = DATASETS.build(dataset_cfg)
    for i in range(2):
        with torch.no_grad():
            (ref, ) = semi_model.test_step(pseudo_collate([dataset[i]]))
        name = osp.basename(ref.img_path)
        (face, ) = json.loads((out / 'predictions' / f'{name}.json')
                              .read_text())['faces']
        np.testing.assert_allclose(face['keypoints'],
                                   ref.pred_instances.keypoints[0],
                                   atol=2e-3)


def test_lookup_boxes():
    from hybridmatch_mmpose.apis import lookup_boxes
    boxes = {'a/x.jpg': 1, 'b/x.jpg': 2, 'c/y.jpg': 3, 'z.jpg': 4}
    assert lookup_boxes(boxes, 'z.jpg') == 4
    assert lookup_boxes(boxes, 'y.jpg') == 3        # the one key ending /y.jpg
    assert lookup_boxes(boxes, 'b/x.jpg') == 2
    assert lookup_boxes(boxes, 'x.jpg') is None     # two candidates
    assert lookup_boxes(boxes, 'q/c/y.jpg') == 3    # same file name
    assert lookup_boxes(boxes, 'w.jpg') is None


def test_clip_boxes():
    from hybridmatch_mmpose.apis import clip_boxes
    kept, warnings = clip_boxes(
        np.array([[-10, -10, 50, 50], [200, 0, 300, 10], [5, 5, 5, 9],
                  [0, 0, np.nan, 3]]), 100, 80, 'img.jpg')
    np.testing.assert_array_equal(kept, [[0, 0, 50, 50]])
    assert len(warnings) == 3 and all('img.jpg' in w for w in warnings)
    assert 'outside the 100x80 image' in warnings[0]


def test_haar_detector_names_the_opencv_without_cascades(monkeypatch):
    from hybridmatch_mmpose.apis import HaarFaceDetector
    monkeypatch.delattr(cv2, 'CascadeClassifier', raising=False)
    with pytest.raises(ImportError, match=r'OpenCV .* has no Haar cascades '
                       r'.*opencv-python-headless<5 or opencv-contrib'):
        HaarFaceDetector()


@pytest.mark.skipif(not REAL68.is_dir(),
                    reason=f'real faces not found under {SHARED}: set '
                    f'{SHARED_ENV} to the shared folder to run this test')
@pytest.mark.skipif(not hasattr(cv2, 'CascadeClassifier'),
                    reason=f'OpenCV {cv2.__version__} has no Haar cascades')
def test_haar_boxes_match_the_300w_box_convention_on_real_faces():
    """On the 8 real annotated faces, the largest Haar face mapped by the
    default shift / scale overlaps the 300-W box (the square of the
    landmarks' box's longer side, which MMPose's Face300WDataset builds from
    center / scale) with IoU >= 0.6, median >= 0.8. The defaults were fitted
    on these same faces (tools/benchmarks/haar_box_fit.py): this guards the
    mapping, it does not measure how well it generalises."""
    import importlib.util
    from hybridmatch_mmpose.apis import HaarFaceDetector
    spec = importlib.util.spec_from_file_location(
        'haar_box_fit', osp.join(REPO, 'tools', 'benchmarks',
                                 'haar_box_fit.py'))
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    detector = HaarFaceDetector(max_faces=1)
    ious = []
    for path, kpts in fit.real_faces(str(SHARED)):
        (box, ) = detector(cv2.imread(path))
        lo, hi = kpts.min(0), kpts.max(0)
        c, half = (lo + hi) / 2, (hi - lo).max() / 2
        ref = np.concatenate([c - half, c + half])
        inter = np.prod(np.clip(np.minimum(box[2:], ref[2:]) -
                                np.maximum(box[:2], ref[:2]), 0, None))
        union = np.prod(box[2:] - box[:2]) + np.prod(ref[2:] - ref[:2]) - \
            inter
        ious.append(inter / union)
    assert len(ious) == 8
    assert min(ious) >= 0.6 and np.median(ious) >= 0.8, ious
