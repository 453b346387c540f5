from .hybridmatch_estimator import HybridMatchEstimator

__all__ = ['HybridMatchEstimator']
