# SynthFace CPU version of ../ablations/ssl_1d_300w_10pct.py (Table 6, "SSL
# 1-D") at 5 % labels: the HybridMatch estimator with the 1-D heatmaps only
# (2-D loss weighted 0, lambda_s^1D = lambda^1D = 1, no ramp), decoded from
# the 1-D heatmaps, A_conf from the teacher's 1-D peaks (as the 300-W
# file explains).
_base_ = ['./hybridmatch_synthface-5pct-64x64_cpu.py']

model = dict(
    head=dict(_base_.head_1d_only, confidence_from='1d'),
    semi_train_cfg=dict(lambda_1d=1.0, ramp_fraction=0.))
