# HybridMatch (Kang et al., IEEE Access 2023) on 300-W with 5 % of the
# training labels: the paper's setting (Sec. III-C, IV-B), on top of
# MMPose's stock HRNetV2-W18 300-W config, whose backbone, neck, data set,
# test pipeline and flip test are used unchanged. Variants inherit it:
#   hybridmatch_300w_{20,10}pct.py, hybridmatch_300w_{50,10}img.py (the
#   split, one line), hybridmatch_{aflw,wflw}_5pct.py (the data set),
#   ablations/ (Tables 6, 7), synthface/hybridmatch_synthface-5pct-64x64_cpu.py
#   (the CPU demo).
#
# Where the paper is silent (marked "choice" below): lambda_u = 1, EMA
# momentum 0.001, 8 labelled + 8 unlabelled images per batch, warm-up
# length (stock 500 iterations), validation / checkpoint every 2 epochs.
_base_ = ['mmpose::face_2d_keypoint/topdown_heatmap/300w/'
          'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py']

custom_imports = dict(
    imports=['hybridmatch_mmpose'], allow_failed_imports=False)

# ---- schedule (IV-B) ----------------------------------------------------
# I = 60 epochs of the training set at batch 16, run iteration-based because
# mmdet.MultiSourceSampler is infinite: one "epoch" is ceil(N / 16)
# iterations of N = 3,148 300-W training faces, whether labelled or not
# (also len(train_dataloader) for this two-source data set).
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
# every validation evaluates the teacher (which predicts; plain keys, read
# by save_best) and then the student (keys `student/...`), as MMDetection's
# semi-supervised validation does: the log shows what the EMA adds
val_cfg = dict(type='TeacherStudentValLoop')

# SyncBuffersHook: the base runtime's (restated: a list is replaced, not
# merged). HybridMatchHook: the EMA teacher (III-C-2; momentum 0.001 =
# decay 0.999, Mean Teacher's and MMDetection's value: a choice) and the
# lambda_u^1D ramp over K = 0.1 I iterations (Eq. 6; K is read from
# model.semi_train_cfg.ramp_fraction and the runner's max_iters).
# SemiSplitDumpHook writes labelled_split.json into the work dir.
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='HybridMatchHook', momentum=0.001),
    dict(type='SemiSplitDumpHook'),
]

# ---- model (III-C, IV-B) --------------------------------------------------
# 2-D heatmap 64x64 and 1-D heatmaps of 256 bins per axis for a 256x256 crop
# (IV-B); sigma 1.5 as the stock config and HRNet's face configs.
codec = dict(
    type='HybridLabel', input_size=(256, 256), heatmap_size=(64, 64),
    sigma=1.5, simcc_split_ratio=1.0)
lambda_1d = 0.05  # lambda_s^1D = lambda^1D = 0.05 (IV-B)
model = dict(
    # The stock model dict with another type: the plain top-down model (the
    # stock HRNetV2-W18 + concat neck + flip test, with HybridMatchHead) is
    # built twice, as the student and the EMA teacher. Kept flat, as the
    # stock config, so MMPose's `init_model` and tools reading
    # `cfg.model.backbone` work on this config.
    type='HybridMatchEstimator',
    # offline by default; `tools/train.py --pretrained` restores the stock
    # ImageNet initialisation (open-mmlab://msra/hrnetv2_w18)
    backbone=dict(init_cfg=None),
    head=dict(
        _delete_=True,
        type='HybridMatchHead',
        in_channels=_base_.model.head.in_channels,
        out_channels=_base_.model.head.out_channels,
        loss_1d_weight=lambda_1d,
        decoder=codec),
    data_preprocessor=dict(
        _delete_=True,
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=_base_.model.data_preprocessor),
    semi_train_cfg=dict(
        lambda_u=1.0,  # weight of L_u (Eq. 3): not given, FixMatch's (choice)
        lambda_1d=lambda_1d,  # end value of the lambda_u^1D ramp (Eq. 6)
        ramp_fraction=0.1,  # K = 0.1 I (IV-B)
        pseudo_label='hard'),  # hard labels, A_conf-weighted (III-C-3)
    semi_test_cfg=dict(predict_on='teacher'))  # the EMA model predicts

# ---- data (III-C-1, IV-B) ---------------------------------------------------
# T_w: horizontal flip p = 0.5, rotation within +-30 degrees, scaling within
# +-25 % (IV-B), no shift. MMPose draws rotation and scale from a normal
# truncated to these ranges and rotates with probability 0.6 (HRNet's face
# code). weak_geometry holds no image size, so configs with another input
# size reuse it.
weak_geometry = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomBBoxTransform', shift_prob=0., rotate_factor=30.,
         rotate_prob=0.6, scale_factor=(0.75, 1.25), scale_prob=1.0),
]
# T_s = T'_s(T_w(x)): T'_s is photometric only (AutoAugment-style colour ops
# without rotation / shear / translation) followed by Cutout (III-C-1).
strong_photometric = [
    dict(type='PhotometricRandAugment', aug_num=2),
    dict(type='RandomCutout', ratio=(0.0, 0.5)),
]
branch_field = ['sup', 'unsup_teacher', 'unsup_student']
# MMPose's PackPoseInputs meta_keys + bbox_rotation (weak / strong pairs
# can be checked for identical geometry)
semi_meta_keys = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
                  'ori_shape', 'img_shape', 'input_size', 'input_center',
                  'input_scale', 'flip', 'flip_direction', 'flip_indices',
                  'raw_ann_info', 'dataset_name', 'bbox_rotation')
pack = dict(type='PackPoseInputs', meta_keys=semi_meta_keys)
train_dataloader = dict(
    _delete_=True,
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    # choice: each batch of 16 = 8 labelled + 8 unlabelled images (the
    # sampler's batch_size must equal the dataloader's)
    sampler=dict(type='mmdet.MultiSourceSampler', batch_size=batch_size,
                 source_ratio=[1, 1]),
    dataset=dict(
        type='LabelledUnlabelledDataset',
        # the stock 300-W training set (its pipeline belongs to the wrapper)
        dataset={k: v for k, v in _base_.train_dataloader.dataset.items()
                 if k != 'pipeline'},
        # r % of the training faces keep their labels, drawn with a fixed
        # seed (IV-B); written to work_dir/labelled_split.json
        split=dict(ratio=0.05, seed=0),
        weak_pipeline=weak_geometry + [
            dict(type='TopdownAffine', input_size=codec['input_size'])],
        sup_pipeline=[
            dict(type='GenerateTarget', encoder=codec),
            dict(type='mmdet.MultiBranch', branch_field=branch_field,
                 sup=pack)],
        unsup_pipeline=[
            dict(type='mmdet.MultiBranch', branch_field=branch_field,
                 unsup_teacher=[pack],
                 unsup_student=strong_photometric + [pack])]))
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
