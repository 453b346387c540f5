from .hybridmatch_estimator import HybridMatchEstimator, plain_detector_config

__all__ = ['HybridMatchEstimator', 'plain_detector_config']
