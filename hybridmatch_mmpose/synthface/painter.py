"""Anti-aliased compositing of polygons and strokes into a float image."""
import math

import cv2
import numpy as np


class Painter:
    """Alpha-composites anti-aliased polygons and strokes into a float image,
    working only inside each primitive's bounding box.

    Polygons are drawn with OpenCV at 1/16-pixel precision, pixel centres at
    integer coordinates.

    Args:
        img: (H, W, 3) float32 BGR image, painted in place.
    """

    def __init__(self, img: np.ndarray):
        self.img = img
        self.h, self.w = img.shape[:2]

    def _roi(self, polys, pad):
        allp = np.concatenate(polys)
        x0 = max(int(math.floor(allp[:, 0].min() - pad)), 0)
        y0 = max(int(math.floor(allp[:, 1].min() - pad)), 0)
        x1 = min(int(math.ceil(allp[:, 0].max() + pad)) + 1, self.w)
        y1 = min(int(math.ceil(allp[:, 1].max() + pad)) + 1, self.h)
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def mask(self, polys, thickness=0, closed=True, blur=0.0, roi=None):
        """Float coverage mask in [0, 1]: (H, W), or the size of ``roi``
        ``(x0, y0, x1, y1)``."""
        x0, y0, x1, y1 = roi if roi is not None else (0, 0, self.w, self.h)
        m = np.zeros((y1 - y0, x1 - x0), np.uint8)
        pts = [np.round((np.asarray(p) - (x0, y0)) * 16).astype(np.int32)
               for p in polys]
        if thickness <= 0:
            cv2.fillPoly(m, pts, 255, cv2.LINE_AA, 4)
        else:
            cv2.polylines(m, pts, closed, 255, int(thickness), cv2.LINE_AA, 4)
        m = m.astype(np.float32) * (1 / 255)
        if blur > 0:
            m = cv2.GaussianBlur(m, (0, 0), blur)
        return m

    def paint(self, polys, colour, alpha=1.0, thickness=0, closed=True,
              blur=0.0, clip=None):
        """Fill (``thickness`` 0) or stroke ``polys`` with ``colour``.

        Args:
            polys: list of (N, 2) pixel polygons or polylines.
            colour: BGR triple, or a full-size (H, W, 3) texture image.
            alpha: opacity.
            thickness: stroke width in pixels; 0 fills.
            closed: close the strokes.
            blur: Gaussian blur (pixels) of the coverage.
            clip: (H, W) coverage that multiplies the primitive's.

        Returns:
            The painted box ``(x0, y0, x1, y1)``, or ``None`` when nothing
            lies in the image.
        """
        polys = [np.asarray(p, np.float64) for p in polys if len(p) > 1]
        if not polys:
            return None
        pad = thickness + 3 * blur + 2
        roi = self._roi(polys, pad)
        if roi is None:
            return None
        x0, y0, x1, y1 = roi
        m = self.mask(polys, thickness, closed, blur, roi) * alpha
        if clip is not None:
            m = m * clip[y0:y1, x0:x1]
        sub = self.img[y0:y1, x0:x1]
        if isinstance(colour, np.ndarray) and colour.ndim == 3:
            col = colour[y0:y1, x0:x1]
        else:
            col = np.asarray(colour, np.float32)
        sub += (col - sub) * m[..., None]
        return roi

    def polygon_clip(self, poly: np.ndarray, roi) -> np.ndarray:
        """(H, W) coverage of ``poly`` inside ``roi`` (zero elsewhere): the
        ``clip`` of what is painted within an already painted polygon."""
        clip = np.zeros((self.h, self.w), np.float32)
        x0, y0, x1, y1 = roi
        clip[y0:y1, x0:x1] = self.mask([poly], roi=roi)
        return clip


def stripes(rng, size, periods, amplitude) -> np.ndarray:
    """(size, size, 3) float32 sine stripes at a random angle, a random
    number of ``periods`` (lo, hi) across the image, a random ``amplitude``
    (lo, hi) and a random signed colour: an addend for an image."""
    ang = rng.uniform(0, np.pi)
    freq = rng.uniform(*periods) / size
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    wave = np.sin(2 * np.pi * freq *
                  (xx * math.cos(ang) + yy * math.sin(ang)))
    return (wave[..., None] * rng.uniform(*amplitude) *
            rng.uniform(-1, 1, 3)).astype(np.float32)


def lowfreq_noise(rng, size, grid, channels=3) -> np.ndarray:
    """(size, size, channels) float32 noise: a ``grid`` x ``grid`` normal
    field upsampled with bicubic interpolation."""
    g = rng.normal(0, 1, (grid, grid, channels)).astype(np.float32)
    out = cv2.resize(g, (size, size), interpolation=cv2.INTER_CUBIC)
    return out.reshape(size, size, channels)
