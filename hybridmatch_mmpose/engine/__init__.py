from . import hooks  # noqa: F401
from .checkpoint import (UnsafeCheckpointError,  # noqa: F401
                         register_safe_globals,
                         register_safe_loading_and_saving)
from .hooks import *  # noqa: F401,F403

register_safe_globals()
register_safe_loading_and_saving()
