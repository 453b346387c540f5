"""What an unlabelled sample may carry into the pipeline.

An unlabelled face of HybridMatch's training set is a labelled face whose
landmarks are hidden (the 5 % / 10 % / 20 % protocol of Sec. IV-B).
MMPose's top-down ``data_info`` holds the landmarks in several places:
``keypoints``, ``keypoints_visible``, ``num_keypoints`` (a count of labelled
points), ``raw_ann_info`` (the whole COCO annotation, keypoints included, for
:class:`~mmpose.datasets.BaseCocoStyleDataset`), ``keypoints_3d`` /
``lifting_target`` (3-D sets), ``area`` / ``segmentation`` (COCO: derived
from the annotation). Rather than chase such keys, :func:`strip_labels`
keeps an allow-list: the image, the face box and identifiers. The face box
(``bbox``, and ``bbox_center`` / ``bbox_scale`` that
:class:`~mmpose.datasets.Face300WDataset` builds from the annotation's
``center`` / ``scale``) stays: a top-down model needs a box for every face,
exactly as at test time.

The weak geometry tolerates the missing keypoints unchanged:
``GetBBoxCenterScale``, ``RandomBBoxTransform`` only read the box;
``RandomFlip`` flips keypoints only if present; ``TopdownAffine`` writes
its own placeholders ``transformed_keypoints = np.zeros([])`` and
``keypoints_visible = np.ones((1, 1, 1))`` when there are none (MMPose's
behaviour, a constant that cannot carry ground truth; ``PackPoseInputs``
packs the latter as ``gt_instances.keypoints_visible``); ``PackPoseInputs``
packs whatever exists. ``GenerateTarget`` needs keypoints and must not be in
an unlabelled pipeline.
"""
from typing import Dict

#: data_info keys an unlabelled sample keeps (everything else is dropped).
UNLABELLED_KEYS = ('img_id', 'img_path', 'img_shape', 'ori_shape', 'id',
                   'category_id', 'bbox', 'bbox_center', 'bbox_scale',
                   'bbox_score')


def strip_labels(data_info: Dict) -> Dict:
    """A copy of a top-down ``data_info`` with only :data:`UNLABELLED_KEYS`
    (no keypoints, visibilities, raw annotation or anything derived from
    them)."""
    return {k: data_info[k] for k in UNLABELLED_KEYS if k in data_info}
