"""Where the shared, research-only data lives (one setting for the repo).

The real 300-W photographs and annotations are not part of the repository:
they lie in a ``shared`` folder beside the checkout (``../shared``), or
wherever ``HYBRIDMATCH_SHARED`` points. Tests that need them skip with a
message naming this setting when it is absent.
"""
import os
import os.path as osp

#: Environment variable that overrides the shared folder.
SHARED_ENV = 'HYBRIDMATCH_SHARED'
_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def shared_dir() -> str:
    """``$HYBRIDMATCH_SHARED``, else ``shared`` beside the repository."""
    return os.environ.get(SHARED_ENV) or osp.join(osp.dirname(_REPO),
                                                  'shared')


def shared_data_dir() -> str:
    """The ``data`` folder of :func:`shared_dir`."""
    return osp.join(shared_dir(), 'data')
