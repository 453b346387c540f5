# Table 6, "FSL 2-D" (= HRNet): fully supervised on the 10 % labelled split
# only, trained with the 2-D heatmap loss only, predictions decoded from the
# 2-D heatmap. "All results are based on HybridMatch architecture": the
# supervised baseline (../fsl_2d_300w_5pct.py: T_w, the schedule, batch 16
# labelled faces) with HybridMatchHead, whose 1-D regressor is built but
# neither trained (lambda_s^1D = 0) nor used.
_base_ = ['../fsl_2d_300w_5pct.py']

model = dict(head=dict(_base_.hybridmatch_head, _delete_=True,
                       loss_1d_weight=0., decode_from='2d'))
# its labels: the HybridLabel targets (2-D + 1-D) the head's losses read
train_dataloader = dict(
    dataset=dict(split=dict(ratio=0.1), pipeline=_base_.hybrid_pipeline))
