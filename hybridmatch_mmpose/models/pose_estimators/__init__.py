from .hybridmatch_estimator import HybridMatchEstimator
from .semi_topdown_estimator import (SemiTopdownEstimator,
                                     plain_detector_config)

__all__ = ['SemiTopdownEstimator', 'HybridMatchEstimator',
           'plain_detector_config']
