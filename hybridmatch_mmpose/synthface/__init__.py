"""SynthFace-68: a deterministic synthetic face-landmark data set.

No real face data set can be downloaded where this project is developed, so
SynthFace-68 draws cartoon-like but varied faces whose 68 landmarks follow
the iBUG 300-W semantics (:mod:`.layout`) and writes them in MMPose's 300-W
layout (:mod:`.output_layout`), so the stock ``Face300WDataset`` and the
stock 300-W config read it unchanged.

Shapes (:mod:`.shape_prior`, :mod:`.shape_edits`): every face starts from
a real 68-point shape of HRNet's 300-W CSVs (train and test from disjoint
files) and adds variety: mirroring with the iBUG flip permutation, small
perturbations along the prior's 12 leading PCA modes, mouth
opening/closing, eye opening/closing and a yaw-like asymmetry. "Hard"
samples draw from the large-yaw part of the prior. Only drawable shapes
are used (:func:`~.head_outline.plausible`: jaw ends on the head outline,
every inner feature inside it, lids and lip corners in order); a perturbed
shape that fails is redrawn, which drops the most extreme profile shapes
of the prior whose far-side features would stick out of the drawn head.

Rendering: every landmark is fixed by the pixels. All parts are drawn with
OpenCV at 1/16-pixel precision and anti-aliasing (:mod:`.painter`), as
smooth curves (uniform Catmull-Rom splines, which pass exactly through
their control points, :mod:`.curves`) built on the landmarks themselves:
the jaw 0-16 is the lower outline of the filled head with a dark shadow
rim just outside it (:mod:`.head_and_hair`), and the features follow
:mod:`.classic_face` or, in the styled variants, :mod:`.facial_parts`.
Around the face: :mod:`.scene` (background, placement, occluders) and
:mod:`.camera_effects`; one sample is :func:`~.render.render_sample`.

Variants (:mod:`.variants`; default ``diverse_xshapes``) add drawing-style
families, distractor parts, neighbouring faces and wider identities.

Writing (:mod:`.writer`): :func:`generate_synthface`; each image's
generator is seeded by ``(seed, split, index)``, so the output is
byte-identical for any number of worker processes. ``tools/make_synthface.py``
is its command line.
"""
from .contact_sheet import draw_landmarks, make_contact_sheet
from .curves import catmull_rom
from .head_outline import head_outline, plausible
from .layout import FLIP_INDICES, NUM_KEYPOINTS, PART_COLOURS, PARTS
from .output_layout import (ANN_FILES, BOX_FACTOR, CHALLENGE_FRACTION,
                            GENERATOR_VERSION, TEST_ID_OFFSET,
                            TRAIN_HARD_FRACTION)
from .render import render_sample
from .shape_prior import (PACKAGED_PRIOR_DIR, ShapePrior,
                          default_annotation_dir, flip_shape, load_priors,
                          normalise_shapes, prior_csv_path, renormalise,
                          yaw_score)
from .variants import DEFAULT_VARIANT, VARIANTS
from .writer import generate_synthface, is_up_to_date, sample_seed

__all__ = [
    'ANN_FILES', 'BOX_FACTOR', 'CHALLENGE_FRACTION', 'DEFAULT_VARIANT',
    'FLIP_INDICES', 'GENERATOR_VERSION', 'NUM_KEYPOINTS', 'PACKAGED_PRIOR_DIR',
    'PARTS', 'PART_COLOURS', 'ShapePrior', 'TEST_ID_OFFSET',
    'TRAIN_HARD_FRACTION', 'VARIANTS', 'catmull_rom', 'default_annotation_dir',
    'draw_landmarks', 'flip_shape', 'generate_synthface', 'head_outline',
    'is_up_to_date', 'load_priors', 'make_contact_sheet', 'normalise_shapes',
    'plausible', 'prior_csv_path', 'render_sample', 'renormalise',
    'sample_seed', 'yaw_score'
]
