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

from hybridmatch_mmpose.visualization import (contact_sheet, draw_face,
                                             face_nme, label_tile)


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
        np.linspace(0, len(results) - 1,
                    min(args.num, len(results))).astype(int))
    os.makedirs(args.out_dir, exist_ok=True)
    tiles = []
    for i in picks:
        res = results[i]
        img = cv2.imread(res['img_path'])
        if img is None:
            raise SystemExit(f'cannot read image {res["img_path"]}')
        pred = np.asarray(res['pred_instances']['keypoints'])[0]
        gt = np.asarray(res['gt_instances']['keypoints'])[0]
        tile = label_tile(draw_face(img, pred, gt),
                          f'NME {face_nme(pred, gt):.1f}%')
        name = osp.splitext(osp.basename(res['img_path']))[0]
        cv2.imwrite(osp.join(args.out_dir, f'{name}.png'), tile)
        tiles.append(tile)
    sheet_path = osp.join(args.out_dir, 'contact_sheet.png')
    cv2.imwrite(sheet_path, contact_sheet(tiles))
    print(f'{len(tiles)} overlays and {sheet_path} written '
          '(green: ground truth, red: prediction)')


if __name__ == '__main__':
    main()
