"""The real-face data path: the shared 300-W AFW / HELEN-train photographs
-> ``prepare_300w_afw_helen.py`` (``convert_300w.py --pts-dir``) -> the
real-face configs, trained and tested by ``tools/train.py`` /
``tools/test.py`` for a few iterations on a handful of faces.

Skipped, with a message naming the setting, when the shared folder is not
beside this clone (``HYBRIDMATCH_SHARED``, default ``../shared``)."""
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest
from mmengine.config import Config

from hybridmatch_mmpose.utils.shared_data import SHARED_ENV, shared_dir
from tool_runner import REPO, run_tool, tiny_schedule

# the converter scripts import each other as modules of their folder
sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
from convert_300w import ConversionError  # noqa: E402
from prepare_300w_afw_helen import prepare  # noqa: E402

SRC = osp.join(shared_dir(), 'data', '300w_afw_helen')
CFG = osp.join(REPO, 'configs', '300w_afw_helen',
               '{}_afw-helen-{}-64x64_cpu.py')
needs_shared = pytest.mark.skipif(
    not osp.isdir(SRC), reason=f'the real faces ({SRC}) are not here: set '
    f'{SHARED_ENV} to the shared folder to run these tests')


@pytest.fixture(scope='module')
def few_faces(tmp_path_factory):
    """A shared-folder stand-in linking 8 HELEN-train and 4 AFW faces of
    the real data, and its prepared copy (``prepare()`` as ``make
    data-real`` runs it)."""
    shared = tmp_path_factory.mktemp('shared')
    for part, n in (('helen_train', 8), ('afw', 4)):
        dst = shared / 'data' / '300w_afw_helen' / part
        dst.mkdir(parents=True)
        stems = sorted(f[:-4] for f in os.listdir(osp.join(SRC, part))
                       if f.endswith('.pts'))[:n]
        for stem in stems:
            for ext in ('.pts', '.jpg'):
                os.symlink(osp.join(SRC, part, stem + ext),
                           dst / (stem + ext))
    out = tmp_path_factory.mktemp('prepared')
    counts = prepare(str(shared), str(out), val_ratio=0.25, val_seed=0)
    return shared, out, counts


def _load(out, name):
    with open(osp.join(out, 'annotations', f'{name}.json')) as f:
        return json.load(f)


@needs_shared
def test_prepare_writes_resolvable_coco_files_with_the_pts_values(
        few_faces):
    shared, out, counts = few_faces
    assert counts == dict(helen_train=8, afw=4, helen_val=2,
                          helen_train_fit=6)
    all_ids = []
    for name in ('helen_train', 'afw'):
        coco = _load(out, name)
        images = {i['id']: i for i in coco['images']}
        for ann in coco['annotations']:
            img = images[ann['image_id']]
            path = osp.join(out, 'images', img['file_name'])
            assert osp.isfile(path), path  # resolves under images/
            assert (img['height'], img['width']) == (384, 384)
            # independent read of the .pts: 68 "x y" lines inside { }
            with open(path[:-4] + '.pts') as f:
                lines = f.read().split('{')[1].split('}')[0].split()
            pts = np.array(lines, dtype=np.float64).reshape(68, 2)
            kps = np.array(ann['keypoints']).reshape(68, 3)
            np.testing.assert_array_equal(kps[:, :2], pts)
            assert (kps[:, 2] == 1).all()
            all_ids.append(ann['id'])
    assert len(set(all_ids)) == len(all_ids) == 12
    # the validation split partitions helen_train
    train = {a['id'] for a in _load(out, 'helen_train')['annotations']}
    fit = {a['id'] for a in _load(out, 'helen_train_fit')['annotations']}
    val = {a['id'] for a in _load(out, 'helen_val')['annotations']}
    assert fit | val == train and not fit & val
    assert osp.realpath(osp.join(out, 'images')) == osp.realpath(
        osp.join(shared, 'data', '300w_afw_helen'))


@needs_shared
def test_prepare_is_idempotent_and_names_a_missing_folder(few_faces,
                                                          tmp_path):
    shared, out, counts = few_faces
    stamp = osp.join(out, 'annotations', 'afw.json')
    before = os.stat(stamp).st_mtime_ns
    assert prepare(str(shared), str(out), 0.25, 0) == counts
    assert os.stat(stamp).st_mtime_ns == before
    with pytest.raises(ConversionError, match='afw.*not found'):
        os.makedirs(tmp_path / 'data' / '300w_afw_helen' / 'helen_train')
        prepare(str(tmp_path), str(tmp_path / 'out'))


def test_fsl_and_ssl_configs_share_what_a_comparison_must_share():
    """FSL-2D and HybridMatch rows differ in the model and the unlabelled
    data only: the same labelled split, weak geometry, labelled faces per
    step, iterations, learning-rate schedule, test set and flip test."""
    for tag in ('5pct', '10pct', '20pct', '50img'):
        hm = Config.fromfile(CFG.format('hybridmatch', tag))
        fsl = Config.fromfile(CFG.format('fsl-2d', tag))
        hm_data, fsl_data = hm.train_dataloader, fsl.train_dataloader
        assert fsl_data.dataset.type == 'SemiSplitDataset'
        assert fsl_data.dataset.subset == 'labelled'
        assert fsl_data.dataset.split == hm_data.dataset.split
        assert fsl_data.dataset.dataset == hm_data.dataset.dataset
        n = len(hm_data.dataset.weak_pipeline)
        assert fsl_data.dataset.pipeline[:n] == hm_data.dataset.weak_pipeline
        assert fsl_data.batch_size == hm_data.sampler.source_ratio[0] == 8
        assert sum(hm_data.sampler.source_ratio) == hm_data.batch_size == \
            hm_data.sampler.batch_size
        for key in ('train_cfg', 'param_scheduler', 'optim_wrapper',
                    'test_dataloader', 'test_evaluator', 'randomness'):
            assert fsl[key] == hm[key], key
        assert fsl.model.test_cfg == hm.model.test_cfg
        assert fsl.model.head.type == 'HeatmapHead'  # MMPose's stock head
        assert fsl.model.head.decoder.unbiased == hm.codec.unbiased
    full = Config.fromfile(CFG.format('fsl-2d', '100pct'))
    assert full.train_dataloader.dataset == dict(
        hm.train_dataloader.dataset.dataset,
        pipeline=fsl.train_dataloader.dataset.pipeline)


@pytest.mark.slow
@needs_shared
@pytest.mark.parametrize('method', ['hybridmatch', 'fsl-2d'])
def test_real_face_configs_train_and_test(few_faces, tmp_path, method):
    """Each real-face config trains 2 iterations on the prepared faces with
    tools/train.py and tests on the AFW faces with tools/test.py."""
    _, out, _ = few_faces
    config = CFG.format(method, '5pct')
    root = str(out) + '/'
    data = [f'train_dataloader.dataset.dataset.data_root={root}',
            'train_dataloader.dataset.split.ratio=0.5',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}']
    batch = 4 if method == 'hybridmatch' else 2
    sched = tiny_schedule(2, batch)
    if method != 'hybridmatch':  # no two-source sampler, no semi_train_cfg
        sched = [o for o in sched if 'sampler.' not in o and 'semi_' not in o]
    work = str(tmp_path / 'work')
    proc = run_tool(['tools/train.py', config, '--work-dir', work,
                     '--cfg-options'] + data + sched)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(osp.join(work, 'labelled_split.json')) as f:
        split = json.load(f)
    assert split['labelled']['num'] == 4  # 0.5 of the 8 HELEN faces
    metrics = tmp_path / 'metrics.json'
    proc = run_tool(['tools/test.py', config, osp.join(work, 'iter_2.pth'),
                     '--work-dir', str(tmp_path / 'test'), '--out',
                     str(metrics), '--cfg-options'] + data +
                    ['test_dataloader.num_workers=0',
                     'test_dataloader.persistent_workers=False'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(metrics.read_text())
    assert set(result) >= {'full/NME', 'full/FR@10', 'full/AUC@10'}
    assert np.isfinite(result['full/NME']) and result['full/NME'] > 0
