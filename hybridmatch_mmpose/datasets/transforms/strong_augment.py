"""PhotometricRandAugment: the strong view's colour-space augmentation.

HybridMatch (Sec. III-C-1) takes FixMatch's strong augmentation (Sohn et
al.: an AutoAugment-family policy followed by Cutout) and removes rotation,
shear and translation, so that the strong view is the weak view with
photometric changes only, ``T_s = T'_s(T_w(x))``, and the teacher's
pseudo-labels on the weak view fit the student's strong view pixel for pixel.

This transform is MMDetection's :class:`mmdet.datasets.transforms.RandAugment`
(FixMatch's RandAugment variant: ``aug_num`` ops drawn without replacement,
each with a random magnitude) restricted to MMDetection's colour operations
(``mmdet/datasets/transforms/colorspace.py``, mmcv image ops), the
``color_space`` of MMDetection's own semi-supervised config
(``configs/_base_/datasets/semi_coco_detection.py``) with one change:
``Posterize`` keeps 4-8 bits (FixMatch's range) instead of MMDetection's
0-4 (0 bits is a black image). Every op only rewrites ``results['img']``;
nothing else (box, centre, scale, flip, size) changes. The op types are
checked against :data:`PHOTOMETRIC_OPS` when built, so a geometric op
(``Rotate``, ``ShearX``, ``TranslateY``...) in a config is an error, not a
silent misalignment.

Randomness comes from ``numpy``'s global generator (as every MMPose /
MMDetection transform), which MMEngine seeds per worker from
``randomness=dict(seed=...)``.
"""
import copy
from typing import List, Optional

from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS

from ...utils.options import strict_options

#: MMDetection colour ops (``mmdet/datasets/transforms/colorspace.py``):
#: they modify ``img`` only. ``ColorTransform`` is the identity.
PHOTOMETRIC_OPS = ('ColorTransform', 'AutoContrast', 'Equalize', 'Sharpness',
                   'Posterize', 'Solarize', 'SolarizeAdd', 'Color',
                   'Contrast', 'Brightness', 'Invert')

#: Default search space: MMDetection's semi-supervised ``color_space``,
#: Posterize limited to 4-8 bits.
PHOTOMETRIC_AUG_SPACE = [
    [dict(type='mmdet.ColorTransform')],  # identity
    [dict(type='mmdet.AutoContrast')],
    [dict(type='mmdet.Equalize')],
    [dict(type='mmdet.Sharpness')],
    [dict(type='mmdet.Posterize', min_mag=4.0, max_mag=8.0)],
    [dict(type='mmdet.Solarize')],
    [dict(type='mmdet.Color')],
    [dict(type='mmdet.Contrast')],
    [dict(type='mmdet.Brightness')],
]


def _op_name(op_type: str) -> str:
    return op_type.rsplit('.', 1)[-1]


@TRANSFORMS.register_module()
class PhotometricRandAugment(BaseTransform):
    """``mmdet.RandAugment`` over colour-space ops only.

    Required keys: ``img`` (uint8, BGR). Modified keys: ``img``.

    Args:
        aug_space (list[list[dict]], optional): RandAugment's search space,
            one single-op list per entry; every op must be one of
            :data:`PHOTOMETRIC_OPS` (with or without the ``mmdet.`` scope).
            Defaults to :data:`PHOTOMETRIC_AUG_SPACE`.
        aug_num (int): ops applied per image (FixMatch's N). Defaults to 2.
        prob (list[float], optional): probability of each entry; uniform if
            None.
    """

    @strict_options
    def __init__(self,
                 aug_space: Optional[List[List[dict]]] = None,
                 aug_num: int = 2,
                 prob: Optional[List[float]] = None) -> None:
        aug_space = copy.deepcopy(
            PHOTOMETRIC_AUG_SPACE if aug_space is None else aug_space)
        if not isinstance(aug_space, list) or not aug_space:
            raise ValueError('aug_space must be a non-empty list of '
                             'single-op lists')
        for entry in aug_space:
            if not isinstance(entry, list) or len(entry) != 1 \
                    or not isinstance(entry[0], dict) \
                    or not isinstance(entry[0].get('type'), str):
                raise ValueError('each aug_space entry must be a list of one '
                                 f'op config with a str type, got {entry!r}')
            name = _op_name(entry[0]['type'])
            if name not in PHOTOMETRIC_OPS:
                raise ValueError(
                    f'PhotometricRandAugment: {entry[0]["type"]!r} is not a '
                    f'photometric op (allowed: {", ".join(PHOTOMETRIC_OPS)});'
                    ' geometric ops would misalign the strong view with the '
                    "teacher's weak view")
            if '.' not in entry[0]['type']:
                entry[0]['type'] = 'mmdet.' + name
        if not 1 <= aug_num <= len(aug_space):
            raise ValueError(f'aug_num must be in [1, {len(aug_space)}], '
                             f'got {aug_num}')
        self.aug_space = aug_space
        self.aug_num = aug_num
        self.rand_augment = TRANSFORMS.build(
            dict(type='mmdet.RandAugment', aug_space=aug_space,
                 aug_num=aug_num, prob=prob))

    def transform(self, results: dict) -> dict:
        return self.rand_augment(results)

    def __repr__(self) -> str:
        ops = [_op_name(e[0]['type']) for e in self.aug_space]
        return f'{self.__class__.__name__}(aug_num={self.aug_num}, ops={ops})'
