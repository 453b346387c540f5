# HybridMatch (Kang et al., IEEE Access 2023) on 300-W with 5 % of the
# training labels: the paper's setting (Sec. III-C, IV-B). The supervised
# baseline fsl_2d_300w_5pct.py (MMPose's stock HRNetV2-W18 300-W config on
# the labelled split, the paper's schedule and T_w) is wrapped as student
# and EMA teacher, with HybridMatchHead, and fed labelled + unlabelled
# faces. Variants inherit it: hybridmatch_300w_{20,10}pct.py,
# hybridmatch_300w_{50,10}img.py (the split, one line),
# hybridmatch_{aflw,wflw}_5pct.py (the data set), ablations/ (Tables 6, 7).
# The loss weights, T_w and T_s are in _base_/hybridmatch_semi.py.
_base_ = ['./fsl_2d_300w_5pct.py']

# ---- model (III-C, IV-B) --------------------------------------------------
# The supervised model dict with another type and head: the plain top-down
# model (stock HRNetV2-W18 + concat neck + flip test, with HybridMatchHead)
# is built twice, as the student and the EMA teacher. Kept flat, as the
# stock config, so MMPose's `init_model` and tools reading
# `cfg.model.backbone` work on this config.
detector = _base_.model  # the supervised model, for wrappers of it
model = dict(
    type='HybridMatchEstimator',
    head=dict(_delete_=True, **_base_.hybridmatch_head),
    data_preprocessor=dict(
        _delete_=True,
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=_base_.model.data_preprocessor),
    semi_train_cfg=_base_.semi_train_cfg,
    semi_test_cfg=_base_.semi_test_cfg)

# ---- data (III-C-1, IV-B) ---------------------------------------------------
# The labelled split of the supervised config plus the rest of the training
# set unlabelled; each batch of 16 = 8 labelled + 8 unlabelled faces
# (choice; the sampler's batch_size must equal the dataloader's).
train_dataloader = dict(
    _delete_=True,
    batch_size=_base_.batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='mmdet.MultiSourceSampler',
                 batch_size=_base_.batch_size, source_ratio=[1, 1]),
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
# HybridMatchHook: the EMA teacher (III-C-2) and the lambda_u^1D ramp over
# K = 0.1 I iterations (Eq. 6; K is read from model.semi_train_cfg
# .ramp_fraction and the runner's max_iters).
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='HybridMatchHook', momentum=_base_.ema_momentum),
    dict(type='SemiSplitDumpHook'),
]
# every validation evaluates the teacher (which predicts; plain keys, read
# by save_best) and then the student (keys `student/...`), as MMDetection's
# semi-supervised validation does: the log shows what the EMA adds
val_cfg = dict(type='TeacherStudentValLoop')
