# SynthFace CPU version of ../ablations/fsl_1d_300w_10pct.py (Table 6, "FSL
# 1-D") at 5 % labels: FSL 2-D with the 2-D loss weighted 0 and
# lambda_s^1D = 1, decoded from the 1-D heatmaps.
_base_ = ['./fsl-2d_synthface-5pct-64x64_cpu.py']

model = dict(head=_base_.head_1d_only)
