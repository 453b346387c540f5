"""The contact sheet of a written SynthFace-68 set: images read back with
their landmarks drawn by facial part."""
import json
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np

from .layout import PART_COLOURS, PARTS
from .output_layout import ANN_FILES, META_FILE


def draw_landmarks(img: np.ndarray, kpts: np.ndarray,
                   radius: int = 2) -> np.ndarray:
    """Landmarks coloured by facial part, with the part outlines.

    Args:
        img: (H, W, 3) BGR uint8 image (not changed).
        kpts: (68, 2) landmarks in pixels.
        radius: dot radius in pixels.

    Returns:
        (H, W, 3) copy of ``img`` with the landmarks.
    """
    out = img.copy()
    k = np.asarray(kpts, np.float64)
    for name, (a, b) in PARTS.items():
        col = PART_COLOURS[name]
        pts = np.round(k[a:b] * 16).astype(np.int32)
        closed = name in ('right_eye', 'left_eye', 'outer_lip', 'inner_lip')
        cv2.polylines(out, [pts], closed, col, 1, cv2.LINE_AA, 4)
        for q in pts:
            cv2.circle(out, tuple(int(v) for v in q), radius * 16, col, -1,
                       cv2.LINE_AA, 4)
    return out


def make_contact_sheet(out_dir: str, path: str, cols: int = 6,
                       rows: int = 4, tile: int = 256,
                       train_hard: Optional[Sequence[int]] = None) -> str:
    """Grid of train (top half) and test (bottom half) images read back from
    ``out_dir`` with their landmarks; hard train samples get an orange
    frame, challenge test samples a red one.

    Args:
        out_dir: a written set.
        path: the PNG written.
        cols, rows: grid size.
        tile: side of one tile in pixels.
        train_hard: indices of the hard train samples (default: read from
            the set's meta file).

    Returns:
        ``path``.
    """
    ann_dir = osp.join(out_dir, 'annotations')

    def load(name):
        with open(osp.join(ann_dir, ANN_FILES[name])) as f:
            return json.load(f)

    train, valid, chal = load('train'), load('valid'), load('valid_challenge')
    chal_ids = {im['id'] for im in chal['images']}
    if train_hard is None:
        meta_path = osp.join(out_dir, META_FILE)
        train_hard = []
        if osp.isfile(meta_path):
            with open(meta_path) as f:
                train_hard = json.load(f).get('train_hard_indices', [])
    train_hard = {int(i) + 1 for i in train_hard}  # image ids
    n_half = cols * rows // 2

    def pick(data, special, n_special):
        ims = data['images']
        sp = [im for im in ims if im['id'] in special][:n_special]
        rest = [im for im in ims if im['id'] not in special]
        chosen = rest[:n_half - len(sp)] + sp
        return chosen

    anns = {a['image_id']: a for a in train['annotations'] +
            valid['annotations']}
    chosen = [(im, 'train', im['id'] in train_hard)
              for im in pick(train, train_hard, n_half // 4)]
    chosen += [(im, 'test', im['id'] in chal_ids)
               for im in pick(valid, chal_ids, n_half // 3)]
    sheet = np.full((rows * tile, cols * tile, 3), 40, np.uint8)
    for k, (im, split, special) in enumerate(chosen[:rows * cols]):
        img = cv2.imread(osp.join(out_dir, 'images', im['file_name']))
        kp = np.array(anns[im['id']]['keypoints'], np.float64).reshape(-1, 3)
        f = tile / max(img.shape[:2])
        img = cv2.resize(img, (tile, tile), interpolation=cv2.INTER_LINEAR)
        # keypoints at pixel centres: x' = (x + 0.5) * f - 0.5
        vis = draw_landmarks(img, (kp[:, :2] + 0.5) * f - 0.5)
        if special:
            col = (0, 0, 255) if split == 'test' else (0, 140, 255)
            cv2.rectangle(vis, (1, 1), (tile - 2, tile - 2), col, 3)
        label = f'{split} {im["file_name"].split("/")[-1][:-4]}' + (
            (' CHALLENGE' if split == 'test' else ' HARD') if special else '')
        cv2.putText(vis, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(vis, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (255, 255, 255), 1, cv2.LINE_AA)
        r, c = divmod(k, cols)
        sheet[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile] = vis
    cv2.imwrite(path, sheet)
    return path
