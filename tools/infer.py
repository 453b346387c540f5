"""Face landmarks for an image, a folder of images or a video.

    python tools/infer.py CONFIG CHECKPOINT INPUT --out-dir DIR
        [--boxes FILE | --whole-image] [--device cpu] [--max-faces N]
        [--no-overlay] [--cfg-options ...]

CONFIG + CHECKPOINT: a HybridMatch config with a checkpoint saved by
``tools/train.py`` (the EMA teacher predicts), or a plain MMPose config with
its checkpoint (e.g. from ``tools/misc/export_plain_model.py``).

Face boxes: ``--boxes FILE`` (JSON, see
:func:`hybridmatch_mmpose.apis.read_box_file`; an image missing from it is
skipped with a warning), else OpenCV's Haar cascade (offline), or
``--whole-image`` (one face filling the image, e.g. face crops).

Writes, under ``--out-dir``:

- ``predictions/NAME.json`` per image (``NAME`` = path relative to INPUT,
  extension kept as ``NAME.jpg.json``), or per video with one entry per
  frame: ``faces`` = [{``bbox``, ``bbox_source``, ``keypoints`` (K x [x, y]
  in pixels), ``keypoint_scores`` (K)}];
- ``overlays/NAME.jpg`` (video: ``overlays/NAME.mp4``), drawn by MMPose's
  visualizer;
- ``summary.json``: counts, warnings and the files that failed.

A file that cannot be read (missing, truncated, not an image), an image
without a face, or a box outside the image is a warning naming the file;
the run goes on. The exit status is 1
when any input failed, 0 otherwise; a checkpoint that does not fit the
config, or is truncated or unsafe, stops the run before any input (status
2).
"""
import argparse
import json
import os
import os.path as osp
import sys
import warnings as pywarnings

import cv2
import numpy as np
from mmengine.config import DictAction

import hybridmatch_mmpose  # noqa: F401  (registers modules, safe loading)
from hybridmatch_mmpose.apis import (BoxFileError, CheckpointMismatchError,
                                     HaarFaceDetector, OverlayDrawer,
                                     clip_boxes, faces_to_json,
                                     load_face_model, lookup_boxes,
                                     predict_faces, read_box_file,
                                     whole_image_box)
from hybridmatch_mmpose.apis.face_inference import IMAGE_EXTS, VIDEO_EXTS
from hybridmatch_mmpose.datasets import read_image
from hybridmatch_mmpose.engine import (CorruptCheckpointError,
                                       UnsafeCheckpointError)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('input', help='image, folder (searched recursively) '
                        'or video')
    parser.add_argument('--out-dir', required=True)
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--boxes', default=None,
                       help='JSON file of face boxes per image')
    group.add_argument('--whole-image', action='store_true',
                       help='one face box = the whole image')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--max-faces', type=int, default=0,
                        help='Haar detector: keep the N largest faces '
                        '(0: all)')
    parser.add_argument('--haar-shift', type=float, default=0.16)
    parser.add_argument('--haar-scale', type=float, default=0.87)
    parser.add_argument('--no-overlay', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def list_inputs(path):
    """``[(file, name)]``: the file and its name relative to ``path``."""
    if osp.isfile(path):
        return [(path, osp.basename(path))]
    if not osp.isdir(path):
        raise FileNotFoundError(f'input {path} is neither a file nor a '
                                'folder')
    found = []
    for root, _, files in os.walk(path):
        for name in files:
            if name.lower().endswith(IMAGE_EXTS + VIDEO_EXTS):
                full = osp.join(root, name)
                found.append((full, osp.relpath(full, path)))
    return sorted(found, key=lambda item: item[1])


class FaceLandmarkRunner:
    """One input file at a time: boxes, landmarks, JSON, overlay."""

    def __init__(self, args):
        self.model = load_face_model(args.config, args.checkpoint,
                                     device=args.device,
                                     cfg_options=args.cfg_options)
        self.boxes = read_box_file(args.boxes) if args.boxes else None
        self.whole_image = args.whole_image
        self.haar = None
        if self.boxes is None and not self.whole_image:
            self.haar = HaarFaceDetector(shift=args.haar_shift,
                                         scale=args.haar_scale,
                                         max_faces=args.max_faces)
        self.draw = None if args.no_overlay else OverlayDrawer(self.model)
        self.out_dir = args.out_dir
        self.warnings = []
        self.num_faces = 0

    def warn(self, message):
        self.warnings.append(message)
        print(f'WARNING: {message}', file=sys.stderr)

    def face_boxes(self, img, keys, where):
        if self.boxes is not None:
            boxes = lookup_boxes(self.boxes, *keys)
            source = 'file'
            if boxes is None:
                self.warn(f'{where}: no boxes in the box file (looked up '
                          f'{", ".join(map(repr, keys))}); skipped')
                return np.zeros((0, 4), np.float32), source
        elif self.whole_image:
            boxes, source = whole_image_box(img), 'whole_image'
        else:
            boxes, source = self.haar(img), 'haar'
            if len(boxes) == 0:
                self.warn(f'{where}: the Haar detector found no face; pass '
                          '--boxes FILE or --whole-image')
        h, w = img.shape[:2]
        boxes, messages = clip_boxes(boxes, w, h, where)
        for message in messages:
            self.warn(message)
        return boxes, source

    def frame(self, img, keys, where):
        boxes, source = self.face_boxes(img, keys, where)
        samples = predict_faces(self.model, img, boxes)
        self.num_faces += len(samples)
        overlay = self.draw(img, samples) if self.draw else None
        return faces_to_json(samples, source), overlay

    def write_json(self, name, record):
        path = osp.join(self.out_dir, 'predictions', name + '.json')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(record, f)

    def image(self, path, name):
        img = read_image(path)  # truncated / not an image: an error
        faces, overlay = self.frame(
            img, (name, osp.basename(name)), path)
        self.write_json(name, dict(file=path, width=img.shape[1],
                                   height=img.shape[0], faces=faces))
        if overlay is not None:
            out = osp.join(self.out_dir, 'overlays',
                           osp.splitext(name)[0] + '.jpg')
            os.makedirs(osp.dirname(out), exist_ok=True)
            cv2.imwrite(out, overlay)

    def video(self, path, name):
        cap = cv2.VideoCapture(path)
        if not cap.isOpened():
            raise OSError(f'{path}: cannot open the video')
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        writer, frames, index = None, [], 0
        try:
            while True:
                ok, img = cap.read()
                if not ok:
                    break
                tag = f'{index:06d}'
                faces, overlay = self.frame(
                    img, (f'{name}/{tag}', f'{osp.basename(name)}/{tag}'),
                    f'{path} frame {index}')
                frames.append(dict(frame=index, faces=faces))
                if overlay is not None:
                    if writer is None:
                        out = osp.join(self.out_dir, 'overlays',
                                       osp.splitext(name)[0] + '.mp4')
                        os.makedirs(osp.dirname(out), exist_ok=True)
                        writer = cv2.VideoWriter(
                            out, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                            (img.shape[1], img.shape[0]))
                    writer.write(overlay)
                index += 1
        finally:
            cap.release()
            if writer is not None:
                writer.release()
        if index == 0:
            raise OSError(f'{path}: no frame could be decoded')
        self.write_json(name, dict(file=path, fps=fps, frames=frames))


def main(argv=None):
    args = parse_args(argv)
    try:
        inputs = list_inputs(args.input)
        runner = FaceLandmarkRunner(args)
    except (FileNotFoundError, CheckpointMismatchError, BoxFileError,
            CorruptCheckpointError, UnsafeCheckpointError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    if not inputs:
        print(f'ERROR: no image ({", ".join(IMAGE_EXTS)}) or video '
              f'({", ".join(VIDEO_EXTS)}) under {args.input}',
              file=sys.stderr)
        return 2
    failed = []
    for path, name in inputs:
        try:
            with pywarnings.catch_warnings():
                # MMPose's visualizer and pipeline warn per image (numpy
                # deprecations, "use the existing bbox_center"): noise here
                pywarnings.simplefilter('ignore', UserWarning)
                pywarnings.simplefilter('ignore', DeprecationWarning)
                if name.lower().endswith(VIDEO_EXTS):
                    runner.video(path, name)
                else:
                    runner.image(path, name)
        except Exception as err:  # noqa: BLE001  (one bad file, go on)
            failed.append(dict(file=path, error=f'{type(err).__name__}: '
                               f'{err}'))
            runner.warn(f'{path}: failed ({type(err).__name__}: {err}); '
                        'going on with the next file')
    summary = dict(config=args.config, checkpoint=args.checkpoint,
                   inputs=len(inputs), done=len(inputs) - len(failed),
                   faces=runner.num_faces, failed=failed,
                   warnings=runner.warnings)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(f'{summary["done"]} of {len(inputs)} inputs done, '
          f'{runner.num_faces} faces; {len(runner.warnings)} warnings, '
          f'{len(failed)} failed; results in {args.out_dir} '
          '(predictions/, overlays/, summary.json)')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
