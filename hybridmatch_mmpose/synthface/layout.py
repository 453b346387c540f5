"""The iBUG 68-point layout that SynthFace-68 draws and annotates.

Jaw 0-16, brows 17-26, nose bridge 27-30, nose base 31-35, right eye of the
subject 36-41, left eye 42-47, outer lip 48-59, inner lip 60-67: the
semantics of 300-W and of MMPose's ``Face300WDataset``.
"""
NUM_KEYPOINTS = 68

#: iBUG 68-point horizontal flip permutation (MMPose's 300-W flip pairs).
FLIP_INDICES = (
    list(range(16, -1, -1)) + list(range(26, 16, -1)) + [27, 28, 29, 30] +
    [35, 34, 33, 32, 31] + [45, 44, 43, 42, 47, 46] +
    [39, 38, 37, 36, 41, 40] + [54, 53, 52, 51, 50, 49, 48] +
    [59, 58, 57, 56, 55] + [64, 63, 62, 61, 60] + [67, 66, 65])

#: Facial parts as (start, stop) index ranges.
PARTS = dict(
    jaw=(0, 17),
    right_brow=(17, 22),
    left_brow=(22, 27),
    nose_bridge=(27, 31),
    nose_base=(31, 36),
    right_eye=(36, 42),
    left_eye=(42, 48),
    outer_lip=(48, 60),
    inner_lip=(60, 68))

#: BGR colours of the parts on the contact sheet.
PART_COLOURS = dict(
    jaw=(255, 255, 0),
    right_brow=(0, 165, 255),
    left_brow=(0, 165, 255),
    nose_bridge=(0, 255, 0),
    nose_base=(0, 255, 0),
    right_eye=(255, 0, 255),
    left_eye=(255, 0, 255),
    outer_lip=(0, 0, 255),
    inner_lip=(255, 255, 255))
