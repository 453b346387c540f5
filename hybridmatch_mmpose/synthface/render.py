"""One SynthFace-68 sample: shape, scene, face, occluders, camera.

Landmarks are pixel coordinates with pixel centres at integers (OpenCV's
and MMPose's ``TopdownAffine`` convention) and stay at their true positions
when occluded. Nuisances scale with ``difficulty`` in [0, 2] (1 by
default): in-plane rotation (train: uniform +-20 deg, hard train samples
+-45, challenge test +-60), face box 40-70 % of the image side at a random
position, skin tone, background, occluders, lighting, blur, noise, JPEG.
"""
import math
from typing import Tuple

import numpy as np

from .classic_face import draw_classic_face
from .colours import HAIR_TONES, IRIS_TONES, palette_colour, skin_colour
from .curves import rotation, transform_points
from .facial_parts import draw_eye, draw_mouth
from .camera_effects import camera_effects
from .painter import Painter
from .render_context import RenderContext
from .scene import background, occluders, place_face
from .shape_prior import ShapePrior
from .styled_face import draw_styled_face, part_distractors
from .styles import classic_style, face_style, post_style
from .variants import DEFAULT_VARIANT, VARIANTS


def _neighbour_face(ctx: RenderContext, prior: ShapePrior, skin, d,
                    flags) -> None:
    """Another face beside the target (``crowd`` group): its own shape,
    style and size, centred 0.75-1.15 face boxes away, drawn before the
    target face so that the target is never covered by it."""
    rng, M = ctx.rng, ctx.transform
    s2 = prior.sample(rng, False)
    ang = rng.uniform(0, 2 * np.pi)
    off = np.array([math.cos(ang), math.sin(ang) * 0.8]) * \
        rng.uniform(0.75, 1.15)
    k = rng.uniform(0.7, 1.2)
    M2 = np.empty((2, 3))
    M2[:, :2] = M[:, :2] @ rotation(rng.normal(0, 0.25)) * k
    M2[:, 2] = M[:, 2] + M[:, :2] @ off
    skin2 = skin_colour(rng, d) if rng.random() < 0.7 else skin
    if 'styles' in flags:
        neighbour = RenderContext(ctx.painter, rng, M2,
                                  face_style(rng, skin2))
        draw_styled_face(neighbour, s2)
    else:
        draw_classic_face(RenderContext(ctx.painter, rng, M2), s2, skin2)


def _forehead_glyph(ctx: RenderContext, s: np.ndarray, skin) -> None:
    """A painted eye or mouth on the forehead (``crowd`` group)."""
    rng = ctx.rng
    c = np.array([s[27, 0], s[17:27, 1].min() - rng.uniform(0.08, 0.14)])
    k = rng.uniform(0.5, 0.8)
    if rng.random() < 0.6:
        e = s[36:42]
        draw_eye(ctx, (e - e.mean(0)) * k + c, ctx.style.ink,
                 palette_colour(rng, IRIS_TONES, 15))
    else:
        m = s[48:68]
        draw_mouth(ctx, (m - m.mean(0)) * k * 0.7 + c, skin, ctx.style.ink)


def _num_occluders(rng, d, hard, challenge) -> int:
    if challenge:
        return int(rng.integers(1, 4)) if rng.random() < 0.9 * min(d, 1) \
            else 0
    if hard:
        return int(rng.integers(1, 3)) if rng.random() < 0.6 * min(d, 1.5) \
            else 0
    return (1 + int(rng.random() < 0.25)) if rng.random() < 0.3 * d else 0


def render_sample(rng: np.random.Generator, prior: ShapePrior,
                  image_size: int = 256, hard: bool = False,
                  challenge: bool = False,
                  difficulty: float = 1.0,
                  variant: str = DEFAULT_VARIANT
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Render one face.

    Args:
        rng: the sample's generator (the only source of randomness).
        prior: the split's shape prior.
        image_size: square image side S in pixels.
        hard: draw from the large-yaw pool with larger rotations and more
            occlusion.
        challenge: (test only) rotation up to +-60 deg, occlusion further.
        difficulty: nuisance strength, clipped to [0, 2].
        variant: a key of :data:`~.variants.VARIANTS`.

    Returns:
        The (S, S, 3) BGR uint8 image (before the final JPEG write) and
        the (68, 2) landmarks in pixels.
    """
    d = float(np.clip(difficulty, 0.0, 2.0))
    size = int(image_size)
    flags = VARIANTS[variant]
    if 'xshapes' in flags:
        shape = prior.sample(rng, hard or challenge, exaggerate=True,
                             mix=True)
    elif 'shapes' in flags:
        shape = prior.sample(rng, hard or challenge, exaggerate=True)
    else:
        shape = prior.sample(rng, hard or challenge)
    skin = skin_colour(rng, d)
    img = background(rng, size, d, skin)

    max_rot = 60.0 if challenge else (45.0 if hard else 20.0)
    theta = math.radians(rng.uniform(-max_rot, max_rot) * min(d, 1.0))
    half = 0.15 * min(d, 1.33)
    frac = rng.uniform(0.55 - half, 0.55 + half)
    M = place_face(rng, shape, size, theta, frac, margin=0.03 * size)
    kpts = transform_points(M, shape)

    scene = RenderContext(Painter(img), rng, M)
    st = None
    if 'crowd' in flags:  # neighbouring faces, partly behind this one
        if 'styles' in flags:
            st = face_style(rng, skin)
        # an unfilled line-art head would show them through the face
        see_through = st is not None and st.line and not st.paper
        for _ in range(int(rng.random() < 0.7) + int(rng.random() < 0.3)):
            if not see_through:
                _neighbour_face(scene, prior, skin, d, flags)
    n_distract = 0
    if 'distract' in flags and rng.random() < 0.75:
        n_distract = 1 + int(rng.poisson(1.5))
    if 'styles' in flags:
        face = RenderContext(scene.painter, rng, M,
                             st if st is not None else face_style(rng, skin))
        draw_styled_face(face, shape, n_distract)
    else:
        face = RenderContext(scene.painter, rng, M, classic_style(skin))
        if n_distract:
            part_distractors(face, shape, skin,
                             HAIR_TONES[rng.integers(len(HAIR_TONES))],
                             n_distract)
        draw_classic_face(face, shape, skin)
    if 'crowd' in flags and rng.random() < 0.35:
        _forehead_glyph(face, shape, skin)

    occluders(scene, kpts, skin, _num_occluders(rng, d, hard, challenge),
              big=challenge or hard)
    if 'post' in flags:
        img = post_style(rng, img)
    return camera_effects(rng, img, d), kpts
