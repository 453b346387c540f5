"""A tiny HRNet + HybridMatchHead (K = 5, 64x64 input, 16x16 maps) shared by
the model tests: the real MMPose backbone and neck types, one block per
stage and 4-32 channels, so a forward/backward takes milliseconds on CPU."""
K = 5
FLIP = [1, 0, 2, 4, 3]
CODEC = dict(type='HybridLabel', input_size=(64, 64), heatmap_size=(16, 16),
             sigma=1.5, simcc_split_ratio=1.0)
PREPROCESSOR = dict(type='PoseDataPreprocessor',
                    mean=[123.675, 116.28, 103.53],
                    std=[58.395, 57.12, 57.375], bgr_to_rgb=True)


def _stage(n, block, channels, **kwargs):
    return dict(num_modules=1, num_branches=n, block=block,
                num_blocks=(1, ) * n, num_channels=channels, **kwargs)


DETECTOR = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=PREPROCESSOR,
    backbone=dict(
        type='HRNet', in_channels=3,
        extra=dict(
            stage1=_stage(1, 'BOTTLENECK', (4, )),
            stage2=_stage(2, 'BASIC', (4, 8)),
            stage3=_stage(3, 'BASIC', (4, 8, 16)),
            stage4=_stage(4, 'BASIC', (4, 8, 16, 32),
                          multiscale_output=True),
            upsample=dict(mode='bilinear', align_corners=False))),
    neck=dict(type='FeatureMapProcessor', concat=True),
    head=dict(type='HybridMatchHead', in_channels=60, out_channels=K,
              hidden_dims=16, decoder=CODEC),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

MODEL = dict(
    type='HybridMatchEstimator', detector=DETECTOR,
    data_preprocessor=dict(type='mmdet.MultiBranchDataPreprocessor',
                           data_preprocessor=PREPROCESSOR),
    semi_train_cfg=dict(lambda_u=1.0, lambda_1d=0.05, ramp_fraction=0.1,
                        pseudo_label='hard'),
    semi_test_cfg=dict(predict_on='teacher'))
