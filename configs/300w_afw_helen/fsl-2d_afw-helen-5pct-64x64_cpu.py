# Supervised baseline of ./hybridmatch_afw-helen-5pct-64x64_cpu.py: MMPose's
# stock top-down heatmap model (HRNetV2-W18 + HeatmapHead of the stock 300-W
# config, DARK labels and decoding at 16x16) trained on the same labelled
# faces only, with the same weak geometry, labelled faces per step,
# schedule, learning rate and flip test. Variants: fsl-2d_afw-helen-{10pct,
# 20pct,50img,100pct}.
_base_ = ['./hybridmatch_afw-helen-5pct-64x64_cpu.py']

# MSRAHeatmap with the same input, map size, sigma and DARK as the
# HybridLabel codec's 2-D half
codec = dict(type='MSRAHeatmap', input_size=_base_.input_size,
             heatmap_size=_base_.codec.heatmap_size, sigma=_base_.codec.sigma,
             unbiased=_base_.codec.unbiased)
model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    backbone=_base_.model.backbone,
    neck=_base_.model.neck,
    # the stock 300-W head (td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py)
    head=dict(
        type='HeatmapHead',
        in_channels=_base_.model.head.in_channels,
        out_channels=_base_.model.head.out_channels,
        deconv_out_channels=None,
        conv_out_channels=(_base_.model.head.in_channels, ),
        conv_kernel_sizes=(1, ),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=_base_.model.test_cfg,
    data_preprocessor=_base_.model.data_preprocessor.data_preprocessor)
train_dataloader = dict(
    _delete_=True,
    # as many labelled faces per step as the semi-supervised config
    batch_size=_base_.labelled_per_step,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SemiSplitDataset',
        subset='labelled',
        dataset=_base_.train_dataloader.dataset.dataset,
        split=_base_.train_dataloader.dataset.split,
        pipeline=_base_.train_dataloader.dataset.weak_pipeline + [
            dict(type='GenerateTarget', encoder=codec),
            dict(type='PackPoseInputs')]))
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='SemiSplitDumpHook')]
