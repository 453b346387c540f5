"""Image integrity: a truncated or unreadable image is an error, not grey.

OpenCV decodes a JPEG whose end is missing without an error: the missing
rows come out flat grey and only libjpeg's "Premature end of JPEG file"
reaches stderr. A text file named ``.jpg`` decodes to ``None``, which
mmcv's ``LoadImageFromFile`` reports as an ``AssertionError`` that MMPose's
``LoadImage`` suffixes with "Please check whether the file exists".

:func:`check_image_bytes` checks what the decoder cannot: the bytes start
with the signature of a known image format (JPEG, PNG, BMP, TIFF, WebP),
a JPEG has its end-of-image marker after the start of its scan data, and
a PNG has its ``IEND`` chunk. :func:`register_verified_image_reads`
(called on ``import hybridmatch_mmpose``) runs it on every image file read
through mmengine's local file backend, which MMPose's ``LoadImage`` uses,
so the error names the file in every pipeline (train, val, test) without
a change to the configs. What happens next is the data set's choice:
:class:`~.SemiSplitDataset` skips an unreadable *unlabelled* image, and a
labelled or test image stops the run naming the file.

:func:`read_image` is the same check for tools that read images with
OpenCV directly (``tools/infer.py``).
"""
import os
import os.path as osp
from typing import Optional, Union

import numpy as np

#: File name endings checked by the local file backend.
IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')

_SIGNATURES = {
    'JPEG': (b'\xff\xd8\xff', ),
    'PNG': (b'\x89PNG\r\n\x1a\n', ),
    'BMP': (b'BM', ),
    'TIFF': (b'II*\x00', b'MM\x00*'),
    'WebP': (b'RIFF', ),
}
_EXPECTED = {'.jpg': 'JPEG', '.jpeg': 'JPEG', '.png': 'PNG', '.bmp': 'BMP',
             '.tif': 'TIFF', '.tiff': 'TIFF', '.webp': 'WebP'}


class UnreadableImageError(OSError):
    """An image file that is truncated, empty or not an image."""


def image_format(data: bytes) -> Optional[str]:
    """The format whose signature ``data`` starts with (``'JPEG'``,
    ``'PNG'``, ...), or None."""
    for name, signatures in _SIGNATURES.items():
        if data.startswith(signatures):
            if name != 'WebP' or data[8:12] == b'WEBP':
                return name
    return None


def _jpeg_scan_start(data: bytes) -> int:
    """Offset of the first start-of-scan marker (``FF DA``) of the main
    image, walking the marker segments from the start (so the thumbnail
    inside an EXIF segment is skipped); -1 if the header ends first."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return -1
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker == 0xDA:
            return i
        elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            i += 2
        elif marker == 0xD9:
            return -1
        else:
            i += 2 + int.from_bytes(data[i + 2:i + 4], 'big')
    return -1


def check_image_bytes(data: bytes, path: Union[str, os.PathLike]) -> None:
    """Raise :class:`UnreadableImageError` naming ``path`` unless ``data``
    is a complete image file.

    Args:
        data (bytes): The file's bytes.
        path (str | PathLike): The file, for the message and its extension.

    Raises:
        UnreadableImageError: empty; not an image format although the
            extension names one; a JPEG without its end-of-image marker
            after the scan data, or a PNG without ``IEND`` (truncated).
    """
    ext = osp.splitext(str(path))[1].lower()
    fmt = image_format(data)
    fix = ('replace the file, or remove its entry from the annotation '
           'file')
    if not data:
        raise UnreadableImageError(f'{path}: the image file is empty; {fix}')
    if fmt is None:
        if ext in _EXPECTED:
            raise UnreadableImageError(
                f'{path}: not an image: it starts with {data[:8]!r}, not '
                f'with a {_EXPECTED[ext]} signature; {fix}')
        return
    if fmt == 'JPEG':
        scan = _jpeg_scan_start(data)
        if scan < 0 or data.rfind(b'\xff\xd9') < scan:
            raise UnreadableImageError(
                f'{path}: truncated JPEG ({len(data)} bytes, no end-of-image '
                'marker after the image data): the decoder would fill the '
                f'missing part with grey; {fix}')
    elif fmt == 'PNG' and data.rfind(b'IEND') < 8:
        raise UnreadableImageError(
            f'{path}: truncated PNG ({len(data)} bytes, no IEND chunk); '
            f'{fix}')


def read_image(path: str, flag: Optional[int] = None) -> np.ndarray:
    """``cv2.imread`` that raises instead of returning ``None`` or a
    partly grey image.

    Args:
        path (str): The image file.
        flag (int, optional): ``cv2.imdecode`` flag; default
            ``cv2.IMREAD_COLOR``.

    Returns:
        np.ndarray: The image, (H, W, 3) BGR uint8 by default.

    Raises:
        UnreadableImageError: see :func:`check_image_bytes`, or OpenCV
            cannot decode it.
    """
    import cv2
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as err:
        raise UnreadableImageError(f'{path}: cannot be read ({err})') from err
    check_image_bytes(data, path)
    img = cv2.imdecode(np.frombuffer(data, np.uint8),
                       cv2.IMREAD_COLOR if flag is None else flag)
    if img is None:
        raise UnreadableImageError(f'{path}: OpenCV cannot decode this image '
                                   '(unsupported or corrupt)')
    return img


def register_verified_image_reads() -> None:
    """Make mmengine's ``LocalBackend.get`` run :func:`check_image_bytes`
    on files whose name ends with one of :data:`IMAGE_EXTS` (module
    docstring). Idempotent."""
    from mmengine.fileio.backends import LocalBackend
    if getattr(LocalBackend.get, '_checks_images', False):
        return
    unchecked_get = LocalBackend.get

    def get(self, filepath) -> bytes:
        data = unchecked_get(self, filepath)
        if str(filepath).lower().endswith(IMAGE_EXTS):
            check_image_bytes(data, filepath)
        return data

    get._checks_images = True
    get.__doc__ = unchecked_get.__doc__
    LocalBackend.get = get
