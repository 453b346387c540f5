from .checkpoint import register_safe_globals  # noqa: F401

register_safe_globals()
