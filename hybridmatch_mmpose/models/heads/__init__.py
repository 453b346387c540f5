from .hybridmatch_head import HybridMatchHead
from .one_d_regressor import OneDRegressor

__all__ = ['HybridMatchHead', 'OneDRegressor']
