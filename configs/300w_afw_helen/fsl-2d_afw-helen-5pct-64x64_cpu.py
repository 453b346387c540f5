# Supervised baseline of ./hybridmatch_afw-helen-5pct-64x64_cpu.py: MMPose's
# stock top-down heatmap model (HRNetV2-W18 + HeatmapHead of the stock 300-W
# config, DARK labels and decoding at 16x16) trained on the same labelled
# faces only, with the same weak geometry, labelled faces per step,
# schedule, learning rate and flip test. Variants: fsl-2d_afw-helen-{10pct,
# 20pct,50img,100pct}.
_base_ = ['./hybridmatch_afw-helen-5pct-64x64_cpu.py']

# the stock model of the CPU base config (../_base_/hybridmatch_64x64_cpu.py)
codec = _base_.heatmap_codec
model = dict(_delete_=True, **_base_.stock_heatmap_model)
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
