# SynthFace CPU version of ablations/hybridmatch_300w_10pct_soft.py (Table
# 7, "Soft label") at 5 % labels: HybridMatch with soft pseudo-labels.
_base_ = ['./hybridmatch_synthface-5pct-64x64_cpu.py']

model = dict(semi_train_cfg=dict(pseudo_label='soft'))
