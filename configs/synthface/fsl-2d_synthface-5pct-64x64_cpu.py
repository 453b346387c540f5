# SynthFace CPU version of ../ablations/fsl_2d_300w_10pct.py (Table 6, "FSL
# 2-D") at 5 % labels: the supervised CPU baseline
# (../_base_/fsl-2d_64x64_cpu.py) on the labelled split of
# hybridmatch_synthface-5pct-64x64_cpu.py, with HybridMatchHead trained by
# its 2-D loss only and decoded from the 2-D heatmap; same schedule, lr and
# T_w, batch 16 labelled faces (as the 300-W file).
_base_ = ['../_base_/fsl-2d_64x64_cpu.py']

data_root = 'data/synthface/'
model = dict(head=dict(_base_.hybridmatch_head, _delete_=True,
                       loss_1d_weight=0., decode_from='2d'))
train_dataloader = dict(batch_size=16, dataset=dict(
    dataset=dict(data_root=data_root), pipeline=_base_.hybrid_pipeline))
val_dataloader = test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = test_evaluator = dict(data_root=data_root)
