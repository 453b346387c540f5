"""The SynthFace-68 generator under its earlier import path.

The generator is the package :mod:`hybridmatch_mmpose.synthface`; this
module re-exports its public names so that
``from hybridmatch_mmpose.datasets.synthface import generate_synthface``
keeps working.
"""
from ..synthface import *  # noqa: F401,F403
from ..synthface import __all__  # noqa: F401
