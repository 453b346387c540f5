"""Draw predicted (red) and ground-truth (green) landmarks of a few test faces.

Reads the predictions that ``tools/test.py --dump preds.pkl`` saved and writes
one overlay per selected face plus a contact sheet::

    python tools/misc/draw_predictions.py preds.pkl --out-dir overlays --num 24

Faces are picked evenly over the test set (deterministic). Each tile shows the
face's NME (inter-ocular, outer eye corners 36/45 for 68 points), so good and
bad predictions can be told apart at a glance.
"""
import argparse
import os
import os.path as osp

import cv2
import mmengine
import numpy as np

EYE_CORNERS_68 = (36, 45)


def face_nme(pred: np.ndarray, gt: np.ndarray) -> float:
    """Inter-ocular NME (%) of one 68-point face; nan for other layouts."""
    if len(gt) != 68:
        return float('nan')
    iod = np.linalg.norm(gt[EYE_CORNERS_68[0]] - gt[EYE_CORNERS_68[1]])
    return 100 * float(np.linalg.norm(pred - gt, axis=-1).mean() / iod)


def draw_face(img: np.ndarray, pred: np.ndarray, gt: np.ndarray,
              radius: int = 2) -> np.ndarray:
    """Overlay ``gt`` (green) and ``pred`` (red), both (K, 2) in pixels."""
    out = img.copy()
    for (px, py), (gx, gy) in zip(pred, gt):
        cv2.line(out, (int(gx), int(gy)), (int(px), int(py)), (0, 255, 255), 1,
                 cv2.LINE_AA)
        cv2.circle(out, (int(round(gx)), int(round(gy))), radius, (0, 200, 0),
                   -1, cv2.LINE_AA)
        cv2.circle(out, (int(round(px)), int(round(py))), radius, (0, 0, 255),
                   -1, cv2.LINE_AA)
    return out


def contact_sheet(tiles, cols: int = 6, size: int = 256) -> np.ndarray:
    """Square tiles of ``size`` px in a grid of ``cols`` columns."""
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.zeros((rows * size, cols * size, 3), np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet[r * size:(r + 1) * size, c * size:(c + 1) * size] = cv2.resize(
            tile, (size, size), interpolation=cv2.INTER_AREA)
    return sheet


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('predictions', help='pickle from tools/test.py --dump')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--num', type=int, default=24)
    args = parser.parse_args(argv)

    results = mmengine.load(args.predictions)
    if not results:
        raise SystemExit(f'{args.predictions}: no predictions')
    picks = np.unique(
        np.linspace(0, len(results) - 1, min(args.num, len(results))).astype(int))
    os.makedirs(args.out_dir, exist_ok=True)
    tiles = []
    for i in picks:
        res = results[i]
        img = cv2.imread(res['img_path'])
        if img is None:
            raise SystemExit(f'cannot read image {res["img_path"]}')
        pred = np.asarray(res['pred_instances']['keypoints'])[0]
        gt = np.asarray(res['gt_instances']['keypoints'])[0]
        tile = draw_face(img, pred, gt)
        cv2.putText(tile, f'NME {face_nme(pred, gt):.1f}%', (4, 16),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1,
                    cv2.LINE_AA)
        name = osp.splitext(osp.basename(res['img_path']))[0]
        cv2.imwrite(osp.join(args.out_dir, f'{name}.png'), tile)
        tiles.append(tile)
    sheet_path = osp.join(args.out_dir, 'contact_sheet.png')
    cv2.imwrite(sheet_path, contact_sheet(tiles))
    print(f'{len(tiles)} overlays and {sheet_path} written '
          '(green: ground truth, red: prediction)')


if __name__ == '__main__':
    main()
