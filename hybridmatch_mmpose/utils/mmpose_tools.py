"""Reuse MMPose's own ``tools/train.py`` and ``tools/test.py``.

Our tools keep MMPose's command line (config, ``--work-dir``, ``--resume``,
``--amp``, ``--cfg-options``, ``--launcher``, ...) by importing MMPose's
scripts instead of copying them: a pip-installed MMPose ships them under
``mmpose/.mim/tools/``, a source checkout under ``tools/``.
"""
import importlib.util
import os.path as osp
from types import ModuleType


def load_mmpose_tool(name: str) -> ModuleType:
    """Import MMPose's ``tools/{name}.py`` as a module."""
    import mmpose
    root = osp.dirname(mmpose.__file__)
    candidates = [
        osp.join(root, '.mim', 'tools', f'{name}.py'),
        osp.join(osp.dirname(root), 'tools', f'{name}.py'),
    ]
    for path in candidates:
        if osp.isfile(path):
            spec = importlib.util.spec_from_file_location(
                f'mmpose_tools_{name}', path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise FileNotFoundError(
        f'MMPose tools/{name}.py not found (looked in {candidates}); '
        'reinstall mmpose==1.3.2 with `make setup`.')
