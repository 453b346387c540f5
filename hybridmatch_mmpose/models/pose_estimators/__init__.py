from .hybridmatch_estimator import HybridMatchEstimator
from .plain_detector import plain_detector_config
from .semi_topdown_estimator import SemiTopdownEstimator

__all__ = ['SemiTopdownEstimator', 'HybridMatchEstimator',
           'plain_detector_config']
