# The same supervised HRNetV2-W18 CPU run trained on 5 % of SynthFace-68's
# labels (150 of 3,000 faces) for the same number of iterations: the lower
# bound of the semi-supervised setting. SynthFace-68 samples are drawn
# independently per index, so the first 150 are a random 5 % sample
# (MMPose's `indices` option of BaseDataset).
_base_ = ['./td-hm_hrnetv2-w18_synthface-64x64_cpu.py']

train_dataloader = dict(dataset=dict(indices=150))
