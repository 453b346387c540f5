import pytest
import torch
from mmengine.registry import init_default_scope


@pytest.fixture(scope='module')
def one_thread():
    """Model tests use tiny tensors: one thread is fastest, and OpenMP
    threads spinning on a shared 2-core machine made a tiny HRNet forward
    10x slower. Also sets MMPose's default scope."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    init_default_scope('mmpose')
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope='session')
def tiny_synthface(tmp_path_factory):
    """A tiny SynthFace-68 tree in the 300-W layout (12 training faces, 6
    test faces, 128 px), shared by the end-to-end and reliability tests.
    Read-only: a test that changes files copies it first."""
    from hybridmatch_mmpose.datasets.synthface import generate_synthface
    root = str(tmp_path_factory.mktemp('tiny_synthface'))
    generate_synthface(root, num_train=12, num_test=6, image_size=128, seed=3,
                       contact_sheet=None)
    return root
