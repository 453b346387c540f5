from .cutout import RandomCutout
from .strong_augment import (PHOTOMETRIC_AUG_SPACE, PHOTOMETRIC_OPS,
                             PhotometricRandAugment)

__all__ = [
    'RandomCutout', 'PhotometricRandAugment', 'PHOTOMETRIC_AUG_SPACE',
    'PHOTOMETRIC_OPS'
]
