"""What every drawing step of one face needs, in one object."""
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np

from .curves import transform_points
from .painter import Painter

if TYPE_CHECKING:  # pragma: no cover
    from .styles import FaceStyle


@dataclass
class RenderContext:
    """The canvas, the sample's generator and the face's placement.

    Drawing functions take one context instead of the painter, generator,
    transform, pixel scale and style one by one; a neighbouring face is
    drawn with a context of its own (its own transform and style).

    Args:
        painter: the canvas.
        rng: the sample's generator; every random choice draws from it, in
            drawing order, so a seed gives the same image.
        transform: (2, 3) similarity transform, normalised face frame ->
            image pixels.
        style: the face's drawing style (``None`` before it is chosen).
    """
    painter: Painter
    rng: np.random.Generator
    transform: np.ndarray
    style: Optional['FaceStyle'] = None
    #: pixels per face unit (the scale of ``transform``)
    scale: float = field(init=False)

    def __post_init__(self):
        self.scale = math.hypot(self.transform[0, 0], self.transform[1, 0])

    @property
    def size(self) -> int:
        """Side of the square image in pixels."""
        return self.painter.w

    def to_image(self, pts) -> np.ndarray:
        """Face-frame points (N, 2) -> image pixels (N, 2)."""
        return transform_points(self.transform, pts)

    def px(self, length: float) -> int:
        """A face-frame length in whole pixels, at least 1."""
        return max(1, int(round(length * self.scale)))
