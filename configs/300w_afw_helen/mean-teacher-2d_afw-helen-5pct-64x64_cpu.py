# Mean teacher for MMPose's stock heatmap model: the supervised model of
# ./fsl-2d_afw-helen-5pct-64x64_cpu.py (HRNetV2-W18 + HeatmapHead, DARK
# labels at 16x16) trained as student + EMA teacher by SemiTopdownEstimator,
# with everything else of ./hybridmatch_afw-helen-5pct-64x64_cpu.py: the
# labelled split, the unlabelled pool, the weak / strong views, 8 + 16
# faces per step, the schedule, the burn-in and the EMA hook. L_u is the
# head's own MSE between the student's heatmaps of the strong view and the
# teacher's of the weak view (no re-rendering, no confidence weighting).
_base_ = ['./hybridmatch_afw-helen-5pct-64x64_cpu.py']

model = dict(
    _delete_=True,
    type='SemiTopdownEstimator',
    detector=_base_.detector,
    data_preprocessor=_base_.model.data_preprocessor,
    semi_train_cfg=dict(
        lambda_u=_base_.model.semi_train_cfg.lambda_u,
        burn_in_iters=_base_.model.semi_train_cfg.burn_in_iters),
    semi_test_cfg=_base_.model.semi_test_cfg)
# the labelled branch's targets from the supervised model's own codec
train_dataloader = dict(
    dataset=dict(sup_pipeline=[
        dict(type='GenerateTarget', encoder=_base_.detector.head.decoder),
        _base_.train_dataloader.dataset.sup_pipeline[-1]]))
