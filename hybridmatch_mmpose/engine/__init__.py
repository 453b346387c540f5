from . import hooks  # noqa: F401
from .checkpoint import register_safe_globals  # noqa: F401
from .hooks import *  # noqa: F401,F403

register_safe_globals()
