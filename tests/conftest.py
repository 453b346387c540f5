import pytest
import torch
from mmengine.registry import init_default_scope

#: Fixtures that start a training subprocess: a test that uses one (also
#: through another fixture) is ``slow`` even where it is not marked so.
TRAINING_FIXTURES = ('tiny_hybridmatch', )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the users of :data:`TRAINING_FIXTURES` ``slow`` before ``-m``
    selects (``make test-fast`` runs ``-m "not slow"``)."""
    for item in items:
        if any(name in getattr(item, 'fixturenames', ())
               for name in TRAINING_FIXTURES):
            item.add_marker(pytest.mark.slow)


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
    from hybridmatch_mmpose.synthface import generate_synthface
    root = str(tmp_path_factory.mktemp('tiny_synthface'))
    generate_synthface(root, num_train=12, num_test=6, image_size=128, seed=3,
                       contact_sheet=None)
    return root


@pytest.fixture(scope='session')
def tiny_hybridmatch(tiny_synthface, tmp_path_factory):
    """Work dir of the SynthFace demo config trained by ``tools/train.py``
    for 4 iterations of 2 + 2 images on ``tiny_synthface`` (5 % of 12 faces
    would label 1; 25 % labels 3): ``iter_4.pth``, the log, the split.
    Shared by the end-to-end and inference tests; read-only."""
    from tool_runner import (SYNTH_CONFIG, run_tool, semi_data_opts,
                             tiny_schedule)
    work_dir = str(tmp_path_factory.mktemp('tiny_hybridmatch'))
    proc = run_tool(['tools/train.py', SYNTH_CONFIG, '--work-dir', work_dir,
                     '--cfg-options'] + semi_data_opts(tiny_synthface) +
                    tiny_schedule(4, 4) +
                    ['train_dataloader.dataset.split.ratio=0.25',
                     # validation overlays of the configs' visualization
                     # hook: every batch (the one batch here)
                     'default_hooks.visualization.interval=1'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work_dir
