# Mixing the plugin with another backbone from MMPose's zoo: HybridMatch
# (student + EMA teacher, HybridMatchHead, confidence-regularized L_u) on
# MMPose's Lite-HRNet-18 instead of HRNetV2-W18, on SynthFace-68 at 5 %
# labels, with the CPU schedule of the demo config.
#
# What changes: the backbone dict (restated from MMPose's
# body_2d_keypoint/topdown_heatmap/coco/td-hm_litehrnet-18_8xb64-210e_coco-
# 256x192.py: a config file can inherit only one `model`), no neck
# (Lite-HRNet's `with_head=True` already returns one 1/4-resolution map of
# 40 channels) and the head's in_channels. Everything else (codec, losses,
# semi-supervised training, hooks, data) comes from the base file.
# `custom_imports` (inherited) makes MMPose's own tools/train.py load the
# plugin as well as ours.
_base_ = ['../synthface/hybridmatch_synthface-5pct-64x64_cpu.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='LiteHRNet',
        in_channels=3,
        extra=dict(
            stem=dict(stem_channels=32, out_channels=32, expand_ratio=1),
            num_stages=3,
            stages_spec=dict(
                num_modules=(2, 4, 2),
                num_branches=(2, 3, 4),
                num_blocks=(2, 2, 2),
                module_type=('LITE', 'LITE', 'LITE'),
                with_fuse=(True, True, True),
                reduce_ratios=(8, 8, 8),
                num_channels=(
                    (40, 80),
                    (40, 80, 160),
                    (40, 80, 160, 320),
                )),
            with_head=True)),
    neck=None,
    head=dict(in_channels=40, conv_out_channels=(40, )))
