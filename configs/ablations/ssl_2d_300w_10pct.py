# Table 6, "SSL 2-D": semi-supervised (FixMatch + mean teacher, the
# HybridMatch estimator) at 10 % labels with the 2-D heatmap only:
# lambda_s^1D = lambda^1D = 0 (no 1-D loss, labelled or pseudo-labelled),
# predictions decoded from the 2-D heatmap. A_conf is the 2-D peak, as in
# HybridMatch.
_base_ = ['../hybridmatch_300w_10pct.py']

model = dict(
    head=dict(loss_1d_weight=0., decode_from='2d'),
    semi_train_cfg=dict(lambda_1d=0.))
