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
