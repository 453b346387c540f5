"""Drawing styles of a face (``styles`` group) and of the whole image
(``post`` group).

A :class:`FaceStyle` holds one face's independent style choices; the
facial-part painters of :mod:`.facial_parts` read it.
"""
from dataclasses import dataclass

import cv2
import numpy as np

from .colours import contrast_ink, rand_colour, random_hue
from .curves import ellipse
from .painter import Painter, lowfreq_noise, stripes

#: Style families and their probabilities, drawn in this order.
STYLE_CHOICES = dict(
    mode=(('photo', 0.45), ('flat', 0.3), ('line', 0.25)),
    skin_tex=(('smooth', 0.25), ('lowfreq', 0.25), ('grain', 0.15),
              ('stripes', 0.15), ('spots', 0.2)),
    brow=(('band', 0.3), ('line', 0.25), ('outline', 0.2), ('strokes', 0.25)),
    eye=(('real', 0.3), ('outline', 0.2), ('dark', 0.15), ('liner', 0.2),
         ('cartoon', 0.15)),
    nose=(('real', 0.35), ('line', 0.3), ('shadow', 0.35)),
    mouth=(('real', 0.3), ('outline', 0.25), ('lipstick', 0.25),
           ('thin', 0.2)),
    jaw=(('plain', 0.45), ('stroke', 0.35), ('beard', 0.2)),
)


@dataclass
class FaceStyle:
    """One face's drawing style.

    Args:
        mode: ``photo`` (shaded), ``flat`` (flat colours) or ``line``
            (line art).
        skin_tex: skin texture (:func:`skin_texture`).
        brow, eye, nose, mouth, jaw: how each part is drawn (keys of
            :data:`STYLE_CHOICES`).
        skin: BGR skin colour (float32).
        ink: BGR colour of lines and dark features.
        stroke: line width in face units.
        feature_hue: paint the features in unnatural hues.
        paper: (line art) the head is filled with a paper colour.
    """
    mode: str
    skin_tex: str
    brow: str
    eye: str
    nose: str
    mouth: str
    jaw: str
    skin: np.ndarray
    ink: np.ndarray
    stroke: float
    feature_hue: bool
    paper: bool = False

    @property
    def line(self) -> bool:
        """Line-art mode."""
        return self.mode == 'line'


def _pick(rng, options):
    names = [o[0] for o in options]
    probs = np.array([o[1] for o in options], np.float64)
    return names[int(rng.choice(len(names), p=probs / probs.sum()))]


def face_style(rng, skin) -> FaceStyle:
    """Independent style choices of one face (``styles`` group).

    Args:
        rng: the sample's generator.
        skin: the face's BGR skin colour (flat and line art may replace
            it).
    """
    choices = {k: _pick(rng, v) for k, v in STYLE_CHOICES.items()}
    paper = False
    if choices['mode'] == 'flat' and rng.random() < 0.6:
        skin = random_hue(rng, 90, 240)
    if choices['mode'] == 'line':
        paper = rng.random() < 0.6  # head filled with a paper colour
        skin = rand_colour(rng, 170, 250) if paper else skin
    skin = np.asarray(skin, np.float32)
    ink = contrast_ink(rng, skin)
    stroke = rng.uniform(0.008, 0.03)  # line width (face units)
    feature_hue = rng.random() < 0.3  # painted, unnatural features
    return FaceStyle(**choices, skin=skin, ink=ink, stroke=stroke,
                     feature_hue=feature_hue, paper=paper)


def classic_style(skin) -> FaceStyle:
    """The style of the classic drawing (for distractor parts)."""
    return FaceStyle(mode='photo', skin_tex='lowfreq', brow='band',
                     eye='real', nose='real', mouth='real', jaw='plain',
                     skin=np.asarray(skin, np.float32),
                     ink=np.asarray(skin, np.float32) * 0.3, stroke=0.012,
                     feature_hue=False)


def part_colour(rng, st: FaceStyle, natural) -> np.ndarray:
    """A feature's colour: a random hue (``feature_hue``), the ink (line
    art) or ``natural``."""
    if st.feature_hue:
        return random_hue(rng, 30, 200)
    if st.line:
        return st.ink
    return np.clip(natural, 0, 255).astype(np.float32)


def skin_texture(rng, size, base, kind) -> np.ndarray:
    """(size, size, 3) float32 texture of colour ``base``: ``smooth``,
    ``lowfreq``, ``grain``, ``stripes`` or ``spots``."""
    tex = np.broadcast_to(base, (size, size, 3)).astype(np.float32).copy()
    if kind == 'lowfreq':
        tex += lowfreq_noise(rng, size, int(rng.integers(3, 8))) * \
            rng.uniform(6, 20)
    elif kind == 'grain':
        g = lowfreq_noise(rng, size, int(rng.integers(40, 90)), 1)
        tex += g * rng.uniform(8, 25)
    elif kind == 'stripes':
        tex += stripes(rng, size, (6, 25), (10, 35))
    elif kind == 'spots':
        pp = Painter(tex)
        col = np.clip(base * rng.uniform(0.55, 0.85), 0, 255)
        for _ in range(int(rng.integers(20, 70))):
            c = rng.uniform(0, size, 2)
            r = rng.uniform(0.004, 0.015) * size
            pp.paint([ellipse(c, r, r * rng.uniform(0.6, 1), 0, n=8)],
                     col, alpha=rng.uniform(0.3, 0.8))
    return tex


def post_style(rng, img: np.ndarray) -> np.ndarray:
    """Global colour / rendering transforms (``post`` group) of an (H, W, 3)
    float image: channel permutation, negative, posterisation, pencil
    sketch, grey, or (p = 0.33) none."""
    u = rng.random()
    if u < 0.25:
        img = img[..., list(rng.permutation(3))]
    elif u < 0.37:
        img = 255 - img
    elif u < 0.47:
        levels = int(rng.integers(3, 6))
        img = np.round(img / 255 * (levels - 1)) * (255 / (levels - 1))
    elif u < 0.59:  # pencil sketch: dark where the image has edges
        g = cv2.cvtColor(np.clip(img, 0, 255).astype(np.float32),
                         cv2.COLOR_BGR2GRAY)
        g = cv2.GaussianBlur(g, (0, 0), 0.8)
        e = np.abs(cv2.Laplacian(g, cv2.CV_32F, ksize=3))
        paper = rand_colour(rng, 180, 255)
        k = rng.uniform(2.0, 5.0)
        img = paper * (1 - np.clip(e * k / 255, 0, 1))[..., None]
    elif u < 0.67:
        img = np.repeat(img.mean(2, keepdims=True), 3, 2)
    return np.ascontiguousarray(img, np.float32)
