"""HybridMatch for MMPose 1.x.

``import hybridmatch_mmpose`` registers every module of this package into
MMPose's registries (``KEYPOINT_CODECS``, ``MODELS``, ``HOOKS``, ``METRICS``,
...), so configs reach them by ``type=`` after
``custom_imports = dict(imports=['hybridmatch_mmpose'],
allow_failed_imports=False)``.
It also allow-lists the types our checkpoints hold for
``torch.load(weights_only=True)`` (see
:mod:`hybridmatch_mmpose.engine.checkpoint`), and lets MMPose's OpenCV
visualizer draw under numpy 2
(:mod:`hybridmatch_mmpose.visualization.numpy2_radius`).
"""
from .version import __version__
from . import codecs, datasets, engine, evaluation, models  # noqa: F401,E402
from .visualization.numpy2_radius import patch_draw_circles  # noqa: E402

patch_draw_circles()

__all__ = ['__version__']
