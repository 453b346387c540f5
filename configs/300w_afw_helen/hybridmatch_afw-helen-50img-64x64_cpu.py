# HybridMatch on real faces with 50 labelled HELEN-train faces (split seed 0).
_base_ = ['./hybridmatch_afw-helen-5pct-64x64_cpu.py']

train_dataloader = dict(dataset=dict(split=dict(_delete_=True, num=50,
                                                seed=0)))
