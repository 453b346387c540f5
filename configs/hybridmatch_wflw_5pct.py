# HybridMatch on WFLW-98 with 5 % of the training labels (Table 4): the
# paper's recipe of hybridmatch_300w_5pct.py on WFLW. The data set facts
# below are those of MMPose's stock WFLW config
# (mmpose::face_2d_keypoint/topdown_heatmap/wflw/
#  td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py;
# tests/test_configs/test_hybridmatch_configs.py checks they match it),
# restated rather than inherited for the reason given in
# hybridmatch_aflw_5pct.py.
# Same codec as 300-W (sigma 1.5, HRNet's WFLW config and the paper's
# setup; MMPose's stock WFLW config uses sigma 2).
_base_ = ['./hybridmatch_300w_5pct.py']

dataset_type = 'WFLWDataset'
data_root = 'data/wflw/'

# ---- schedule: 60 epochs of WFLW's 7,500 training faces at batch 16 -----
num_train_faces = 7500
batch_size = 16
max_epochs = 60
iters_per_epoch = (num_train_faces + batch_size - 1) // batch_size  # 469
max_iters = max_epochs * iters_per_epoch  # I = 28,140
val_interval = 2 * iters_per_epoch
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
         milestones=[30 * iters_per_epoch, 50 * iters_per_epoch], gamma=0.1),
]
default_hooks = dict(checkpoint=dict(interval=val_interval))

# ---- WFLW: 98 keypoints -----------------------------------------------------
model = dict(head=dict(out_channels=98))
train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            type=dataset_type, data_root=data_root,
            ann_file='annotations/face_landmarks_wflw_train.json')))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root,
        ann_file='annotations/face_landmarks_wflw_test.json'))
test_dataloader = val_dataloader
# inter-ocular NME: outer eye corners 60 / 72 (IV-C; MMPose's WFLW default,
# stated); subsets: the six WFLW test attribute files that MMPose's
# tools/dataset_converters/wflw2coco.py writes
wflw_subset = 'annotations/face_landmarks_wflw_test_{}.json'
val_evaluator = dict(
    type='FaceLandmarkMetric',
    norm_mode='keypoint_distance',
    keypoint_indices=[60, 72],
    data_root=data_root,
    subsets=dict(
        _delete_=True,
        pose=wflw_subset.format('largepose'),
        expression=wflw_subset.format('expression'),
        illumination=wflw_subset.format('illumination'),
        makeup=wflw_subset.format('makeup'),
        occlusion=wflw_subset.format('occlusion'),
        blur=wflw_subset.format('blur')))
test_evaluator = val_evaluator
