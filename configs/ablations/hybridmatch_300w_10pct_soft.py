# Table 7, "Soft label": HybridMatch at 10 % labels with soft pseudo-labels
# (the teacher's 2-D heatmaps and 1-D vectors themselves, still weighted by
# A_conf) instead of hard ones (argmax re-rendered as Gaussians).
_base_ = ['../hybridmatch_300w_10pct.py']

model = dict(semi_train_cfg=dict(pseudo_label='soft'))
