# SynthFace CPU version of ablations/ssl_2d_300w_10pct.py (Table 6, "SSL
# 2-D") at 5 % labels: the HybridMatch estimator with the 2-D heatmap only
# (lambda_s^1D = lambda^1D = 0), decoded from the 2-D heatmap.
_base_ = ['./hybridmatch_synthface-5pct-64x64_cpu.py']

model = dict(
    head=dict(loss_1d_weight=0., decode_from='2d'),
    semi_train_cfg=dict(lambda_1d=0.))
