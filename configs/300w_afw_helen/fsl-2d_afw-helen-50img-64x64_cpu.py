# Supervised baseline with 50 labelled HELEN-train faces (split seed 0).
_base_ = ['./fsl-2d_afw-helen-5pct-64x64_cpu.py']

train_dataloader = dict(dataset=dict(split=dict(_delete_=True, num=50,
                                                seed=0)))
