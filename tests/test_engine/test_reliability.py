"""Reliability: exact resume after SIGKILL, distributed training (gloo, 2
processes), safe and atomic checkpoints, clear errors on bad input,
determinism. Runs ``tools/train.py`` / ``tools/dist_train.sh`` /
``tools/test.py`` on the HybridMatch SynthFace config, shrunk to a few
iterations of 2 labelled + 2 unlabelled 64x64 images on a tiny SynthFace-68
(12 training faces, 6 labelled with ``split.ratio=0.5``).

Test-only hooks (kill, poison, record per rank) live in
``tests/reliability_hooks.py`` and reach the runs through a derived config.
"""
import glob
import json
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

import hybridmatch_mmpose  # noqa: F401  (safe loading, atomic saving)
from hybridmatch_mmpose.datasets import LabelledUnlabelledDataset, SemiSplit
from hybridmatch_mmpose.engine import UnsafeCheckpointError
from tool_runner import REPO, TESTS, data_root_opts, run_tool

CONFIG = osp.join(REPO, 'configs', 'synthface',
                  'hybridmatch_synthface-5pct-64x64_cpu.py')

pytestmark = pytest.mark.usefixtures('one_thread')  # + mmpose default scope


def derived_config(tmp_path, name, extra_hooks=()):
    """The SynthFace HybridMatch config plus test-only hooks."""
    path = tmp_path / f'{name}.py'
    path.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        "custom_imports = dict(imports=['hybridmatch_mmpose', "
        "'reliability_hooks'], allow_failed_imports=False)\n"
        f'custom_hooks = _base_.custom_hooks + {list(extra_hooks)!r}\n')
    return str(path)


def opts(root, iters, ckpt_every, batch=4):
    """A tiny run whose supervised burn-in ends at a third of it (the
    teacher is copied from the student there, before the 6-iteration runs'
    kill at 4)."""
    return data_root_opts(root, 'train_dataloader.dataset.dataset') + [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'model.semi_train_cfg.burn_in_iters={iters // 3}',
        f'default_hooks.checkpoint.interval={ckpt_every}',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        'default_hooks.logger.interval=1',
        f'train_dataloader.batch_size={batch}',
        f'train_dataloader.sampler.batch_size={batch}',
        'train_dataloader.dataset.split.ratio=0.5',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False']


def _pythonpath():
    """``tests/`` (the test-only hooks) before the caller's path."""
    return os.pathsep.join(filter(None, [TESTS,
                                         os.environ.get('PYTHONPATH')]))


def train(config, work_dir, options, *extra):
    env = dict(os.environ, PYTHONPATH=_pythonpath(), OMP_NUM_THREADS='1')
    return run_tool(['tools/train.py', config, '--work-dir', str(work_dir)] +
                    list(extra) + ['--cfg-options'] + options, env=env)


def load(path):
    return torch.load(path, map_location='cpu', weights_only=True)


def losses(work_dir):
    """The per-iteration training scalars mmengine wrote."""
    (path, ) = glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                  'scalars.json'))
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    return [{k: v for k, v in r.items() if 'loss' in k} for r in rows
            if 'loss' in r]


def assert_same_state(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


# ------------------------------------------------- exact resume, determinism
@pytest.fixture(scope='module')
def uninterrupted(tiny_synthface, tmp_path_factory):
    work = tmp_path_factory.mktemp('uninterrupted')
    proc = train(CONFIG, work, opts(tiny_synthface, 6, 2))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(
        tiny_synthface, uninterrupted, tmp_path):
    """Killed with SIGKILL before iteration 5 (after the iteration-4
    checkpoint), then ``--resume``: student, teacher and lambda_u^1D after
    6 iterations are bitwise equal to the uninterrupted run's (CPU, one
    thread, no loader workers)."""
    work = tmp_path / 'killed'
    killing = derived_config(tmp_path, 'killing',
                             [dict(type='KillAtIterHook', at=4)])
    proc = train(killing, work, opts(tiny_synthface, 6, 2))
    assert proc.returncode == -9, proc.stderr[-2000:]  # SIGKILL
    assert osp.isfile(work / 'iter_4.pth')
    assert not osp.exists(work / 'iter_6.pth')

    proc = train(CONFIG, work, opts(tiny_synthface, 6, 2), '--resume')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 0, iter: 4' in proc.stdout + proc.stderr
    resumed = load(work / 'iter_6.pth')
    reference = load(uninterrupted / 'iter_6.pth')
    assert_same_state(resumed['state_dict'], reference['state_dict'])
    assert any(k.startswith('teacher.') for k in resumed['state_dict'])
    assert float(resumed['state_dict']['lambda_u_1d']) == pytest.approx(0.05)
    # the optimiser state too (Adam moments), so later steps match as well
    for sa, sb in zip(resumed['optimizer']['state'].values(),
                      reference['optimizer']['state'].values()):
        for k in sa:
            assert torch.equal(torch.as_tensor(sa[k]),
                               torch.as_tensor(sb[k])), k


@pytest.mark.slow
def test_same_seed_same_losses(tiny_synthface, uninterrupted, tmp_path):
    """Two runs with the same seed log the same losses, bit for bit."""
    proc = train(CONFIG, tmp_path, opts(tiny_synthface, 6, 6))
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, second = losses(uninterrupted), losses(tmp_path)
    assert len(first) == 6 and first == second


def test_labelled_split_is_pinned():
    """The split of a seed is a pure function of the annotation ids
    (numpy's PCG64 ``default_rng(seed).permutation``): the same on every
    machine and numpy version. Pinned values, computed once."""
    ids = np.arange(1000, 1100)[::-1]  # order-independent: sorted by id
    labelled, _ = SemiSplit(ratio=0.05, seed=0).split(ids)
    assert sorted(ids[labelled].tolist()) == PINNED_5PCT_SEED0
    labelled, _ = SemiSplit(num=3, seed=7).split(ids)
    assert sorted(ids[labelled].tolist()) == PINNED_NUM3_SEED7


PINNED_5PCT_SEED0 = [1005, 1020, 1036, 1082, 1093]
PINNED_NUM3_SEED7 = [1026, 1042, 1088]


# ------------------------------------------------------------- distributed
def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_process_gloo_training(tiny_synthface, tmp_path):
    """``tools/dist_train.sh CONFIG 2`` on CPU (gloo): teacher (and
    student) identical on both ranks; in the first pass over the labelled
    set the two ranks draw every labelled sample exactly once; rank 0's
    checkpoint tests in a single process."""
    work = tmp_path / 'dist'
    config = derived_config(tmp_path, 'recording',
                            [dict(type='RecordRankHook')])
    env = dict(os.environ, PYTHONPATH=_pythonpath(), OMP_NUM_THREADS='1',
               PYTHON=sys.executable, PORT=str(_free_port()),
               PYTHONWARNINGS='ignore')
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', config, '2', '--work-dir', str(work),
         '--cfg-options'] + opts(tiny_synthface, 3, 3) +
        ['env_cfg.dist_cfg.backend=gloo'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]

    s0, s1 = (load(work / f'state_rank{r}.pth') for r in (0, 1))
    assert_same_state({k: v for k, v in s0.items() if 'teacher' in k},
                      {k: v for k, v in s1.items() if 'teacher' in k})
    assert_same_state(s0, s1)

    with open(work / 'labelled_split.json') as f:
        labelled = set(json.load(f)['labelled']['ann_ids'])
    assert len(labelled) == 6
    draws = []
    for r in (0, 1):
        with open(work / f'sup_ids_rank{r}.json') as f:
            ids = [i for batch in json.load(f) for i in batch]
        assert len(ids) == 3 * 2  # 3 iterations x 2 labelled per rank
        draws.append(ids[:3])  # this rank's share of the first pass
    first_pass = draws[0] + draws[1]
    assert sorted(first_pass) == sorted(labelled)  # each once

    proc = run_tool(['tools/test.py', CONFIG, str(work / 'iter_3.pth'),
                     '--work-dir', str(tmp_path / 'test'), '--cfg-options',
                     f'test_dataloader.dataset.data_root={tiny_synthface}/',
                     f'test_evaluator.data_root={tiny_synthface}/',
                     'test_dataloader.num_workers=0',
                     'test_dataloader.persistent_workers=False'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| full |' in proc.stdout + proc.stderr


# ----------------------------------------------------------- checkpoints
def test_checkpoint_with_a_pickled_object_is_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': dict(
        hook=os.system)}, path)
    from mmengine.runner.checkpoint import _load_checkpoint
    with pytest.raises(UnsafeCheckpointError,
                       match=r'evil\.pth: refused.*posix\.system'):
        _load_checkpoint(path)
    good = str(tmp_path / 'good.pth')
    torch.save({'state_dict': {'w': torch.ones(2)},
                'meta': dict(a=np.float64(1.0), b=np.zeros(2))}, good)
    assert torch.equal(_load_checkpoint(good)['state_dict']['w'],
                       torch.ones(2))


@pytest.mark.slow
def test_kill_while_saving_keeps_the_previous_checkpoint(tmp_path):
    """mmengine's ``save_checkpoint`` over an existing file, the process
    killed after the new bytes were written but before they are in place:
    the old checkpoint is still there and loads."""
    from mmengine.runner.checkpoint import save_checkpoint
    path = str(tmp_path / 'iter_2.pth')
    save_checkpoint({'state_dict': {'w': torch.ones(1000)}}, path)
    code = ('import os, torch, hybridmatch_mmpose\n'
            'from mmengine.runner.checkpoint import save_checkpoint\n'
            'os.fsync = lambda fd: os._exit(9)  # dies mid-save\n'
            f"save_checkpoint({{'state_dict': {{'w': torch.zeros(1000)}}}}, "
            f'{path!r})\n')
    proc = run_tool(['-c', code])
    assert proc.returncode == 9, proc.stderr
    assert torch.equal(load(path)['state_dict']['w'], torch.ones(1000))
    # and an uninterrupted save does replace it
    save_checkpoint({'state_dict': {'w': torch.zeros(1000)}}, path)
    assert torch.equal(load(path)['state_dict']['w'], torch.zeros(1000))


# --------------------------------------------------------------- bad input
@pytest.mark.slow
def test_nan_loss_stops_naming_iteration_and_term_keeps_checkpoint(
        tiny_synthface, tmp_path):
    config = derived_config(tmp_path, 'poison',
                            [dict(type='PoisonWeightsHook', at=3)])
    proc = train(config, tmp_path / 'work', opts(tiny_synthface, 6, 2))
    assert proc.returncode != 0
    assert 'NonFiniteLossError: iteration 4: loss term `sup_loss' in \
        proc.stderr, proc.stderr[-3000:]
    with open(tmp_path / 'work' / 'last_checkpoint') as f:
        last = f.read().strip()
    assert last.endswith('iter_2.pth')
    state = load(last)['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())


@pytest.mark.slow
def test_missing_data_root_and_annotation_file(tiny_synthface, tmp_path):
    proc = train(CONFIG, tmp_path / 'w', opts(str(tmp_path / 'nowhere'), 1,
                                             1))
    assert proc.returncode != 0
    assert ('ERROR: train_dataloader.dataset.dataset.data_root: directory '
            f"'{tmp_path / 'nowhere'}/' does not exist") in proc.stderr
    assert '--cfg-options train_dataloader.dataset.dataset.data_root=DIR' \
        in proc.stderr
    proc = train(CONFIG, tmp_path / 'w', opts(tiny_synthface, 1, 1) + [
        'train_dataloader.dataset.dataset.ann_file=annotations/missing.json'])
    assert proc.returncode != 0
    assert 'train_dataloader.dataset.dataset.ann_file: annotation file' in \
        proc.stderr and 'missing.json' in proc.stderr


@pytest.mark.slow
def test_a_missing_validation_file_stops_before_training(tiny_synthface,
                                                         tmp_path):
    """A supervised config (val_cfg = dict(): mmengine's ValLoop) checks
    its validation set before training, not at the first validation."""
    stock = osp.join(REPO, 'configs', 'synthface',
                     'td-hm_hrnetv2-w18_synthface-64x64_cpu.py')
    proc = train(stock, tmp_path / 'w', data_root_opts(tiny_synthface) + [
        'val_dataloader.dataset.ann_file=annotations/missing.json'])
    assert proc.returncode != 0
    assert 'val_dataloader.dataset.ann_file: annotation file' in \
        proc.stderr and 'missing.json' in proc.stderr
    assert not (tmp_path / 'w').exists() or not any(
        f.endswith('.pth') for f in os.listdir(tmp_path / 'w'))


@pytest.mark.slow
def test_keypoint_count_mismatch(tiny_synthface, tmp_path):
    proc = train(CONFIG, tmp_path / 'w', opts(tiny_synthface, 1, 1) + [
        'model.head.out_channels=5'])
    assert proc.returncode != 0
    # the 12 training faces and the 6 validation faces
    assert ('ERROR: the data do not fit the config (18 problem(s))' in
            proc.stderr), proc.stderr[-2000:]
    assert ("annotations[0] (id 1, image 'train/000000.jpg') has 68 "
            'keypoints (204 values), the model predicts 5 '
            '(model.head.out_channels)') in proc.stderr


@pytest.mark.slow
def test_empty_unlabelled_set_through_the_tool(tiny_synthface, tmp_path):
    proc = train(CONFIG, tmp_path / 'w', opts(tiny_synthface, 1, 1) +
                 ['train_dataloader.dataset.split.ratio=1.0'])
    assert proc.returncode != 0
    assert ('split.ratio=1.0 labels all 12 samples: the unlabelled rest is '
            'empty') in proc.stderr, proc.stderr[-2000:]


@pytest.mark.parametrize('split, match', [
    (dict(ratio=0), r'split.ratio must be in \(0, 1\], got 0'),
    (dict(ratio=1.5), r'split.ratio must be in \(0, 1\], got 1.5'),
    (dict(num=13), r'split.num=13 is larger than the data set \(12 samples\)'),
])
def test_bad_split_options(split, match):
    with pytest.raises(ValueError, match=match):
        SemiSplit(**split).split(list(range(12)))


def _dataset(root, weak=({'type': 'LoadImage'}, ), **kwargs):
    return LabelledUnlabelledDataset(
        dataset=dict(type='Face300WDataset', data_root=root,
                     ann_file='annotations/face_landmarks_300w_train.json',
                     data_prefix=dict(img='images/')),
        split=dict(ratio=0.5, seed=0), weak_pipeline=list(weak),
        sup_pipeline=[], unsup_pipeline=[], **kwargs)


def _truncate(path):
    """Keep the first half of the file: a JPEG whose bottom is missing."""
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])


@pytest.fixture
def data_copy(tiny_synthface, tmp_path):
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_synthface, root)
    return root


def _capture_log(monkeypatch):
    logged = []
    import hybridmatch_mmpose.datasets.semi_split_dataset as module
    monkeypatch.setattr(module, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    return logged


def test_unreadable_unlabelled_image_is_skipped_named_once_and_counted(
        data_copy, monkeypatch):
    ds = _dataset(data_copy, max_unreadable=0.5)  # 1 of 6 is above 0.1
    broken = ds.unlabelled.get_data_info(0)['img_path']
    _truncate(broken)
    logged = _capture_log(monkeypatch)
    for _ in range(3):  # drawn again (every epoch): named once only
        sample = ds.unlabelled[0]  # another unlabelled image instead
        assert sample['img_path'] != broken and sample['img'].ndim == 3
    assert ds.unlabelled.num_skipped == 1
    assert logged == [
        f'unlabelled image skipped: {broken}: truncated JPEG '
        f'({osp.getsize(broken)} bytes, no end-of-image marker after the '
        'image data): the decoder would fill the missing part with grey; '
        'replace the file, or remove its entry from the annotation file '
        '(UnreadableImageError). Training goes on without it (1 of 6 '
        'unlabelled images skipped so far).']
    # every other unlabelled image still loads; nothing else is skipped
    for i in range(1, len(ds.unlabelled)):
        assert ds.unlabelled[i]['img_path'] == \
            ds.unlabelled.get_data_info(i)['img_path']
    assert ds.unlabelled.unreadable_paths() == [broken]

    # a broken labelled image is an error naming the file
    broken_l = ds.labelled.get_data_info(0)['img_path']
    _truncate(broken_l)
    with pytest.raises(Exception, match=f'{broken_l}: truncated JPEG'):
        ds.labelled[0]


def test_skips_are_counted_across_loader_workers_and_reported(
        data_copy, tmp_path):
    """Two data loader workers skip two broken images; the main process
    counts both, and SemiSplitDumpHook lists them after training."""
    from types import SimpleNamespace

    from mmengine.logging import MMLogger
    from torch.utils.data import DataLoader

    from hybridmatch_mmpose.datasets import SemiSplitDumpHook
    ds = _dataset(data_copy, max_unreadable=0.5).unlabelled
    broken = [ds.get_data_info(i)['img_path'] for i in (1, 4)]
    for path in broken:
        with open(path, 'w') as f:
            f.write('a text file named .jpg')
    loader = DataLoader(ds, batch_size=1, num_workers=2,
                        collate_fn=lambda batch: batch)
    assert len(list(loader)) == len(ds)
    assert ds.num_skipped == 2 and sorted(ds.unreadable_paths()) == \
        sorted(broken)
    runner = SimpleNamespace(
        work_dir=str(tmp_path), logger=MMLogger.get_instance('skip_report'),
        train_dataloader=SimpleNamespace(dataset=_wrap(ds)))
    SemiSplitDumpHook().after_train(runner)
    with open(tmp_path / 'unreadable_images.txt') as f:
        assert sorted(f.read().split()) == sorted(broken)


def _wrap(subset):
    from mmengine.dataset import ConcatDataset
    return ConcatDataset([subset], lazy_init=True)


def test_an_unusable_unlabelled_pool_stops_with_one_clear_error(
        data_copy, monkeypatch):
    """Every unlabelled image unreadable: one warning per image up to
    ``max_unreadable`` of the pool, then an error (not 1,000 retries)."""
    from hybridmatch_mmpose.datasets.semi_split_dataset import \
        UnusableSubsetError
    ds = _dataset(data_copy, max_unreadable=0.5)
    for i in range(len(ds.unlabelled)):
        with open(ds.unlabelled.get_data_info(i)['img_path'], 'wb') as f:
            f.write(b'')
    logged = _capture_log(monkeypatch)
    with pytest.raises(UnusableSubsetError,
                       match=r'^4 of 6 unlabelled images cannot be read, '
                       r'more than max_unreadable=0.5 of them .*the image '
                       r'file is empty.*train_dataloader\.dataset\.'
                       r'max_unreadable'):
        ds.unlabelled[0]
    assert len(logged) == 3


def test_unreadable_test_image_is_an_error(data_copy):
    from mmpose.registry import DATASETS
    ds = DATASETS.build(dict(
        type='Face300WDataset', data_root=data_copy, test_mode=True,
        ann_file='annotations/face_landmarks_300w_valid.json',
        data_prefix=dict(img='images/'), pipeline=[dict(type='LoadImage')]))
    broken = ds.get_data_info(2)['img_path']
    _truncate(broken)
    with pytest.raises(Exception, match=f'{broken}: truncated JPEG'):
        ds[2]
    with open(broken, 'w') as f:
        f.write('not an image')
    with pytest.raises(Exception, match=f"{broken}: not an image: it starts "
                       r"with b'not an i', not with a JPEG signature"):
        ds[2]
