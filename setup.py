"""hybridmatch-mmpose: HybridMatch semi-supervised facial landmarks for
MMPose 1.x."""
import os.path as osp

from setuptools import find_packages, setup


def get_version():
    scope = {}
    with open(osp.join('hybridmatch_mmpose', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='hybridmatch_mmpose',
    version=get_version(),
    description='HybridMatch (Kang et al., IEEE Access 2023) as an MMPose '
    '1.x plugin: semi-supervised facial landmark detection with hybrid '
    '1-D/2-D heatmaps',
    long_description=open('README.md').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    python_requires='>=3.8',
    # The OpenMMLab stack is pinned in requirements/*.txt and installed by
    # `make setup` (mmpose and mmdet with --no-deps: their chumpy dependency
    # does not build). Nothing is listed here so that `pip install -e .`
    # never re-resolves (and breaks) an existing OpenMMLab environment.
    install_requires=[],
    package_data={'hybridmatch_mmpose': ['synthface/shape_prior/*.csv.gz']},
    license='Apache License 2.0',
    zip_safe=False)
