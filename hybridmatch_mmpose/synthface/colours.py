"""Colour palettes and random colour pickers of SynthFace-68 (BGR)."""
import cv2
import numpy as np

SKIN_TONES = np.array([  # BGR, light to dark
    [196, 214, 246], [166, 192, 234], [140, 170, 222], [110, 146, 198],
    [82, 116, 170], [60, 88, 134], [44, 62, 96]], np.float32)
HAIR_TONES = np.array([
    [20, 20, 25], [30, 40, 60], [40, 60, 100], [70, 110, 160],
    [120, 170, 210], [160, 160, 165], [40, 50, 140], [30, 30, 40]],
    np.float32)
IRIS_TONES = np.array([
    [30, 50, 80], [40, 70, 110], [140, 110, 60], [90, 120, 70],
    [60, 60, 60], [120, 90, 50]], np.float32)


def rand_colour(rng, lo=0, hi=255) -> np.ndarray:
    """A uniform random BGR colour, each channel in [lo, hi)."""
    return rng.uniform(lo, hi, 3).astype(np.float32)


def jitter(rng, base, amount=20.0) -> np.ndarray:
    """``base`` plus normal noise of std ``amount`` per channel."""
    return np.clip(base + rng.normal(0, amount, 3), 0, 255).astype(np.float32)


def palette_colour(rng, tones: np.ndarray, amount: float) -> np.ndarray:
    """A random tone of ``tones`` (T, 3), jittered by ``amount``."""
    return jitter(rng, tones[rng.integers(len(tones))], amount)


def skin_colour(rng, difficulty) -> np.ndarray:
    """A skin tone between two neighbours of :data:`SKIN_TONES`, or
    (p = 0.06 * difficulty) a painted, unnatural colour."""
    if rng.random() < 0.06 * difficulty:  # painted / unnatural
        return rand_colour(rng, 40, 230)
    t = rng.uniform(0, len(SKIN_TONES) - 1)
    i = min(int(t), len(SKIN_TONES) - 2)
    c = SKIN_TONES[i] * (1 - (t - i)) + SKIN_TONES[i + 1] * (t - i)
    return np.clip(c * rng.uniform(0.9, 1.1, 3), 0, 255).astype(np.float32)


def random_hue(rng, lo=40, hi=230) -> np.ndarray:
    """A saturated random colour with value in [lo, hi)."""
    hsv = np.uint8([[[rng.integers(0, 180), rng.integers(120, 256),
                      rng.integers(lo, hi)]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def contrast_ink(rng, base) -> np.ndarray:
    """A feature colour clearly darker or (rarely) lighter than ``base``."""
    lum = float(np.mean(base))
    if rng.random() < 0.2 and lum < 150:  # light features on dark skin
        return np.clip(base + rng.uniform(70, 140), 0, 255).astype(np.float32)
    if rng.random() < 0.3:
        c = random_hue(rng, 20, 120)
    else:
        c = base * rng.uniform(0.1, 0.45)
    return np.clip(c, 0, 255).astype(np.float32)
