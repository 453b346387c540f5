# Table 6, "FSL 2-D" (= HRNet): fully supervised on the 10 % labelled split
# only, trained with the 2-D heatmap loss only, predictions decoded from the
# 2-D heatmap. "All results are based on HybridMatch architecture": the
# HybridMatchHead is kept; its 1-D regressor is built but neither trained
# (lambda_s^1D = 0) nor used.
#
# Kept simple: the plain top-down model (the semi config's model as a
# `TopdownPoseEstimator`: no teacher, no unlabelled data) on the labelled
# SemiSplitDataset of the same split (labelled_split.json is written as for
# the semi runs), with the semi config's weak geometry T_w and schedule
# (choice: the same I iterations, lr and milestones as HybridMatch, batch 16
# labelled images).
_base_ = ['../hybridmatch_300w_10pct.py']

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
