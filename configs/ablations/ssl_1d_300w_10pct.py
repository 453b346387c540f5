# Table 6, "SSL 1-D": semi-supervised (FixMatch + mean teacher, the
# HybridMatch estimator) at 10 % labels with the 1-D heatmaps only: 2-D loss
# weighted 0 (labelled and pseudo-labelled), lambda_s^1D = lambda^1D = 1
# from the first iteration (ramp_fraction 0: the lambda_u^1D curriculum of
# Eq. 6 is part of HybridMatch, not of this baseline); hard 1-D
# pseudo-labels from the teacher's 1-D argmax; predictions decoded from the
# 1-D heatmaps.
#
# Confidence: HybridMatch weights each pseudo-labelled keypoint by A_conf,
# the peak of the teacher's 2-D map. With the 2-D loss off that map is an
# unsupervised intermediate feature whose peak is no confidence, so this
# baseline takes A_conf from the teacher's 1-D outputs instead
# (confidence_from='1d': the lower of the x/y peaks relative to a label's
# peak, clamped to [0, 1]; HybridMatchHead.confidence_1d).
_base_ = ['../hybridmatch_300w_10pct.py']

model = dict(
    head=dict(_base_.head_1d_only, confidence_from='1d'),
    semi_train_cfg=dict(lambda_1d=1.0, ramp_fraction=0.))
