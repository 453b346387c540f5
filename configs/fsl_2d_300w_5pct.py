# Supervised baseline at the paper's scale: MMPose's stock HRNetV2-W18
# 300-W config (backbone, neck, HeatmapHead, data set, test pipeline and
# flip test unchanged) trained on the 5 % labelled split only, with the
# paper's schedule (IV-B) and weak augmentation T_w. It is the base of the
# semi-supervised configs, which wrap this model as student and EMA teacher
# (hybridmatch_300w_5pct.py), and of the supervised ablations (ablations/).
_base_ = ['mmpose::face_2d_keypoint/topdown_heatmap/300w/'
          'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py',
          './_base_/hybridmatch_semi.py']

custom_imports = dict(
    imports=['hybridmatch_mmpose'], allow_failed_imports=False)

# ---- schedule (IV-B) ----------------------------------------------------
# I = 60 epochs of the training set at batch 16, run iteration-based
# because the semi-supervised sampler (mmdet.MultiSourceSampler) is
# infinite: one "epoch" is ceil(N / 16) iterations of N = 3,148 300-W
# training faces, whether labelled or not.
num_train_faces = 3148
batch_size = 16
max_epochs = 60
iters_per_epoch = (num_train_faces + batch_size - 1) // batch_size  # 197
max_iters = max_epochs * iters_per_epoch  # I = 11,820
val_interval = 2 * iters_per_epoch  # choice: validate + checkpoint every 2

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=val_interval)
# Adam, lr 1e-4 (IV-B, as HRNet's face configs)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    # "linear warmup" (IV-B); its length is not given: the stock 500 iterations
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    # x0.1 at the 30th and 50th epochs (IV-B), in iterations
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[30 * iters_per_epoch, 50 * iters_per_epoch], gamma=0.1),
]
auto_scale_lr = dict(base_batch_size=batch_size)  # lr 1e-4 is for batch 16
# visualization: MMPose's PoseVisualizationHook draws the prediction on the
# first face of every 5th validation batch with the config's
# PoseLocalVisualizer, saved as WORK_DIR/TIMESTAMP/vis_data/vis_image/*.png
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=val_interval, save_best='NME',
                    rule='less', max_keep_ckpts=2),
    visualization=dict(enable=True, interval=5))
log_processor = dict(by_epoch=False)
# SyncBuffersHook: the base runtime's (restated: a list is replaced, not
# merged). SemiSplitDumpHook writes labelled_split.json into the work dir.
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='SemiSplitDumpHook')]

# ---- model: the stock one, offline --------------------------------------
# offline by default; `tools/train.py --pretrained` restores the stock
# ImageNet initialisation (open-mmlab://msra/hrnetv2_w18)
model = dict(backbone=dict(init_cfg=None))
# HybridMatch's head at this scale, for the configs that use it: the stock
# head's 2-D layers plus the 1-D regressor (III-C), with 2-D heatmaps of
# 64x64 and 1-D heatmaps of 256 bins per axis for a 256x256 crop (IV-B);
# sigma 1.5 as the stock config and HRNet's face configs.
hybrid_codec = dict(
    type='HybridLabel', input_size=_base_.codec['input_size'],
    heatmap_size=_base_.codec['heatmap_size'], sigma=_base_.codec['sigma'],
    simcc_split_ratio=1.0)
hybridmatch_head = dict(
    type='HybridMatchHead',
    in_channels=_base_.model.head.in_channels,
    out_channels=_base_.model.head.out_channels,
    loss_1d_weight=_base_.lambda_1d,
    decoder=hybrid_codec)

# ---- data: the labelled split of the stock training set -----------------
# r % of the training faces keep their labels, drawn with a fixed seed
# (IV-B); written to work_dir/labelled_split.json
split = dict(ratio=0.05, seed=0)
weak_pipeline = _base_.weak_geometry + [
    dict(type='TopdownAffine', input_size=_base_.codec['input_size'])]
train_dataloader = dict(
    _delete_=True,
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SemiSplitDataset',
        subset='labelled',
        # the stock 300-W training set (its pipeline belongs to the wrapper)
        dataset={k: v for k, v in _base_.train_dataloader.dataset.items()
                 if k != 'pipeline'},
        split=split,
        pipeline=weak_pipeline + [
            dict(type='GenerateTarget', encoder=_base_.codec),
            dict(type='PackPoseInputs')]))
# the labelled faces' pipeline for a HybridMatchHead (2-D + 1-D targets)
hybrid_pipeline = weak_pipeline + [
    dict(type='GenerateTarget', encoder=hybrid_codec),
    dict(type='PackPoseInputs')]
# val / test: the stock 300-W valid set (full = common + challenge), stock
# pipeline and flip test; NME (inter-ocular), FR@10 %, AUC@10 % per subset
val_evaluator = dict(
    _delete_=True,
    type='FaceLandmarkMetric',
    norm_mode='keypoint_distance',
    data_root=_base_.data_root,
    subsets=dict(
        common='annotations/face_landmarks_300w_valid_common.json',
        challenge='annotations/face_landmarks_300w_valid_challenge.json'))
test_evaluator = val_evaluator
