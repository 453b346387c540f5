# HybridMatch's semi-supervised pieces that hold no image size (III-C,
# IV-B): the weak and strong views' transforms, the branches the three
# views are packed into, and the loss weights. A base of the supervised
# configs (their augmentation is T_w) and, through them, of every
# semi-supervised config, which wraps its supervised base with them.
#
# Where the paper is silent (marked "choice"): lambda_u = 1, EMA momentum
# 0.001 at I = 11,820 iterations.

# T_w: horizontal flip p = 0.5, rotation within +-30 degrees, scaling within
# +-25 % (IV-B), no shift. MMPose draws rotation and scale from a normal
# truncated to these ranges and rotates with probability 0.6 (HRNet's face
# code). No image size: each config adds its TopdownAffine.
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
# the unlabelled faces after T_w: as they are to the teacher, through T'_s
# to the student
unsup_pipeline = [
    dict(type='mmdet.MultiBranch', branch_field=branch_field,
         unsup_teacher=[pack], unsup_student=strong_photometric + [pack])]

lambda_1d = 0.05  # lambda_s^1D = lambda^1D = 0.05 (IV-B)
semi_train_cfg = dict(
    lambda_u=1.0,  # weight of L_u (Eq. 3): not given, FixMatch's (choice)
    lambda_1d=lambda_1d,  # end value of the lambda_u^1D ramp (Eq. 6)
    ramp_fraction=0.1,  # K = 0.1 I (IV-B)
    pseudo_label='hard')  # hard labels, A_conf-weighted (III-C-3)
semi_test_cfg = dict(predict_on='teacher')  # the EMA model predicts
# Table 6's 1-D rows: HybridMatchHead with the 2-D loss weighted 0 and the
# 1-D loss weighted 1, decoded from the 1-D heatmaps (merged into a head)
head_1d_only = dict(
    loss_2d=dict(type='KeypointMSELoss', use_target_weight=True,
                 loss_weight=0.),
    loss_1d_weight=1.0,
    decode_from='1d')
# the EMA teacher's momentum (III-C-2; 0.001 = decay 0.999, Mean Teacher's
# and MMDetection's value: a choice) at the paper's I = 11,820 iterations;
# other schedules scale it to keep the same window relative to I:
# ema_momentum * ema_momentum_iters / max_iters
ema_momentum = 0.001
ema_momentum_iters = 11820
