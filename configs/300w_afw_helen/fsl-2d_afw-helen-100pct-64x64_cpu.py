# Upper bound: the supervised baseline on all 870 HELEN-train faces, with
# the same model, weak geometry, faces per step and schedule.
_base_ = ['./fsl-2d_afw-helen-5pct-64x64_cpu.py']

train_dataloader = dict(dataset=dict(
    _base_.train_dataloader.dataset.dataset, _delete_=True,
    pipeline=_base_.train_dataloader.dataset.pipeline))
custom_hooks = [dict(type='SyncBuffersHook')]
