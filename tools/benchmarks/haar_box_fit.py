"""How OpenCV's Haar face box relates to the 300-W box convention, on the
real annotated faces of ``shared/data/real68`` (8 faces).

    python tools/benchmarks/haar_box_fit.py [--data ../shared/data]

For each face: the largest Haar detection (x, y, side) and the landmarks'
box; prints the centre offset (landmark-box centre minus Haar centre, in
Haar sides) and the ratio of the landmark box's longer side to the Haar
side, their medians (the defaults of ``HaarFaceDetector``: ``shift``,
``scale``), and the IoU of the mapped Haar box with the 300-W box (the
square of the longer side about the landmarks' centre).
"""
import argparse
import glob
import json
import os.path as osp

import cv2
import numpy as np

from hybridmatch_mmpose.apis import HaarFaceDetector
from hybridmatch_mmpose.utils.shared_data import shared_data_dir


def real_faces(data):
    faces = []
    for pts in sorted(glob.glob(osp.join(data, 'real68', 'lfpw_trainset',
                                         '*.pts'))):
        with open(pts) as f:
            values = f.read().split('{')[1].split('}')[0].split()
        faces.append((pts[:-4] + '.png', np.array(values, float).reshape(
            -1, 2)))
    folder = osp.join(data, 'real68', '300w_private_test')
    with open(osp.join(folder, 'test_300w.json')) as f:
        ann = json.load(f)
    for im in ann['images']:
        (a, ) = [a for a in ann['annotations'] if a['image_id'] == im['id']]
        faces.append((osp.join(folder, im['file_name']),
                      np.array(a['keypoints'], float).reshape(-1, 3)[:, :2]))
    return faces


def square_box(kpts):
    """The 300-W box: a square of the landmark box's longer side."""
    lo, hi = kpts.min(0), kpts.max(0)
    c, half = (lo + hi) / 2, (hi - lo).max() / 2
    return np.concatenate([c - half, c + half])


def iou(a, b):
    inter = np.prod(np.clip(np.minimum(a[2:], b[2:]) -
                            np.maximum(a[:2], b[:2]), 0, None))
    return inter / (np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - inter)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--data', default=shared_data_dir(),
        help='the shared data folder (default $HYBRIDMATCH_SHARED/data, '
        'HYBRIDMATCH_SHARED defaulting to ../shared)')
    args = parser.parse_args(argv)
    raw = HaarFaceDetector(shift=0.0, scale=1.0, max_faces=1)
    mapped = HaarFaceDetector(max_faces=1)
    rows, shifts, ratios = [], [], []
    for path, kpts in real_faces(args.data):
        img = cv2.imread(path)
        (h, ) = raw(img)
        side = h[2] - h[0]
        ref = square_box(kpts)
        shifts.append(((ref[1] + ref[3]) / 2 - (h[1] + h[3]) / 2) / side)
        ratios.append((ref[2] - ref[0]) / side)
        (m, ) = mapped(img)
        rows.append((osp.basename(path), shifts[-1], ratios[-1],
                     iou(m, ref)))
    print('| face | centre offset (Haar sides) | side ratio | IoU mapped '
          'vs 300-W box |\n|---|---:|---:|---:|')
    for name, s, r, i in rows:
        print(f'| {name} | {s:.3f} | {r:.3f} | {i:.3f} |')
    print(f'\nmedian offset {np.median(shifts):.3f}, median ratio '
          f'{np.median(ratios):.3f}; IoU with the defaults: min '
          f'{min(r[3] for r in rows):.3f}, median '
          f'{np.median([r[3] for r in rows]):.3f}')


if __name__ == '__main__':
    main()
