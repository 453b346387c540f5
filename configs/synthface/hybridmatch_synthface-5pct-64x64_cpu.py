# HybridMatch on SynthFace-68 with 5 % of the labels (150 of 3,000 faces) at
# the CPU scale of ../_base_/hybridmatch_64x64_cpu.py (64x64 input, 600
# iterations of 8 labelled + 8 unlabelled faces): `make demo`'s config.
_base_ = ['../_base_/hybridmatch_64x64_cpu.py']

data_root = 'data/synthface/'
train_dataloader = dict(dataset=dict(dataset=dict(data_root=data_root)))
val_dataloader = test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = test_evaluator = dict(data_root=data_root)
