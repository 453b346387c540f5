# Upper bound of the SynthFace Table 6 analogue: "FSL 2-D" trained on all
# 3,000 labelled faces (fsl-2d_synthface-5pct-64x64_cpu.py without the
# labelled-subset wrapper); same model, pipeline, batch and schedule.
_base_ = ['./fsl-2d_synthface-5pct-64x64_cpu.py']

train_dataloader = dict(dataset=dict(
    _base_.train_dataloader.dataset.dataset, _delete_=True,
    pipeline=_base_.train_dataloader.dataset.pipeline))
custom_hooks = [dict(type='SyncBuffersHook')]
