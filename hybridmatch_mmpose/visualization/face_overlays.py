"""Prediction-vs-ground-truth overlays and contact sheets of faces (used by
``tools/misc/draw_predictions.py`` and ``FaceLandmarkMetric(worst_dir=...)``).

MMPose's ``PoseLocalVisualizer`` draws predictions alone (``tools/infer.py``
uses it); these helpers draw a prediction *against* its ground truth, with a
line from each true point to its prediction, which is what a person checking
errors wants to see.
"""
from typing import Optional, Sequence

import cv2
import numpy as np

EYE_CORNERS_68 = (36, 45)


def face_nme(pred: np.ndarray, gt: np.ndarray) -> float:
    """Inter-ocular NME (%) of one 68-point face (outer eye corners 36/45);
    nan for other layouts."""
    if len(gt) != 68:
        return float('nan')
    iod = np.linalg.norm(gt[EYE_CORNERS_68[0]] - gt[EYE_CORNERS_68[1]])
    return 100 * float(np.linalg.norm(pred - gt, axis=-1).mean() / iod)


def draw_face(img: np.ndarray, pred: np.ndarray, gt: np.ndarray,
              radius: int = 2) -> np.ndarray:
    """A copy of BGR ``img`` (H, W, 3) with ``gt`` (green), ``pred`` (red)
    and a yellow line between them; both (K, 2) in pixels."""
    out = img.copy()
    for (px, py), (gx, gy) in zip(pred, gt):
        cv2.line(out, (int(gx), int(gy)), (int(px), int(py)), (0, 255, 255), 1,
                 cv2.LINE_AA)
        cv2.circle(out, (int(round(gx)), int(round(gy))), radius, (0, 200, 0),
                   -1, cv2.LINE_AA)
        cv2.circle(out, (int(round(px)), int(round(py))), radius, (0, 0, 255),
                   -1, cv2.LINE_AA)
    return out


def crop_to_box(img: np.ndarray, box: Sequence[float],
                pad: float = 0.25) -> np.ndarray:
    """The part of ``img`` inside ``box`` (x1, y1, x2, y2) enlarged by
    ``pad`` of its size on each side, clipped to the image."""
    h, w = img.shape[:2]
    x1, y1, x2, y2 = [float(v) for v in box]
    dx, dy = pad * (x2 - x1), pad * (y2 - y1)
    x1, y1 = int(max(0, x1 - dx)), int(max(0, y1 - dy))
    x2, y2 = int(min(w, x2 + dx)), int(min(h, y2 + dy))
    if x2 <= x1 or y2 <= y1:
        return img
    return img[y1:y2, x1:x2]


def label_tile(tile: np.ndarray, text: str) -> np.ndarray:
    """Write ``text`` in the top-left corner (white on a dark band)."""
    out = tile.copy()
    cv2.rectangle(out, (0, 0), (out.shape[1], 20), (0, 0, 0), -1)
    cv2.putText(out, text, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (255, 255, 255), 1, cv2.LINE_AA)
    return out


def contact_sheet(tiles: Sequence[np.ndarray], cols: int = 6,
                  size: int = 256) -> Optional[np.ndarray]:
    """Square tiles of ``size`` px in a grid of ``cols`` columns; None for
    no tiles."""
    if not len(tiles):
        return None
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.zeros((rows * size, cols * size, 3), np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet[r * size:(r + 1) * size, c * size:(c + 1) * size] = cv2.resize(
            tile, (size, size), interpolation=cv2.INTER_AREA)
    return sheet
