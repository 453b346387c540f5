# SynthFace CPU version of ablations/fsl_2d_300w_10pct.py (Table 6, "FSL
# 2-D") at 5 % labels: the plain top-down model with HybridMatchHead on the
# labelled split of hybridmatch_synthface-5pct-64x64_cpu.py only, 2-D loss
# only, decoded from the 2-D heatmap; same schedule, lr and T_w. See the
# 300-W file for the reasoning; the lines below are the same.
_base_ = ['./hybridmatch_synthface-5pct-64x64_cpu.py']

model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    backbone=_base_.model.backbone,
    neck=_base_.model.neck,
    head=dict(_base_.model.head, loss_1d_weight=0., decode_from='2d'),
    test_cfg=_base_.model.test_cfg,
    data_preprocessor=_base_.model.data_preprocessor.data_preprocessor)
train_dataloader = dict(
    _delete_=True,
    batch_size=_base_.batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SemiSplitDataset',
        subset='labelled',
        dataset=_base_.train_dataloader.dataset.dataset,
        split=_base_.train_dataloader.dataset.split,
        pipeline=_base_.train_dataloader.dataset.weak_pipeline + [
            dict(type='GenerateTarget',
                 encoder=_base_.model.head.decoder),
            dict(type='PackPoseInputs')]))
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='SemiSplitDumpHook')]
