"""HybridMatch models: everything here registers into MMPose's ``MODELS``."""
from . import heads, losses, utils  # noqa: F401
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
