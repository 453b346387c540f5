"""The set-up shared by both face painters: head, hair, neck and ears.

:func:`~.classic_face.draw_classic_face` and
:func:`~.styled_face.draw_styled_face` both start with
:func:`start_face` and draw the parts behind the head, the jaw rim, the
head's edge shading, the top hair and the eye sockets with the functions
here; they differ in the skin texture and the facial features. In line-art
mode (:class:`LineArt`) the hair, neck and ears are outlined instead of
filled.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import cv2
import numpy as np

from .colours import rand_colour
from .curves import catmull_rom, ellipse
from .head_outline import head_outline
from .render_context import RenderContext


@dataclass
class LineArt:
    """Outlines instead of fills: ``ink`` colour, ``width`` in pixels."""
    ink: np.ndarray
    width: int


@dataclass
class HeadLayout:
    """Where one face's head lies (normalised face frame).

    Args:
        shape: (68, 2) landmarks.
        head: (P, 2) closed head outline (jaw + forehead).
        upper: (Q, 2) the outline's part above the jaw.
        centre: (2,) mean of the landmarks.
        jaw: (J, 2) jaw spline through landmarks 0-16.
        hair: BGR hair colour.
    """
    shape: np.ndarray
    head: np.ndarray
    upper: np.ndarray
    centre: np.ndarray
    jaw: np.ndarray
    hair: np.ndarray


def random_head(rng, s: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The head outline of shape ``s`` (68, 2) with a random forehead, and
    its part above the jaw; shapes that fail
    :func:`~.head_outline.plausible` get the jaw closed by the brows raised
    by 0.3."""
    head = head_outline(s, rng.uniform(0.22, 0.36), rng.uniform(0.0, 0.1))
    if head is None:  # only for shapes that fail plausible()
        head = np.concatenate([catmull_rom(s[0:17], samples=6),
                               s[26:16:-1] + np.array([0, -0.3])])
    return head, head[len(catmull_rom(s[0:17], samples=6)):]


def start_face(ctx: RenderContext, s: np.ndarray,
               hair: np.ndarray) -> HeadLayout:
    """The first step of both painters: a random head for shape ``s``."""
    head, upper = random_head(ctx.rng, s)
    return HeadLayout(shape=s, head=head, upper=upper, centre=s.mean(0),
                      jaw=catmull_rom(s[0:17], samples=6), hair=hair)


def _long_hair_back(rng, s: np.ndarray, upper: np.ndarray,
                    centre: np.ndarray) -> np.ndarray:
    """(5, 2) control points of long hair behind the head."""
    hw = (s[16, 0] - s[0, 0]) / 2 * rng.uniform(1.15, 1.35)
    top = upper[:, 1].min() - 0.05
    bottom = s[8, 1] + rng.uniform(0.0, 0.5)
    return np.array([[centre[0] - hw, bottom], [centre[0] - hw, top + 0.25],
                     [centre[0], top], [centre[0] + hw, top + 0.25],
                     [centre[0] + hw, bottom]])


def paint_behind_head(ctx: RenderContext, face: HeadLayout, skin,
                      line: Optional[LineArt] = None,
                      clothes: bool = False) -> bool:
    """Long hair (p = 0.35), neck, clothes (p = 0.8 when ``clothes``) and
    ears (p = 0.8 each), drawn before the head covers their inner parts.

    Returns:
        Whether the face has long hair (it then always has top hair).
    """
    p, rng, T, s = ctx.painter, ctx.rng, ctx.to_image, face.shape

    def fill(poly, colour):
        if line is not None:
            p.paint([poly], line.ink, thickness=line.width)
        else:
            p.paint([poly], colour())

    long_hair = rng.random() < 0.35
    if long_hair:
        hair_back = _long_hair_back(rng, s, face.upper, face.centre)
        fill(T(catmull_rom(hair_back, samples=6)), lambda: face.hair)
    neck_w = (s[12, 0] - s[4, 0]) * rng.uniform(0.2, 0.28)
    nx = s[8, 0] * 0.5 + face.centre[0] * 0.5
    neck = np.array([[nx - neck_w, s[5, 1] - 0.1], [nx + neck_w,
                     s[11, 1] - 0.1], [nx + neck_w * 1.1, s[8, 1] + 0.6],
                     [nx - neck_w * 1.1, s[8, 1] + 0.6]])
    fill(T(neck), lambda: skin * rng.uniform(0.6, 0.8))
    if clothes and rng.random() < 0.8:
        y0 = s[8, 1] + rng.uniform(0.2, 0.4)
        w = rng.uniform(0.7, 1.1)
        collar = rng.uniform(0.6, 1.0) * neck_w
        cloth = np.array([[nx - w, y0 + 0.3], [nx - w * 0.4, y0],
                          [nx - collar, y0], [nx, y0 + rng.uniform(0, 0.15)],
                          [nx + collar, y0], [nx + w * 0.4, y0],
                          [nx + w, y0 + 0.3], [nx + w, 2.5], [nx - w, 2.5]])
        p.paint([T(cloth)], rand_colour(rng))
    for side, (i, j) in ((-1, (1, 3)), (1, (15, 13))):
        if rng.random() < 0.8:
            c = (s[i] + s[j]) / 2 + np.array([side * 0.03, 0])
            ear = ellipse(c, 0.05, rng.uniform(0.09, 0.13),
                          side * rng.uniform(0.0, 0.3))
            fill(T(ear), lambda: skin * rng.uniform(0.8, 0.95))
    return long_hair


def paint_jaw_rim(ctx: RenderContext, face: HeadLayout, skin) -> None:
    """A soft shadow rim along the jaw (its inner half is covered by the
    head): the jaw stays an edge against ears, neck and any background."""
    rng = ctx.rng
    ctx.painter.paint([ctx.to_image(face.jaw)], skin * rng.uniform(0.25, 0.5),
                      alpha=rng.uniform(0.6, 0.9), thickness=ctx.px(0.035),
                      closed=False, blur=0.004 * ctx.scale)


def shade_head_edge(ctx: RenderContext, head_img: np.ndarray) -> None:
    """Darken the painted head towards its outline ``head_img`` (pixels)."""
    p = ctx.painter
    head_mask = p.mask([head_img])
    shade_k = ctx.rng.uniform(0.05, 0.25)
    soft = cv2.GaussianBlur(head_mask, (0, 0), max(0.07 * ctx.scale, 1.0))
    p.img *= (1 - shade_k * head_mask * (1 - soft))[..., None]


def paint_top_hair(ctx: RenderContext, face: HeadLayout, long_hair: bool,
                   line: Optional[LineArt] = None) -> None:
    """Hair over the skull (p = 0.8, always with long hair) down to a
    random hairline that never covers the brows; the sideburns stop above
    the brows, so the jaw ends 0 and 16 stay visible."""
    rng, s, centre = ctx.rng, face.shape, face.centre
    if not (rng.random() < 0.8 or long_hair):
        return
    brow_top = s[17:27, 1].min()
    hl = brow_top - rng.uniform(0.06, 0.2)
    n = 7
    xs = np.linspace(s[0, 0] - 0.05, s[16, 0] + 0.05, n)
    ys = hl + rng.normal(0, 0.02, n) + \
        rng.uniform(0, 0.12) * ((xs - centre[0]) / 0.5) ** 2
    ys = np.minimum(ys, brow_top - 0.02)  # never over the brows
    hairline = catmull_rom(np.stack([xs, ys], 1), samples=6)
    # hairline left -> right, then back over the (enlarged) skull
    outer = centre + (face.upper - centre) * np.array([1.06, 1.08])
    outer = outer[outer[:, 1] < min(ys[0], ys[-1]) + 0.04]
    poly = ctx.to_image(np.concatenate([hairline, outer]))
    if line is not None:
        ctx.painter.paint([poly], line.ink, thickness=line.width)
    else:
        ctx.painter.paint([poly], face.hair)


def paint_eye_sockets(ctx: RenderContext, s: np.ndarray, skin) -> None:
    """Soft darker skin around both eyes."""
    for a, b in ((36, 42), (42, 48)):
        e = s[a:b]
        c = e.mean(0) + np.array([0, -0.01])
        sock = c + (catmull_rom(e, closed=True) - c) * np.array([1.4, 2.2])
        ctx.painter.paint([ctx.to_image(sock)], skin * 0.7,
                          alpha=ctx.rng.uniform(0.2, 0.5),
                          blur=0.03 * ctx.scale)
