"""Convert 300-W annotations to MMPose's COCO-style 300-W JSON.

Two inputs are accepted:

* ``--csv FILE [FILE ...]``: HRNet-format CSVs (``image_name, scale,
  center_w, center_h, original_{0..K-1}_{x,y}``), the files from which
  MMPose's released ``face_landmarks_300w_*.json`` were made. Keypoints,
  ``center`` and ``scale`` are copied unchanged; the annotation and image id
  of a row is its 0-based data-row index (counting on across several CSVs
  in the order given), so ids keep matching CSV rows even when rows are
  skipped. The CSVs are read by
  :func:`hybridmatch_mmpose.datasets.hrnet_csv.read_hrnet_csv`, the one
  HRNet-CSV reader of the repository.
* ``--pts-dir DIR``: any folder tree of images with iBUG ``.pts`` files
  beside them (``image.png`` + ``image.pts``; ``.jpg``/``.jpeg`` too). Ids
  are sequential in sorted ``.pts`` path order; ``file_name`` is the image
  path relative to ``DIR``. A ``.pts`` file has no face box, so ``center``
  and ``scale`` are derived from the keypoints the way HRNet's CSVs were
  made (see :func:`center_scale_from_keypoints`)::

      x1, y1 = floor(min(keypoints))      x2, y2 = ceil(max(keypoints))
      center = ((x1 + x2) / 2, (y1 + y2) / 2)
      scale  = scale_factor * max(x2 - x1, y2 - y1) / 200

  With the default ``--scale-factor 1`` this reproduces ``center`` and
  ``scale`` of all 1,289 rows of the four 300-W CSVs exactly (0 error;
  using the unrounded keypoint box instead is off by up to 0.5 px in the
  centre and 1.95 px in the box size). MMPose's ``GetBBoxCenterScale``
  then pads the box 1.25x as usual.

Each face becomes one ``images`` and one ``annotations`` entry, written
through :mod:`hybridmatch_mmpose.datasets.face300w_json`: keypoints
``[x, y, 1] * K`` (values unchanged, no 1-based shift), ``bbox`` = the
keypoints' box enlarged 1.2x about its centre, ``area = w * h``.

``file_name`` (CSV input): ``--file-name basename`` (default) keeps only the
file's name ('Test/01_Indoor/indoor_029.png' -> 'indoor_029.png'), as in
MMPose's test fixture ``tests/data/300w/test_300w.json``, whose images lie
in one flat folder. ``--file-name relative`` keeps the CSV path unchanged,
which is what MMPose's documented layout needs (``data/300w/images/`` with
``afw/ helen/ ibug/ lfpw/ Test/`` under it, read with
``data_prefix=dict(img='images/')``). ``basename`` refuses two different
CSV paths with the same name. For ``--pts-dir`` the default is
``relative`` (to ``DIR``).

Image size: ``images`` entries carry ``height``/``width``, read from the
image header at ``--img-root/<file_name>`` (CSV) or beside the ``.pts``.
``Face300WDataset`` builds its crop from ``center`` and ``scale`` only and
never reads ``height``/``width`` (MMPose 1.3.2: only the base class's
``parse_data_info``, which ``Face300WDataset`` overrides, and loading a
detection ``bbox_file`` read them; COCO-style evaluation tools may too).
``--no-image-size`` leaves them out and opens no image (for CSVs whose
images are not at hand; with ``--pts-dir`` the image must still exist).
A missing image is an error naming the CSV file, line and path (or the
``.pts`` file), unless ``--skip-missing-images``: then each is reported, the
face is left out, and the number left out is printed.

Malformed input raises :class:`ConversionError` (a ``ValueError``) naming
file and line; the CLI prints it on one line and exits with status 2.

Examples::

    python tools/dataset_converters/convert_300w.py \\
        --csv face_landmarks_300w_valid.csv --img-root data/300w/images \\
        --file-name relative \\
        --out data/300w/annotations/face_landmarks_300w_valid.json
    python tools/dataset_converters/convert_300w.py \\
        --pts-dir data/300w/images/lfpw/trainset --out lfpw_train.json \\
        --file-name-prefix lfpw/trainset/  # file_name under data/300w/images
"""
import argparse
import math
import os
import posixpath
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

try:
    import hybridmatch_mmpose  # noqa: F401
except ImportError as e:  # run as a script from a source checkout
    if e.name != 'hybridmatch_mmpose':
        raise
    sys.path.insert(
        0,
        os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from hybridmatch_mmpose.datasets.annotation_text import (  # noqa: E402
    AnnotationFileError, read_annotation_text)
from hybridmatch_mmpose.datasets.face300w_json import (  # noqa: E402
    dump_face300w_json, face300w_annotation, face300w_image)
from hybridmatch_mmpose.datasets.hrnet_csv import (  # noqa: E402,F401
    read_hrnet_csv)

#: Image suffixes looked for beside a ``.pts`` file (case-insensitive).
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg')
#: HRNet's ``scale`` is the box size in units of 200 px.
PIXEL_STD = 200.0
FILE_NAME_RULES = ('basename', 'relative')


#: Malformed or missing input; the message names file and line. The same
#: class as the shared readers' error, so one ``except`` catches both.
ConversionError = AnnotationFileError


@dataclass
class Conversion:
    """Result of a conversion: COCO ``images``/``annotations`` lists and
    the faces left out for a missing image (``(file, line, image path)``)."""
    images: List[Dict] = field(default_factory=list)
    annotations: List[Dict] = field(default_factory=list)
    skipped: List[Tuple[str, Optional[int], str]] = field(default_factory=list)

    def dump(self, path: str) -> None:
        dump_face300w_json(self.images, self.annotations, path)


# ----------------------------------------------------------------- parsing
def read_pts(path, num_keypoints: Optional[int] = 68) -> np.ndarray:
    """Read an iBUG ``.pts`` file into a (K, 2) float64 array, values
    unchanged.

    Expected layout (blank lines and surrounding spaces are ignored)::

        version: 1
        n_points: 68
        {
        x y        <- n_points lines
        }

    Args:
        path: the ``.pts`` file.
        num_keypoints: required ``n_points``; ``None`` accepts any.

    Raises:
        ConversionError: naming the file and line of the first problem.
    """
    lines = read_annotation_text(path).splitlines()
    n_points = n_points_line = None
    points: List[Tuple[float, float]] = []
    state = 'header'  # -> 'points' after '{' -> 'done' after '}'
    last = 0
    for lineno, raw in enumerate(lines, 1):
        text = raw.strip()
        if not text:
            continue
        last = lineno
        if state == 'header':
            if text == '{':
                if n_points is None:
                    raise ConversionError(path, lineno,
                                          "'{' before the 'n_points:' line")
                state = 'points'
                continue
            key, sep, value = text.partition(':')
            if not sep:
                raise ConversionError(
                    path, lineno,
                    f"expected a 'key: value' header line or '{{', "
                    f'got {text!r}')
            if key.strip() == 'n_points':
                try:
                    n_points = int(value.strip())
                except ValueError:
                    raise ConversionError(
                        path, lineno,
                        f'n_points: expected an integer, got {value.strip()!r}'
                    )
                n_points_line = lineno
                if n_points <= 0:
                    raise ConversionError(
                        path, lineno, f'n_points must be > 0, got {n_points}')
                if num_keypoints is not None and n_points != num_keypoints:
                    raise ConversionError(
                        path, lineno,
                        f'n_points is {n_points}, expected {num_keypoints}')
        elif state == 'points':
            if text == '}':
                if len(points) != n_points:
                    raise ConversionError(
                        path, lineno,
                        f"'}}' after {len(points)} points, but n_points "
                        f'(line {n_points_line}) is {n_points}')
                state = 'done'
                continue
            fields = text.split()
            if len(fields) != 2:
                raise ConversionError(
                    path, lineno, f'expected two numbers "x y", got {text!r}')
            try:
                x, y = float(fields[0]), float(fields[1])
            except ValueError:
                raise ConversionError(
                    path, lineno, f'expected two numbers "x y", got {text!r}')
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ConversionError(
                    path, lineno,
                    f'expected two finite numbers "x y", got {text!r}')
            if len(points) == n_points:
                raise ConversionError(
                    path, lineno, f'more than n_points = {n_points} points '
                    f"(line {n_points_line}), or a missing '}}'")
            points.append((x, y))
        else:
            raise ConversionError(path, lineno,
                                  f"unexpected text after '}}': {text!r}")
    if last == 0:
        raise ConversionError(path, None, 'empty file')
    if state == 'header':
        what = ("no 'n_points:' line and no '{'"
                if n_points is None else "missing '{'")
        raise ConversionError(path, last, f'{what} (end of file)')
    if state == 'points':
        raise ConversionError(
            path, last,
            f"missing '}}' (end of file after {len(points)} points)")
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


# --------------------------------------------------------------- geometry
def center_scale_from_keypoints(
        keypoints: np.ndarray,
        scale_factor: float = 1.0) -> Tuple[List[float], float]:
    """HRNet's face box from keypoints: the integer box
    ``floor(min) .. ceil(max)``, its centre, and ``scale`` = its longer side
    / 200 times ``scale_factor``. Reproduces the ``center``/``scale`` of all
    1,289 rows of the 300-W CSVs exactly with ``scale_factor=1``."""
    keypoints = np.asarray(keypoints, dtype=np.float64)
    lo = np.floor(keypoints.min(axis=0))
    hi = np.ceil(keypoints.max(axis=0))
    center = [float(c) for c in (lo + hi) / 2]
    size = float((hi - lo).max())
    return center, scale_factor * size / PIXEL_STD


def read_image_size(path) -> Tuple[int, int]:
    """``(height, width)`` of an image as OpenCV decodes it (EXIF rotation
    applied), read from the header where Pillow is available."""
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        try:
            with Image.open(path) as img:
                width, height = img.size
                try:
                    orientation = img.getexif().get(0x0112, 1)
                except Exception:  # malformed EXIF: ignore like OpenCV
                    orientation = 1
        except OSError as e:
            raise ConversionError(path, None, f'cannot read image ({e})')
        if orientation in (5, 6, 7, 8):  # rotated by 90 degrees
            width, height = height, width
        return int(height), int(width)
    import cv2
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ConversionError(path, None, 'cannot read image')
    return int(img.shape[0]), int(img.shape[1])


# ------------------------------------------------------------- conversion
def _warn_stderr(message: str) -> None:
    print(f'warning: {message}', file=sys.stderr)


def _file_name(image_name: str, rule: str) -> str:
    name = image_name.replace('\\', '/')
    if rule == 'basename':
        return posixpath.basename(name)
    if rule == 'relative':
        return name
    raise ValueError(f'file_name rule must be one of {FILE_NAME_RULES}, '
                     f'got {rule!r}')


def convert_csv(csv_files: Sequence,
                img_root: Optional[str] = None,
                *,
                file_name: str = 'basename',
                image_size: bool = True,
                skip_missing_images: bool = False,
                num_keypoints: int = 68,
                warn: Callable[[str], None] = _warn_stderr) -> Conversion:
    """Convert HRNet-format CSVs (see module docstring).

    Args:
        csv_files: one path or several; ids count data rows across them.
        img_root: folder holding the images as ``img_root/<file_name>``;
            required when ``image_size`` is true.
        file_name: ``'basename'`` or ``'relative'`` (the CSV path).
        image_size: read ``height``/``width`` from the images; ``False``
            leaves them out and opens no image.
        skip_missing_images: leave out (and report through ``warn``) faces
            whose image is missing instead of raising.
        num_keypoints: keypoints per row.
    """
    if isinstance(csv_files, (str, os.PathLike)):
        csv_files = [csv_files]
    if image_size and img_root is None:
        raise ValueError('img_root is needed to read image sizes '
                         '(or pass image_size=False)')
    _file_name('', file_name)  # validate the rule early
    out = Conversion()
    seen: Dict[str, Tuple[str, str, int]] = {}
    offset = 0
    for csv_path in csv_files:
        records = read_hrnet_csv(csv_path, num_keypoints)
        if not records:
            raise ConversionError(csv_path, None, 'no data rows')
        for rec in records:
            idx = offset + rec.index
            name = _file_name(rec.image_name, file_name)
            other = seen.setdefault(name,
                                    (rec.image_name, rec.csv_path, rec.line))
            if other[0] != rec.image_name:
                raise ConversionError(
                    rec.csv_path, rec.line,
                    f'{rec.image_name!r} and {other[0]!r} ({other[1]} line '
                    f'{other[2]}) both become file_name {name!r}; use '
                    "--file-name relative")
            if image_size:
                img_path = os.path.join(img_root, name)
                if not os.path.isfile(img_path):
                    if not skip_missing_images:
                        raise ConversionError(rec.csv_path, rec.line,
                                              f'image not found: {img_path}')
                    out.skipped.append((rec.csv_path, rec.line, img_path))
                    warn(f'{rec.csv_path} line {rec.line}: image not found: '
                         f'{img_path}; face left out')
                    continue
                height, width = read_image_size(img_path)
                image = face300w_image(idx, name, height, width)
            else:
                image = face300w_image(idx, name, 0, 0)
                del image['height'], image['width']
            out.images.append(image)
            out.annotations.append(
                face300w_annotation(
                    rec.keypoints,
                    rec.center,
                    rec.scale,
                    image_id=idx,
                    ann_id=idx))
        offset += len(records)
    return out


def _find_pts_pairs(pts_dir) -> List[Tuple[str, str]]:
    """Sorted ``(pts path, image path)`` pairs under ``pts_dir`` (relative
    posix paths); the image is ``None`` where none lies beside."""
    pairs = []
    for root, dirs, files in os.walk(pts_dir):
        dirs.sort()
        images: Dict[str, List[str]] = {}
        for f in files:
            stem, ext = os.path.splitext(f)
            if ext.lower() in IMAGE_SUFFIXES:
                images.setdefault(stem, []).append(f)
        rel_root = os.path.relpath(root, pts_dir)
        for f in files:
            stem, ext = os.path.splitext(f)
            if ext.lower() != '.pts':
                continue
            rel = posixpath.normpath(
                posixpath.join(rel_root.replace(os.sep, '/'), f))
            beside = sorted(images.get(stem, []))
            if len(beside) > 1:
                raise ConversionError(
                    os.path.join(pts_dir, rel), None,
                    f'several images beside it: {", ".join(beside)}')
            img = (
                posixpath.normpath(
                    posixpath.join(rel_root.replace(os.sep, '/'), beside[0]))
                if beside else None)
            pairs.append((rel, img))
    return sorted(pairs)


def convert_pts_dir(pts_dir,
                    *,
                    scale_factor: float = 1.0,
                    file_name: str = 'relative',
                    image_size: bool = True,
                    skip_missing_images: bool = False,
                    num_keypoints: int = 68,
                    file_name_prefix: str = '',
                    first_id: int = 0,
                    warn: Callable[[str], None] = _warn_stderr) -> Conversion:
    """Convert a folder tree of images with ``.pts`` files beside them.

    Ids are ``first_id`` + the index in sorted ``.pts`` path order;
    ``center``/``scale`` come from :func:`center_scale_from_keypoints`;
    ``file_name`` is ``file_name_prefix`` + the image path relative to
    ``pts_dir`` (or its basename), so that it resolves under the image
    folder a config reads (``data_prefix``): ``file_name_prefix='afw/'``
    for ``pts_dir`` = ``IMAGES/afw``.
    """
    if not os.path.isdir(pts_dir):
        raise ConversionError(pts_dir, None, 'not a directory')
    _file_name('', file_name)
    pairs = _find_pts_pairs(pts_dir)
    if not pairs:
        raise ConversionError(pts_dir, None, 'no .pts files in this tree')
    out = Conversion()
    seen: Dict[str, str] = {}
    for idx, (rel_pts, rel_img) in enumerate(pairs):
        pts_path = os.path.join(pts_dir, rel_pts)
        keypoints = read_pts(pts_path, num_keypoints)
        if rel_img is None:
            stem = os.path.splitext(pts_path)[0]
            msg = (f'no image beside it ({stem}'
                   f'{{{",".join(IMAGE_SUFFIXES)}}})')
            if not skip_missing_images:
                raise ConversionError(pts_path, None, msg)
            out.skipped.append((pts_path, None, stem))
            warn(f'{pts_path}: {msg}; face left out')
            continue
        name = file_name_prefix + _file_name(rel_img, file_name)
        if seen.setdefault(name, rel_img) != rel_img:
            raise ConversionError(
                pts_path, None,
                f'{rel_img!r} and {seen[name]!r} both become file_name '
                f'{name!r}; use --file-name relative')
        face_id = first_id + idx
        if image_size:
            height, width = read_image_size(os.path.join(pts_dir, rel_img))
            image = face300w_image(face_id, name, height, width)
        else:
            image = face300w_image(face_id, name, 0, 0)
            del image['height'], image['width']
        center, scale = center_scale_from_keypoints(keypoints, scale_factor)
        out.images.append(image)
        out.annotations.append(
            face300w_annotation(
                keypoints, center, scale, image_id=face_id, ann_id=face_id))
    return out


# -------------------------------------------------------------------- CLI
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Convert 300-W annotations (iBUG .pts or HRNet CSVs) "
        "to MMPose's COCO-style 300-W JSON.")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument(
        '--pts-dir',
        metavar='DIR',
        help='folder tree of images with .pts files beside them')
    src.add_argument(
        '--csv',
        metavar='FILE',
        nargs='+',
        help='HRNet-format CSV(s); ids count data rows across files')
    parser.add_argument(
        '--out', metavar='FILE', required=True, help='output JSON')
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        '--img-root',
        metavar='DIR',
        help='(--csv) folder holding the images as DIR/<file_name>')
    size.add_argument(
        '--no-image-size',
        action='store_true',
        help='leave height/width out of "images" and open no image '
        "(Face300WDataset's top-down mode does not read them)")
    parser.add_argument(
        '--file-name',
        choices=FILE_NAME_RULES,
        default=None,
        help='file_name written for each image: "basename" (default for '
        '--csv, as in MMPose\'s test_300w.json) or "relative" (the CSV '
        'path as given, which MMPose\'s data/300w/images/ layout needs; '
        'default for --pts-dir, relative to DIR)')
    parser.add_argument(
        '--file-name-prefix',
        metavar='PREFIX',
        default='',
        help='(--pts-dir) put PREFIX before every file_name, e.g. "afw/" '
        'when the config reads images from the folder above DIR')
    parser.add_argument(
        '--first-id',
        type=int,
        default=0,
        help='(--pts-dir) image and annotation id of the first face; the '
        'rest count on (keeps ids unique across several converted folders)')
    parser.add_argument(
        '--skip-missing-images',
        action='store_true',
        help='leave out faces whose image is missing (reported and '
        'counted) instead of stopping with an error')
    parser.add_argument(
        '--num-keypoints',
        type=int,
        default=68,
        help='keypoints per face (default: 68)')
    parser.add_argument(
        '--scale-factor',
        type=float,
        default=None,
        help='(--pts-dir) multiply the derived scale, '
        'max(ceil(max) - floor(min)) / 200, by this (default: 1, which '
        "matches HRNet's CSVs exactly)")
    return parser


class _CappedWarnings:
    """Print the first ``limit`` warnings to stderr, count the rest."""

    def __init__(self, limit: int = 10):
        self.limit, self.count = limit, 0

    def __call__(self, message: str) -> None:
        self.count += 1
        if self.count <= self.limit:
            _warn_stderr(message)
        elif self.count == self.limit + 1:
            _warn_stderr('further missing images are not listed')


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    warn = _CappedWarnings()
    if args.num_keypoints <= 0:
        parser.error('--num-keypoints must be > 0')
    try:
        if args.csv:
            if args.file_name_prefix or args.first_id:
                parser.error('--file-name-prefix and --first-id apply to '
                             '--pts-dir only')
            if args.scale_factor is not None:
                parser.error('--scale-factor applies to --pts-dir only '
                             '(CSV rows carry their own scale)')
            if args.img_root is None and not args.no_image_size:
                parser.error('--csv needs --img-root DIR to read image '
                             'sizes, or --no-image-size')
            result = convert_csv(
                args.csv,
                args.img_root,
                file_name=args.file_name or 'basename',
                image_size=not args.no_image_size,
                skip_missing_images=args.skip_missing_images,
                num_keypoints=args.num_keypoints,
                warn=warn)
        else:
            if args.img_root is not None:
                parser.error('--img-root applies to --csv only (with '
                             '--pts-dir the images lie beside the .pts)')
            scale_factor = (1.0 if args.scale_factor is None else
                            args.scale_factor)
            if not scale_factor > 0:
                parser.error('--scale-factor must be > 0')
            result = convert_pts_dir(
                args.pts_dir,
                file_name_prefix=args.file_name_prefix,
                first_id=args.first_id,
                scale_factor=scale_factor,
                file_name=args.file_name or 'relative',
                image_size=not args.no_image_size,
                skip_missing_images=args.skip_missing_images,
                num_keypoints=args.num_keypoints,
                warn=warn)
    except ConversionError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    if not result.annotations:
        print(
            f'error: all {len(result.skipped)} faces were left out for '
            'missing images; nothing written',
            file=sys.stderr)
        return 2
    out_dir = os.path.dirname(os.path.abspath(args.out))
    try:
        os.makedirs(out_dir, exist_ok=True)
        result.dump(args.out)
    except OSError as e:
        print(
            f'error: cannot write {args.out}: {e.strerror or e}',
            file=sys.stderr)
        return 2
    message = (f'wrote {len(result.annotations)} faces '
               f'({len(result.images)} images) to {args.out}')
    if result.skipped:
        message += (f'; skipped {len(result.skipped)} faces with missing '
                    'images')
    print(message)
    return 0


if __name__ == '__main__':
    sys.exit(main())
