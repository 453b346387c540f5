# HybridMatch at the CPU scale, for any 68-point 300-W-layout data set: the
# supervised baseline ./fsl-2d_64x64_cpu.py (64x64 input, 16x16 DARK
# heatmaps, 600 iterations) wrapped as student and EMA teacher, as
# ../hybridmatch_300w_5pct.py wraps the paper-scale one, with batch 16 = 8
# labelled + 8 unlabelled faces. The data set is the stock 300-W one;
# ../synthface/ and ../300w_afw_helen/ point it at theirs.
_base_ = ['./fsl-2d_64x64_cpu.py']

# ---- model: the supervised one as student + EMA teacher --------------------
detector = _base_.model  # the supervised model, for wrappers of it
model = dict(
    type='HybridMatchEstimator',
    head=dict(_delete_=True, **_base_.hybridmatch_head),
    data_preprocessor=dict(
        _delete_=True,
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=_base_.model.data_preprocessor),
    # a supervised burn-in of the first sixth of the schedule: pseudo-labels
    # start from a model trained on the labelled faces, not from random
    # weights (docs/results/real_faces_recipe.md; the paper has none)
    semi_train_cfg=dict(_base_.semi_train_cfg,
                        burn_in_iters=_base_.max_iters // 6),
    semi_test_cfg=_base_.semi_test_cfg)

# ---- data: the labelled split + the rest unlabelled, 8 + 8 per step -------
# (a variant changes both counts and batch_size)
train_dataloader = dict(
    _delete_=True,
    batch_size=_base_.labelled_per_step + _base_.unlabelled_per_step,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(
        type='mmdet.MultiSourceSampler',
        batch_size=_base_.labelled_per_step + _base_.unlabelled_per_step,
        source_ratio=[_base_.labelled_per_step, _base_.unlabelled_per_step]),
    dataset=dict(
        type='LabelledUnlabelledDataset',
        dataset=_base_.train_dataloader.dataset.dataset,
        split=_base_.split,
        weak_pipeline=_base_.weak_pipeline,
        sup_pipeline=[
            dict(type='GenerateTarget', encoder=_base_.hybrid_codec),
            dict(type='mmdet.MultiBranch', branch_field=_base_.branch_field,
                 sup=_base_.pack)],
        unsup_pipeline=_base_.unsup_pipeline))

# ---- training and validation ---------------------------------------------
# EMA teacher: the same averaging window relative to I as the paper config
# (1 / 0.001 = 1,000 of 11,820 iterations); with momentum 0.001 the teacher
# would still be mostly its random initialisation after a few hundred
# iterations. K = 0.1 I follows max_iters by itself.
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='HybridMatchHook',
         momentum=round(_base_.ema_momentum * _base_.ema_momentum_iters /
                        _base_.max_iters, 4)),
    dict(type='SemiSplitDumpHook'),
]
val_cfg = dict(type='TeacherStudentValLoop')
