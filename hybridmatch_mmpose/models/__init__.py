"""HybridMatch models: everything here registers into MMPose's ``MODELS``."""
from . import heads, losses, pose_estimators, utils  # noqa: F401
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .pose_estimators import *  # noqa: F401,F403
