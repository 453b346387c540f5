"""MMPose's OpenCV visualizer draws each keypoint with a one-element radius
array; after ``import hybridmatch_mmpose`` it draws the same circle as
OpenCV given the scalar radius, under any numpy."""
import cv2
import numpy as np

import hybridmatch_mmpose  # noqa: F401  (applies the patch)
from mmpose.visualization import PoseLocalVisualizer


def test_one_element_radius_draws_opencvs_own_circle():
    vis = PoseLocalVisualizer(radius=3, backend='opencv')
    img = np.zeros((40, 50, 3), np.uint8)
    vis.set_image(img)
    vis.draw_circles(np.array([20.0, 15.0]), radius=np.array([3]),
                     face_colors=(0, 255, 0), alpha=1.0)
    ref = cv2.circle(img.copy(), (20, 15), 3, (0, 255, 0), -1)
    assert vis.get_image().sum() > 0
    np.testing.assert_array_equal(vis.get_image()[..., ::-1], ref)


def test_the_wrapper_is_applied_once():
    from mmpose.visualization.opencv_backend_visualizer import \
        OpencvBackendVisualizer
    from hybridmatch_mmpose.visualization.numpy2_radius import \
        patch_draw_circles
    before = OpencvBackendVisualizer.draw_circles
    patch_draw_circles()
    assert OpencvBackendVisualizer.draw_circles is before
    assert before.scalar_radius
