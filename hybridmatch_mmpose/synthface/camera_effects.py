"""What a camera adds to a drawn face: lighting, blur, noise, JPEG."""
import math

import cv2
import numpy as np


def camera_effects(rng, img: np.ndarray, difficulty: float) -> np.ndarray:
    """Lighting gradient, colour cast, rare grey, Gaussian blur, sensor
    noise and JPEG artefacts, all scaled by ``difficulty`` (none at 0).

    Args:
        rng: the sample's generator.
        img: (S, S, 3) float32 BGR image in [0, 255] (changed in place).
        difficulty: nuisance strength in [0, 2].

    Returns:
        (S, S, 3) uint8 BGR image.
    """
    d = difficulty
    size = img.shape[0]
    if d > 0:
        ang = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
        amp = rng.uniform(0, 0.6) * min(d, 1.5)
        gain = 1 + amp * (xx * math.cos(ang) + yy * math.sin(ang))
        gain *= rng.uniform(1 - 0.25 * d / 2 - 0.1, 1 + 0.2 * d / 2)
        img *= gain[..., None]
        img *= (1 + rng.normal(0, 0.06 * d, 3)).astype(np.float32)
        if rng.random() < 0.08 * d:
            img[:] = img.mean(2, keepdims=True)
    img = np.clip(img, 0, 255)
    if d > 0 and rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.2 * d))
    if d > 0:
        sigma = rng.uniform(0, 6 * d)
        img = img + rng.normal(0, sigma, img.shape).astype(np.float32)
    out = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    if d > 0 and rng.random() < 0.4 * min(d, 1.5):
        q = int(rng.uniform(25, 75))
        ok, buf = cv2.imencode('.jpg', out, [cv2.IMWRITE_JPEG_QUALITY, q])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out
