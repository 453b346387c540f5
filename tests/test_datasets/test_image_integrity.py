"""check_image_bytes against images written by OpenCV, cut short, or
not images at all; read_image and mmengine's file backend use it."""
import cv2
import numpy as np
import pytest

from hybridmatch_mmpose.datasets import (UnreadableImageError,
                                         check_image_bytes, read_image)


def _encoded(ext, size=48, seed=0):
    img = np.random.default_rng(seed).integers(0, 255, (size, size, 3),
                                               np.uint8)
    ok, buf = cv2.imencode(ext, img)
    assert ok
    return buf.tobytes()


@pytest.mark.parametrize('ext', ['.jpg', '.png', '.bmp', '.tif', '.webp'])
def test_complete_images_pass(ext):
    check_image_bytes(_encoded(ext), f'face{ext}')
    check_image_bytes(_encoded(ext) + b'\0' * 16, f'face{ext}')  # padding


@pytest.mark.parametrize('ext, match', [
    ('.jpg', 'truncated JPEG'), ('.png', 'truncated PNG')])
def test_truncated_images_are_refused(ext, match):
    data = _encoded(ext)
    half = data[:len(data) // 2]
    # what OpenCV makes of it: no PNG at all; a grey-filled JPEG in
    # OpenCV 4, none in OpenCV 5 - the check must not depend on either
    decoded = cv2.imdecode(np.frombuffer(half, np.uint8), cv2.IMREAD_COLOR)
    if ext == '.png':
        assert decoded is None
    with pytest.raises(UnreadableImageError, match=f'face{ext}: {match}'):
        check_image_bytes(half, f'face{ext}')


def test_truncated_jpeg_with_a_complete_thumbnail():
    """An EXIF thumbnail carries its own end-of-image marker near the
    start; the main image's end must still be found after its scan."""
    main, thumb = _encoded('.jpg', 96, 1), _encoded('.jpg', 16, 2)
    payload = b'Exif\0\0' + thumb
    app1 = b'\xff\xe1' + (len(payload) + 2).to_bytes(2, 'big') + payload
    whole = main[:2] + app1 + main[2:]
    check_image_bytes(whole, 'face.jpg')
    with pytest.raises(UnreadableImageError, match='truncated JPEG'):
        check_image_bytes(whole[:len(app1) + len(main) // 2], 'face.jpg')


@pytest.mark.parametrize('data, match', [
    (b'', 'the image file is empty'),
    (b'not an image at all', r"not an image: it starts with b'not an i', "
     'not with a JPEG signature'),
])
def test_empty_and_non_image_files(data, match):
    with pytest.raises(UnreadableImageError, match=match):
        check_image_bytes(data, 'face.jpg')
    check_image_bytes(data[:4] + b'x', 'notes.txt')  # not an image name


def test_a_png_named_jpg_is_an_image():
    check_image_bytes(_encoded('.png'), 'face.jpg')


def test_read_image_and_the_file_backend(tmp_path):
    from mmengine import fileio
    path = tmp_path / 'face.jpg'
    data = _encoded('.jpg')
    path.write_bytes(data)
    assert read_image(str(path)).shape == (48, 48, 3)
    assert fileio.get(str(path)) == data
    path.write_bytes(data[:len(data) // 2])
    for read in (read_image, fileio.get):
        with pytest.raises(UnreadableImageError,
                           match=f'{path}: truncated JPEG'):
            read(str(path))
