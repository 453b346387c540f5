# Supervised baseline on real faces at the CPU scale of
# ../_base_/fsl-2d_64x64_cpu.py: MMPose's stock top-down heatmap model
# (HRNetV2-W18 + HeatmapHead of the stock 300-W config, DARK labels and
# decoding at 16x16) trained on the 5 % labelled faces of 300-W's HELEN
# training part (44 of 870, split seed 0), tested on 300-W's AFW part (337
# faces). `make data-real` links the shared photographs (research-only,
# never copied) and writes the annotation files under data/300w_afw_helen/.
# Variants: fsl-2d_afw-helen-{10pct,20pct,50img,100pct};
# hybridmatch_afw-helen-5pct-64x64_cpu.py wraps it.
_base_ = ['../_base_/fsl-2d_64x64_cpu.py']

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

# ---- data ---------------------------------------------------------------
data_root = 'data/300w_afw_helen/'
data_prefix = dict(img='images/')
train_dataloader = dict(dataset=dict(dataset=dict(
    data_root=data_root, data_prefix=data_prefix,
    ann_file='annotations/helen_train.json')))
val_dataloader = test_dataloader = dict(dataset=dict(
    data_root=data_root, data_prefix=data_prefix,
    ann_file='annotations/afw.json'))
# one test set, no 300-W subsets: NME (outer-eye-corner distance), FR@10,
# AUC@10 on the whole of AFW
val_evaluator = test_evaluator = dict(
    _delete_=True, type='FaceLandmarkMetric', norm_mode='keypoint_distance')
