# HybridMatch on 300-W with 10 labelled faces (0.3 %, Table 2): the 5 %
# config with the split given by count (seed 0). Same schedule; every batch
# still holds 8 labelled images, drawn from these 10.
_base_ = ['./hybridmatch_300w_5pct.py']

train_dataloader = dict(
    dataset=dict(split=dict(_delete_=True, num=10, seed=0)))
