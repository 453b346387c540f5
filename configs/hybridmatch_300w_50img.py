# HybridMatch on 300-W with 50 labelled faces (1.4 %, Table 2): the 5 %
# config with the split given by count (seed 0). Same schedule: the epochs
# count all 3,148 training faces, labelled or not.
_base_ = ['./hybridmatch_300w_5pct.py']

train_dataloader = dict(
    dataset=dict(split=dict(_delete_=True, num=50, seed=0)))
