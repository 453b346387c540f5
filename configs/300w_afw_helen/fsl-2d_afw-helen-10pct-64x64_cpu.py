# Supervised baseline with 10 % of HELEN-train labelled (split seed 0).
_base_ = ['./fsl-2d_afw-helen-5pct-64x64_cpu.py']

train_dataloader = dict(dataset=dict(split=dict(ratio=0.1)))
