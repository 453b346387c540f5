"""Data side of HybridMatch: labelled/unlabelled split (and the two-source
training set built from it), GT stripping, the strong (photometric) view
and image integrity checks (registered on import, see
:mod:`.image_integrity`). The SynthFace-68 generator is its own package,
:mod:`hybridmatch_mmpose.synthface`."""
from .image_integrity import (UnreadableImageError, check_image_bytes,
                              read_image, register_verified_image_reads)
from .semi_dataset import LabelledUnlabelledDataset
from .semi_split import SPLIT_FILE_NAME, SemiSplit
from .semi_split_dataset import SemiSplitDataset, UnusableSubsetError
from .semi_split_dump_hook import (SemiSplitDumpHook, dump_semi_split,
                                   find_semi_split_datasets)
from .transforms import (PHOTOMETRIC_AUG_SPACE, PHOTOMETRIC_OPS,
                         PhotometricRandAugment, RandomCutout)
from .unlabelled import UNLABELLED_KEYS, strip_labels

__all__ = [
    'LabelledUnlabelledDataset', 'SemiSplit', 'SPLIT_FILE_NAME',
    'SemiSplitDataset', 'SemiSplitDumpHook', 'dump_semi_split',
    'find_semi_split_datasets', 'PhotometricRandAugment', 'RandomCutout',
    'PHOTOMETRIC_AUG_SPACE', 'PHOTOMETRIC_OPS', 'UNLABELLED_KEYS',
    'strip_labels', 'UnreadableImageError', 'check_image_bytes', 'read_image',
    'UnusableSubsetError'
]

register_verified_image_reads()
