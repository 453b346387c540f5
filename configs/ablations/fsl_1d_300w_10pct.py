# Table 6, "FSL 1-D": fully supervised on the 10 % labelled split only, the
# 1-D heatmap loss drives training, predictions decoded from the 1-D
# heatmaps (HybridLabel's default).
#
# How: the FSL 2-D setup (fsl_2d_300w_10pct.py) with the 2-D loss weighted
# 0 and lambda_s^1D = 1. In the HybridMatch architecture the 1-D regressor
# reads the predicted 2-D map, which here is an unsupervised K-channel
# intermediate feature trained only through the 1-D loss (with Adam the
# value 1 of the single remaining weight hardly matters).
_base_ = ['./fsl_2d_300w_10pct.py']

model = dict(head=_base_.head_1d_only)
