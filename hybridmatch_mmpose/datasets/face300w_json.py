"""Writers for MMPose's COCO-style 300-W annotation files.

MMPose's released ``face_landmarks_300w_*.json`` files (read by the stock
``Face300WDataset``) hold, for each face:

* ``keypoints``: 68 x ``[x, y, 1]`` flattened, the iBUG ``.pts`` values
  unchanged (no 1-based -> 0-based shift),
* ``center`` ``[cx, cy]`` and ``scale`` (box size / 200) as in HRNet's CSVs;
  ``Face300WDataset`` builds its crop box from these two,
* ``bbox`` ``[x, y, w, h]``: the keypoints' bounding box enlarged 1.2x about
  its centre, and ``area = w * h``.

Both the SynthFace-68 generator and
``tools/dataset_converters/convert_300w.py``
write through these functions so the two stay byte-compatible.
"""
import json
from typing import Dict, List, Sequence

import numpy as np

#: Enlargement of the keypoints' bounding box stored as ``bbox``.
BBOX_ENLARGE = 1.2

FACE_CATEGORY = dict(
    supercategory='person', id=1, name='face', keypoints=[], skeleton=[])


def keypoints_bbox_xywh(keypoints: np.ndarray,
                        enlarge: float = BBOX_ENLARGE) -> List[float]:
    """Bounding box ``[x, y, w, h]`` of ``keypoints`` (K, 2), enlarged
    ``enlarge`` times about its centre."""
    keypoints = np.asarray(keypoints, dtype=np.float64)
    lo, hi = keypoints.min(axis=0), keypoints.max(axis=0)
    centre, size = (lo + hi) / 2, (hi - lo) * enlarge
    x, y = centre - size / 2
    return [float(x), float(y), float(size[0]), float(size[1])]


def face300w_annotation(keypoints: np.ndarray, center: Sequence[float],
                        scale: float, image_id: int, ann_id: int) -> Dict:
    """One COCO annotation entry as MMPose's 300-W files have it.

    Args:
        keypoints: (K, 2) landmark coordinates in image pixels.
        center: ``[cx, cy]`` of the face box.
        scale: face box size / 200 (HRNet's convention).
        image_id, ann_id: COCO ids.
    """
    keypoints = np.asarray(keypoints, dtype=np.float64)
    bbox = keypoints_bbox_xywh(keypoints)
    flat = []
    for x, y in keypoints.tolist():
        flat += [x, y, 1]
    return dict(
        image_id=int(image_id),
        id=int(ann_id),
        keypoints=flat,
        num_keypoints=int(len(keypoints)),
        bbox=bbox,
        iscrowd=0,
        area=bbox[2] * bbox[3],
        category_id=1,
        center=[float(c) for c in center],
        scale=float(scale))


def face300w_image(image_id: int, file_name: str, height: int,
                   width: int) -> Dict:
    """One COCO ``images`` entry."""
    return dict(
        id=int(image_id),
        file_name=str(file_name),
        height=int(height),
        width=int(width))


def dump_face300w_json(images: List[Dict], annotations: List[Dict],
                       path: str) -> None:
    """Write a COCO-style 300-W file that ``Face300WDataset`` loads."""
    with open(path, 'w') as f:
        json.dump(
            dict(
                categories=[FACE_CATEGORY],
                images=images,
                annotations=annotations), f)
