"""The files and splits of a written SynthFace-68 set (MMPose's 300-W
layout)::

    OUT/images/train/000000.jpg ...  OUT/images/test/000000.jpg ...
    OUT/annotations/face_landmarks_300w_train.json
    OUT/annotations/face_landmarks_300w_valid.json       (common + challenge)
    OUT/annotations/face_landmarks_300w_valid_common.json
    OUT/annotations/face_landmarks_300w_valid_challenge.json
    OUT/synthface_meta.json   OUT/contact_sheet.png

``valid_challenge`` is 20 % of the test set (chosen by a seeded
permutation): large-yaw test shapes with extra yaw, rotation up to +-60 deg
and heavy occlusion. ``valid_common`` is the rest. The train set holds 15 %
hard samples (large-yaw shapes, rotation up to +-45 deg, more occlusion),
like 300-W's AFW part.
"""
#: Bump when the rendering changes: an existing set with another version is
#: regenerated.
GENERATOR_VERSION = '1.0'

ANN_FILES = dict(
    train='face_landmarks_300w_train.json',
    valid='face_landmarks_300w_valid.json',
    valid_common='face_landmarks_300w_valid_common.json',
    valid_challenge='face_landmarks_300w_valid_challenge.json')

#: Written last: its presence marks a complete set.
META_FILE = 'synthface_meta.json'

CHALLENGE_FRACTION = 0.2
TRAIN_HARD_FRACTION = 0.15
#: Face box = keypoint box, longer side (HRNet's 300-W convention).
BOX_FACTOR = 1.0
TEST_ID_OFFSET = 1_000_000

#: The split's code in each image's seed ``(seed, split, index)``.
SPLIT_CODES = dict(train=0, test=1)
