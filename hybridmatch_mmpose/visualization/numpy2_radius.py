"""MMPose 1.3.2's OpenCV visualizer under numpy 2.

``PoseLocalVisualizer`` draws each keypoint with
``draw_circles(kpt, radius=np.array([r]))`` and the OpenCV backend then calls
``int(radius)``; newer numpy releases refuse ``int()`` of an array with one
dimension ("only 0-dimensional arrays can be converted to Python scalars"),
so every overlay, and MMPose's ``PoseVisualizationHook`` during validation,
stops there. :func:`patch_draw_circles` (applied by ``import
hybridmatch_mmpose``) hands the OpenCV backend the one radius as a scalar:
the same circle under any numpy. This is the one place that works around
numpy 2 (docs/user_guides/install.md).
"""
import functools

import numpy as np


def patch_draw_circles() -> None:
    """Wrap ``OpencvBackendVisualizer.draw_circles`` once: a one-element
    ``radius`` becomes a scalar for the OpenCV backend (the matplotlib one
    is left as it is)."""
    from mmpose.visualization.opencv_backend_visualizer import \
        OpencvBackendVisualizer
    original = OpencvBackendVisualizer.draw_circles
    if getattr(original, 'scalar_radius', False):
        return

    @functools.wraps(original)
    def draw_circles(self, center, radius, *args, **kwargs):
        if self.backend == 'opencv' and np.size(radius) == 1:
            radius = np.asarray(radius).reshape(()).item()
        return original(self, center, radius, *args, **kwargs)

    draw_circles.scalar_radius = True
    OpencvBackendVisualizer.draw_circles = draw_circles
