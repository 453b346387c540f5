"""Face landmarks on images, folders and videos (``tools/infer.py``).

The model side is MMPose's own: :func:`mmpose.apis.init_model` builds the
model (a HybridMatch config predicts with its EMA teacher; a plain config
exported by ``tools/misc/export_plain_model.py`` works the same) and
:func:`mmpose.apis.inference_topdown` runs the config's test pipeline on
each face box. This module adds what a face tool needs around them:

- :func:`load_face_model`: ``init_model`` plus a strict check that the
  checkpoint fits the config (MMPose loads with ``strict=False`` and would
  only log a warning, then predict with random weights);
- face boxes from a JSON file (:func:`read_box_file`), from OpenCV's Haar
  cascade (:class:`HaarFaceDetector`, shipped with the ``opencv-python``
  wheel, so it works offline; MMPose's default face detector is downloaded
  at run time), or the whole image;
- :func:`clip_boxes`: boxes outside the image are dropped with a warning;
- :func:`predict_faces` / :func:`faces_to_json`: landmarks as plain lists.

Overlays are drawn by MMPose's ``PoseLocalVisualizer`` (the config's
``visualizer``), see :class:`OverlayDrawer`.
"""
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from ..datasets.image_integrity import IMAGE_EXTS  # noqa: F401
from ..engine.checkpoint_fit import (CheckpointMismatchError,
                                     check_state_dict_fits,
                                     checkpoint_state_dict)
from ..utils.data_check import DataCheckError, read_json

VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg')


class BoxFileError(ValueError):
    """A face-box JSON file that cannot be read."""


# ----------------------------------------------------------------- model
def load_face_model(config: str, checkpoint: str, device: str = 'cpu',
                    cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build ``config``'s model with MMPose's ``init_model`` and load
    ``checkpoint`` strictly.

    ``dataset_meta`` (keypoint names, flip pairs used by the flip test)
    comes from the checkpoint, else from the config's test set, as
    ``init_model`` does.

    Raises:
        FileNotFoundError: ``config`` or ``checkpoint`` is not a file.
        CheckpointMismatchError: the checkpoint's weights do not fit.
    """
    from mmengine.runner import CheckpointLoader
    from mmpose.apis import init_model
    from mmpose.apis.inference import dataset_meta_from_config

    for what, path in (('config', config), ('checkpoint', checkpoint)):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{what} {path} is not a file')
    # record=True swallows init_model's "Use COCO metainfo by default"
    # (it resets the filters itself); dataset_meta is set below
    with warnings.catch_warnings(record=True):
        model = init_model(config, None, device='cpu',
                           cfg_options=cfg_options)
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = checkpoint_state_dict(ckpt)
    check_state_dict_fits(model, state, config, checkpoint)
    model.load_state_dict(state, strict=True)
    meta = (ckpt.get('meta') or {}).get('dataset_meta') \
        or dataset_meta_from_config(model.cfg, dataset_mode='test')
    if meta is None:
        raise CheckpointMismatchError(
            f'neither checkpoint {checkpoint} nor config {config} names the '
            'data set (keypoint names, flip pairs): set '
            'test_dataloader.dataset.metainfo in the config')
    num = meta.get('num_keypoints')
    out = getattr(getattr(model, 'head', None) or getattr(
        getattr(model, 'teacher', None), 'head', None), 'out_channels', None)
    if num is not None and out is not None and int(num) != int(out):
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint}: its data set has {num} keypoints but '
            f'config {config} predicts {out}')
    model.dataset_meta = meta
    return model.to(device).eval()


# ----------------------------------------------------------------- boxes
def read_box_file(path: str) -> Dict[str, np.ndarray]:
    """Face boxes per image from a JSON file.

    Two layouts:

    - ``{"name": [[x1, y1, x2, y2], ...], ...}`` (a fifth value, a score,
      is ignored). ``name`` is the image's path relative to the input
      folder, a path ending with it, or its file name (see
      :func:`lookup_boxes`); a video frame is ``"clip.mp4/000012"`` (frame
      index, 6 digits);
    - COCO style (``images`` + ``annotations``), keys ``file_name``. An
      annotation with ``center`` and ``scale`` (300-W, AFLW, COFW files)
      gives the square box MMPose's ``Face300WDataset`` builds from them
      (side ``scale * 200`` about ``center``; the ``bbox`` field, 1.2x
      larger, is not what the models were trained on); otherwise ``bbox``
      (x, y, w, h) is used.

    Returns:
        dict: name -> boxes (N, 4) float32, xyxy in pixels.
    """
    try:
        data = read_json(path, '--boxes')
    except DataCheckError as err:
        raise BoxFileError(f'box file {err.problems[0]}') from None
    boxes: Dict[str, List] = {}
    if isinstance(data, dict) and 'images' in data and 'annotations' in data:
        names = {im['id']: im['file_name'] for im in data['images']}
        for ann in data['annotations']:
            if 'center' in ann and 'scale' in ann:
                (cx, cy), half = ann['center'], 100. * float(ann['scale'])
                box = [cx - half, cy - half, cx + half, cy + half]
            else:
                x, y, w, h = ann['bbox'][:4]
                box = [x, y, x + w, y + h]
            boxes.setdefault(names[ann['image_id']], []).append(box)
    elif isinstance(data, dict):
        boxes = data
    else:
        raise BoxFileError(
            f'box file {path}: expected an object {{"image name": [[x1, y1, '
            'x2, y2], ...]}} or a COCO-style file, got a '
            f'{type(data).__name__}')
    out = {}
    for name, items in boxes.items():
        try:
            arr = np.asarray(items, dtype=np.float32).reshape(len(items), -1)
        except (TypeError, ValueError) as err:
            raise BoxFileError(f'box file {path}, entry {name!r}: boxes '
                               f'must be lists of numbers ({err})') from err
        if arr.shape[1] not in (4, 5):
            raise BoxFileError(
                f'box file {path}, entry {name!r}: each box needs 4 values '
                f'x1, y1, x2, y2 (optionally a score), got {arr.shape[1]}')
        out[name] = arr[:, :4]
    return out


def lookup_boxes(boxes: Dict[str, np.ndarray], *names: str
                 ) -> Optional[np.ndarray]:
    """The boxes of the first of ``names`` found in ``boxes``: an exact
    key, else the one key that ends with ``/name`` (so the keys of a COCO
    file, e.g. ``test/000001.jpg``, match the images of the ``test`` folder
    given as input), else the one key with the same file name."""
    for name in names:
        if name in boxes:
            return boxes[name]
    for name in names:
        tail = '/' + name.replace(osp.sep, '/')
        found = [k for k in boxes if k.replace(osp.sep, '/').endswith(tail)]
        if len(found) == 1:
            return boxes[found[0]]
    for name in names:
        base = osp.basename(name)
        found = [k for k in boxes if osp.basename(k) == base]
        if len(found) == 1:
            return boxes[found[0]]
    return None


class HaarFaceDetector:
    """Frontal faces with OpenCV's Haar cascade, boxes mapped to the box
    convention of 300-W annotations.

    The models are trained on the box MMPose's ``Face300WDataset`` builds
    from ``center`` / ``scale``: a square of side ``scale * 200``, which is
    the landmarks' bounding box's longer side (HRNet's CSVs: 1.00-1.02x),
    about its centre. A Haar box starts at the forehead and is larger. On
    the 8 real annotated faces of ``shared/data/real68``, the landmarks'
    box centre lies a median 0.16 Haar-box sides below the Haar centre
    (0.10-0.19) and its longer side is a median 0.87 of the Haar side
    (0.74-0.91); the defaults ``shift=0.16`` and ``scale=0.87`` apply that
    (``tools/benchmarks/haar_box_fit.py`` prints the fit).

    Args:
        cascade (str): File name in ``cv2.data.haarcascades`` or a path.
        shift (float): Downward shift of the box centre, in box sides.
        scale (float): Factor on the box side.
        min_size (int): Smallest face side in pixels.
        max_faces (int): Keep the largest ``max_faces`` boxes (0: all).
    """

    def __init__(self, cascade: str = 'haarcascade_frontalface_default.xml',
                 shift: float = 0.16, scale: float = 0.87,
                 min_size: int = 24, max_faces: int = 0):
        if not hasattr(cv2, 'CascadeClassifier'):
            raise ImportError(
                f'OpenCV {cv2.__version__} has no Haar cascades '
                '(cv2.CascadeClassifier; OpenCV 5 moved them out of its main '
                'modules): install opencv-python-headless<5 or '
                'opencv-contrib-python-headless, or give the face boxes '
                'yourself')
        path = cascade if osp.isfile(cascade) else osp.join(
            cv2.data.haarcascades, cascade)
        self.detector = cv2.CascadeClassifier(path)
        if self.detector.empty():
            raise FileNotFoundError(
                f'Haar cascade {cascade} not found (looked in '
                f'{cv2.data.haarcascades})')
        self.shift, self.scale = shift, scale
        self.min_size, self.max_faces = min_size, max_faces

    def __call__(self, img: np.ndarray) -> np.ndarray:
        """Boxes (N, 4) xyxy of the faces in a BGR image (H, W, 3)."""
        gray = cv2.equalizeHist(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
        found = self.detector.detectMultiScale(
            gray, scaleFactor=1.1, minNeighbors=5,
            minSize=(self.min_size, self.min_size))
        if len(found) == 0:
            return np.zeros((0, 4), np.float32)
        found = np.asarray(found, np.float32)
        found = found[np.argsort(-found[:, 2] * found[:, 3], kind='stable')]
        if self.max_faces:
            found = found[:self.max_faces]
        side = found[:, 2:4]
        centre = found[:, :2] + side / 2
        centre[:, 1] += self.shift * side[:, 1]
        half = side * self.scale / 2
        return np.concatenate([centre - half, centre + half], axis=1)


def whole_image_box(img: np.ndarray) -> np.ndarray:
    """One box (1, 4) covering the image."""
    h, w = img.shape[:2]
    return np.array([[0, 0, w, h]], np.float32)


def clip_boxes(boxes: np.ndarray, width: int, height: int,
               where: str) -> Tuple[np.ndarray, List[str]]:
    """Clip boxes to the image; drop (with a warning naming ``where``) boxes
    that are degenerate or do not overlap the image."""
    kept, warnings = [], []
    for i, (x1, y1, x2, y2) in enumerate(np.asarray(boxes, np.float32)):
        if not np.isfinite([x1, y1, x2, y2]).all() or x2 <= x1 or y2 <= y1:
            warnings.append(f'{where}: box {i} {[x1, y1, x2, y2]} is empty '
                            'or not finite (expected x1 < x2, y1 < y2); '
                            'skipped')
            continue
        cx1, cy1 = max(x1, 0.), max(y1, 0.)
        cx2, cy2 = min(x2, float(width)), min(y2, float(height))
        if cx2 <= cx1 or cy2 <= cy1:
            box = [float(v) for v in (x1, y1, x2, y2)]
            warnings.append(f'{where}: box {i} {box} is outside the '
                            f'{width}x{height} image; skipped')
            continue
        kept.append([cx1, cy1, cx2, cy2])
    return np.asarray(kept, np.float32).reshape(-1, 4), warnings


# ------------------------------------------------------------ prediction
def predict_faces(model: torch.nn.Module, img: np.ndarray,
                  boxes: np.ndarray) -> list:
    """MMPose's ``inference_topdown`` on each box of a BGR image.

    Returns:
        list[PoseDataSample]: One per box; ``pred_instances.keypoints``
        (1, K, 2) in image pixels, ``keypoint_scores`` (1, K).
    """
    from mmpose.apis import inference_topdown
    if len(boxes) == 0:
        return []
    return inference_topdown(model, img, np.asarray(boxes, np.float32),
                             bbox_format='xyxy')


def faces_to_json(samples: Sequence, box_source: str) -> List[dict]:
    """Plain-JSON faces: ``bbox`` [x1, y1, x2, y2], ``bbox_source``,
    ``keypoints`` [[x, y] * K], ``keypoint_scores`` [K]."""
    faces = []
    for sample in samples:
        inst = sample.pred_instances
        faces.append(dict(
            bbox=[round(float(v), 2) for v in np.asarray(inst.bboxes)[0]],
            bbox_source=box_source,
            keypoints=[[round(float(x), 3), round(float(y), 3)]
                       for x, y in np.asarray(inst.keypoints)[0]],
            keypoint_scores=[round(float(s), 4) for s in np.asarray(
                inst.keypoint_scores)[0]]))
    return faces


class OverlayDrawer:
    """Landmarks and boxes drawn by MMPose's visualizer (the config's
    ``visualizer``, a ``PoseLocalVisualizer``), with the point radius
    scaled to the image size."""

    _count = 0

    def __init__(self, model: torch.nn.Module):
        from mmpose.registry import VISUALIZERS
        cfg = dict(model.cfg.visualizer)
        OverlayDrawer._count += 1
        cfg.update(name=f'hybridmatch_infer_{OverlayDrawer._count}',
                   vis_backends=None, save_dir=None)
        self.visualizer = VISUALIZERS.build(cfg)
        self.visualizer.set_dataset_meta(model.dataset_meta)

    def __call__(self, img: np.ndarray, samples: Sequence) -> np.ndarray:
        """BGR image (H, W, 3) with the predictions drawn."""
        from mmpose.structures import merge_data_samples
        if not samples:
            return img.copy()
        self.visualizer.radius = max(2, round(min(img.shape[:2]) / 160))
        self.visualizer.line_width = max(1, self.visualizer.radius // 2)
        self.visualizer.add_datasample(
            'infer', img[..., ::-1].copy(),
            data_sample=merge_data_samples(samples), draw_gt=False,
            draw_bbox=True, show=False, kpt_thr=-1.0)
        return self.visualizer.get_image()[..., ::-1].copy()
