# HybridMatch on AFLW-19 with 5 % of the training labels (Table 3): the
# paper's recipe of hybridmatch_300w_5pct.py on AFLW. The data set facts
# below are those of MMPose's stock AFLW config
# (mmpose::face_2d_keypoint/topdown_heatmap/aflw/
#  td-hm_hrnetv2-w18_8xb64-60e_aflw-256x256.py;
# tests/test_configs/test_hybridmatch_configs.py checks they match it).
# They are restated here rather than inherited from it because mmengine
# cannot layer the recipe onto a second stock base: base files must not
# share keys
# (`model`, `train_dataloader`... would clash), and a base file's values are
# resolved when that file is parsed.
# Same codec as 300-W (sigma 1.5, HRNet's AFLW config and the paper's
# setup; MMPose's stock AFLW config uses sigma 2).
_base_ = ['./hybridmatch_300w_5pct.py']

dataset_type = 'AFLWDataset'
data_root = 'data/aflw/'

# ---- schedule: 60 epochs of AFLW's 20,000 training faces at batch 16 ----
num_train_faces = 20000
batch_size = 16
max_epochs = 60
iters_per_epoch = (num_train_faces + batch_size - 1) // batch_size  # 1,250
max_iters = max_epochs * iters_per_epoch  # I = 75,000
val_interval = 2 * iters_per_epoch
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[30 * iters_per_epoch, 50 * iters_per_epoch], gamma=0.1),
]
default_hooks = dict(checkpoint=dict(interval=val_interval))

# ---- AFLW-19: 19 keypoints --------------------------------------------------
model = dict(head=dict(out_channels=19))
train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            type=dataset_type, data_root=data_root,
            ann_file='annotations/face_landmarks_aflw_train.json')))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root,
        ann_file='annotations/face_landmarks_aflw_test.json'))
test_dataloader = val_dataloader
# NME normalised by the face box size (IV-C); subsets full (all 4,386 test
# faces) and frontal (1,165)
val_evaluator = dict(
    _delete_=True,
    type='FaceLandmarkMetric',
    norm_mode='use_norm_item',
    norm_item='bbox_size',
    data_root=data_root,
    subsets=dict(frontal='annotations/face_landmarks_aflw_test_frontal.json'))
test_evaluator = val_evaluator
