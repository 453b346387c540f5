"""Strict options: a misspelt key is an error that names the nearest one.

A config is merged key by key, so ``--cfg-options
model.semi_train_cfg.lamda_u=0`` adds a key nobody reads unless someone
checks. Python refuses an unknown keyword argument, but says neither where
it came from nor what was meant. Two helpers make both kinds of option
strict, with one message shape (``unknown option `NAME.KEY`; did you mean
`NAME.NEAREST`?``):

- :func:`merge_known_options` for dict options with defaults
  (``semi_train_cfg``, ``semi_test_cfg``);
- :func:`strict_options` for the keyword arguments of a registered class
  (hooks, transforms, metrics), as built by mmengine's registries from
  ``dict(type=..., **kwargs)``.
"""
import difflib
import functools
import inspect
from typing import Callable, Iterable, Optional


class UnknownOptionError(ValueError):
    """An option key that the receiving class or dict does not have."""


def check_known_options(name: str, valid: Iterable[str],
                        given: Iterable[str]) -> None:
    """Raise :class:`UnknownOptionError` for the first key of ``given``
    that is not in ``valid``.

    Args:
        name (str): What the keys belong to, as the user writes it
            (``semi_train_cfg``, ``HybridMatchHook``).
        valid (Iterable[str]): The accepted keys.
        given (Iterable[str]): The keys to check.
    """
    valid = list(valid)
    for key in given:
        if key not in valid:
            near = difflib.get_close_matches(key, valid, n=1)
            hint = f'; did you mean `{name}.{near[0]}`?' if near else '.'
            raise UnknownOptionError(
                f'unknown option `{name}.{key}`{hint} Valid options: '
                f'{", ".join(valid) or "none"}')


def merge_known_options(name: str, defaults: dict,
                        given: Optional[dict]) -> dict:
    """``{**defaults, **given}``, refusing keys that ``defaults`` lacks.

    Args:
        name (str): The option's name in the config (``semi_train_cfg``).
        defaults (dict): Every valid key with its default.
        given (dict, optional): The user's keys.

    Returns:
        dict: The merged options.

    Raises:
        UnknownOptionError: naming the option (``name.key``) and the
            nearest valid key, so a misspelt option (``lamda_u``) is an
            error instead of being ignored.
    """
    given = dict(given or {})
    check_known_options(name, defaults, given)
    return {**defaults, **given}


def strict_options(init: Callable) -> Callable:
    """Decorate a class's ``__init__`` so that an unknown keyword argument
    raises :class:`UnknownOptionError` naming the class, the key and the
    nearest parameter (instead of Python's ``TypeError: unexpected keyword
    argument``). ``__init__`` functions that take ``**kwargs`` are left as
    they are.

    Args:
        init (Callable): The ``__init__`` to wrap.

    Returns:
        Callable: The wrapped ``__init__`` (same signature).
    """
    params = inspect.signature(init).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return init
    names = [n for n, p in params.items() if n != 'self' and p.kind in (
        p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    @functools.wraps(init)
    def checked_init(self, *args, **kwargs):
        check_known_options(type(self).__name__, names, kwargs)
        init(self, *args, **kwargs)

    return checked_init
