# HybridMatch on real faces at the CPU scale of
# ../_base_/hybridmatch_64x64_cpu.py: 300-W's HELEN training part (870
# faces) with 5 % labelled (44 faces, split seed 0) and the rest as the
# unlabelled pool, tested on 300-W's AFW part (337 faces). `make data-real`
# links the shared photographs (research-only, never copied) and writes the
# annotation files under data/300w_afw_helen/. Variants inherit it:
# hybridmatch_afw-helen-{10pct,20pct,50img}, fsl-2d_afw-helen-*.
_base_ = ['../_base_/hybridmatch_64x64_cpu.py']

data_root = 'data/300w_afw_helen/'
data_prefix = dict(img='images/')

# ---- schedule: 3,000 iterations (sized in docs/results/real_faces.md) --
max_iters = 3000
val_interval = 500  # monitoring only: results are the last checkpoint's
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[max_iters // 2, max_iters * 5 // 6], gamma=0.1),
]
default_hooks = dict(checkpoint=dict(interval=val_interval))
# the EMA window scaled to the schedule as the base config does
ema_momentum = round(0.001 * 11820 / max_iters, 4)
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='HybridMatchHook', momentum=ema_momentum),
    dict(type='SemiSplitDumpHook'),
]

# the burn-in of the base config, a sixth of this schedule
model = dict(semi_train_cfg=dict(burn_in_iters=max_iters // 6))

# ---- data ---------------------------------------------------------------
train_dataloader = dict(
    dataset=dict(
        dataset=dict(data_root=data_root, data_prefix=data_prefix,
                     ann_file='annotations/helen_train.json'),
        split=dict(ratio=0.05, seed=0)))
val_dataloader = dict(
    dataset=dict(data_root=data_root, data_prefix=data_prefix,
                 ann_file='annotations/afw.json'))
test_dataloader = val_dataloader
# one test set, no 300-W subsets: NME (outer-eye-corner distance), FR@10,
# AUC@10 on the whole of AFW
val_evaluator = dict(
    _delete_=True, type='FaceLandmarkMetric', norm_mode='keypoint_distance')
test_evaluator = val_evaluator
