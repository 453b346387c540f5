# HybridMatch on real faces at the paper's scale (256x256 input, 64x64 2-D
# heatmaps, HRNetV2-W18; ../hybridmatch_300w_5pct.py) for a GPU: the data
# and split of hybridmatch_afw-helen-5pct-64x64_cpu.py (HELEN-train, 5 %
# labelled with split seed 0, tested on AFW) and the paper's 60 epochs of
# the 870 training faces at batch 16.
# tools/device/install_and_run.sh runs it on a CUDA machine without internet.
_base_ = ['../hybridmatch_300w_5pct.py']

data_root = 'data/300w_afw_helen/'
data_prefix = dict(img='images/')

# ---- schedule: 60 epochs of ceil(870 / 16) = 55 iterations --------------
num_train_faces = 870
iters_per_epoch = (num_train_faces + _base_.batch_size - 1) // \
    _base_.batch_size
max_iters = 60 * iters_per_epoch  # 3,300
val_interval = 10 * iters_per_epoch  # monitoring: the last checkpoint counts
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[30 * iters_per_epoch, 50 * iters_per_epoch], gamma=0.1),
]
default_hooks = dict(checkpoint=dict(interval=val_interval, save_best=None))
# the paper config's EMA window (momentum 0.001 over 11,820 iterations)
# scaled to this schedule, as the CPU real-face configs do
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='HybridMatchHook',
         momentum=round(_base_.ema_momentum * _base_.ema_momentum_iters /
                        max_iters, 4)),
    dict(type='SemiSplitDumpHook'),
]
# the real-face recipe: a supervised burn-in of a sixth of the schedule
# before the pseudo-labels start (docs/results/real_faces_recipe.md)
model = dict(semi_train_cfg=dict(burn_in_iters=max_iters // 6))

# ---- data ---------------------------------------------------------------
train_dataloader = dict(
    dataset=dict(
        dataset=dict(data_root=data_root, data_prefix=data_prefix,
                     ann_file='annotations/helen_train.json')))
val_dataloader = dict(
    dataset=dict(data_root=data_root, data_prefix=data_prefix,
                 ann_file='annotations/afw.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True, type='FaceLandmarkMetric', norm_mode='keypoint_distance')
test_evaluator = val_evaluator
