from .hybridmatch_head import HybridMatchHead, OneDRegressor

__all__ = ['HybridMatchHead', 'OneDRegressor']
