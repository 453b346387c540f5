"""OneDRegressor: each keypoint's 2-D heatmap -> its x and y 1-D heatmaps."""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn


class OneDRegressor(nn.Module):
    """1-D heatmap regressor: each keypoint's 2-D heatmap -> x and y vectors.

    SimCC-style (``SimCCHead.mlp_head_x/y``): flatten each keypoint's
    ``H x W`` map and apply linear layers shared across keypoints. With
    ``hidden_dims=d`` the two ``Linear(H*W -> Wx/Wy)`` are factorised through
    one shared ``Linear(H*W -> d)`` (no activation: a rank-``d`` linear map;
    rank ``2 * 64`` already expresses "marginalise a 64x64 map over rows or
    columns, then interpolate to 256 bins", so ``d = 256`` loses nothing
    that needs).

    Args:
        in_size (int): ``H * W`` of the 2-D heatmap.
        out_x (int): ``Wx`` bins.
        out_y (int): ``Wy`` bins.
        hidden_dims (int, optional): Shared factor width ``d``; ``None`` for
            SimCC's direct ``Linear(H*W -> W)`` per axis.
    """

    def __init__(self, in_size: int, out_x: int, out_y: int,
                 hidden_dims: Optional[int] = 256):
        super().__init__()
        self.in_size = in_size
        if hidden_dims:
            self.hidden = nn.Linear(in_size, hidden_dims)
            in_size = hidden_dims
        else:
            self.hidden = nn.Identity()
        self.mlp_head_x = nn.Linear(in_size, out_x)
        self.mlp_head_y = nn.Linear(in_size, out_y)

    def forward(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """(N, K, H, W) -> ((N, K, Wx), (N, K, Wy))."""
        z = self.hidden(torch.flatten(heatmaps, 2))
        return self.mlp_head_x(z), self.mlp_head_y(z)
