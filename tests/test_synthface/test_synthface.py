"""Tests of SynthFace-68 (the package hybridmatch_mmpose/synthface/) and its
CLI tools/make_synthface.py.

Expected values are recomputed here from the written files (keypoint boxes
with numpy, image statistics with OpenCV), not taken from the generator.
Tiny sets (128 px) keep the file fast.
"""
import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from hybridmatch_mmpose.synthface import FLIP_INDICES, generate_synthface
from hybridmatch_mmpose.utils.shared_data import SHARED_ENV, shared_data_dir

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / 'tools' / 'make_synthface.py'
ANN = {
    'train': 'face_landmarks_300w_train.json',
    'valid': 'face_landmarks_300w_valid.json',
    'common': 'face_landmarks_300w_valid_common.json',
    'challenge': 'face_landmarks_300w_valid_challenge.json',
}
# the classic rendering: the tests of the drawing itself; the default
# variant (diverse_xshapes) is tested in the variant section below
SMALL = dict(num_train=12, num_test=6, image_size=128, seed=3,
             variant='classic')

def _load(root, key):
    with open(Path(root) / 'annotations' / ANN[key]) as f:
        return json.load(f)


def _keypoints(data):
    """{image_id: (68, 2)} from a COCO-style file."""
    return {
        a['image_id']: np.asarray(a['keypoints'], float).reshape(-1, 3)[:, :2]
        for a in data['annotations']
    }


def _gray(root, file_name):
    img = cv2.imread(str(Path(root) / 'images' / file_name))
    assert img is not None, file_name
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)


@pytest.fixture(scope='module')
def small_set(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthface_a')
    summary = generate_synthface(str(root), workers=1, **SMALL)
    return root, summary


@pytest.fixture(scope='module')
def clean_set(tmp_path_factory):
    """difficulty 0: no rotation, occluders, blur or noise."""
    root = tmp_path_factory.mktemp('synthface_clean')
    generate_synthface(str(root), num_train=10, num_test=2, image_size=128,
                       seed=5, difficulty=0.0, contact_sheet=None,
                       variant='classic')
    return root


def test_layout_and_boxes(small_set):
    root, summary = small_set
    assert (root / 'synthface_meta.json').is_file()
    assert (root / 'contact_sheet.png').is_file()
    data = {k: _load(root, k) for k in ANN}
    assert len(data['train']['images']) == 12
    assert len(data['valid']['images']) == 6
    assert len(data['challenge']['images']) == round(0.2 * 6)
    assert summary['valid_challenge'] == len(data['challenge']['images'])

    for key, d in data.items():
        assert [c['name'] for c in d['categories']] == ['face']
        assert len(d['images']) == len(d['annotations'])
        for im, ann in zip(d['images'], d['annotations']):
            assert ann['image_id'] == im['id']
            assert (im['width'], im['height']) == (128, 128)
            split = 'train' if key == 'train' else 'test'
            assert im['file_name'].startswith(split + '/')
            img = cv2.imread(str(root / 'images' / im['file_name']))
            assert img.shape == (128, 128, 3)
            kp = np.asarray(ann['keypoints'], float).reshape(-1, 3)
            assert kp.shape == (68, 3) and ann['num_keypoints'] == 68
            assert np.all(kp[:, 2] == 1)
            lo, hi = kp[:, :2].min(0), kp[:, :2].max(0)
            # centre of the keypoint box, scale = its longer side / 200
            np.testing.assert_allclose(ann['center'], (lo + hi) / 2,
                                       atol=2e-3)
            assert ann['scale'] * 200 == pytest.approx((hi - lo).max(),
                                                       abs=1e-3)
            # bbox: keypoint box enlarged 1.2x about its centre
            x, y, w, h = ann['bbox']
            np.testing.assert_allclose([w, h], (hi - lo) * 1.2, atol=1e-6)
            np.testing.assert_allclose([x + w / 2, y + h / 2], (lo + hi) / 2,
                                       atol=1e-6)
            assert ann['area'] == pytest.approx(w * h)
            # face box 40-70 % of the image side at difficulty 1
            assert 0.38 * 128 <= (hi - lo).max() <= 0.72 * 128

    train_ids = [im['id'] for im in data['train']['images']]
    valid_ids = [im['id'] for im in data['valid']['images']]
    common = {im['id'] for im in data['common']['images']}
    chal = {im['id'] for im in data['challenge']['images']}
    assert len(set(train_ids + valid_ids)) == len(train_ids) + len(valid_ids)
    assert not common & chal and common | chal == set(valid_ids)
    ann_ids = [a['id'] for d in (data['train'], data['valid'])
               for a in d['annotations']]
    assert len(set(ann_ids)) == len(ann_ids)
    # subset files repeat the full test file's entries unchanged
    full = {a['image_id']: a for a in data['valid']['annotations']}
    for key in ('common', 'challenge'):
        for a in data[key]['annotations']:
            assert a == full[a['image_id']]


def test_landmarks_inside_image(small_set):
    root, _ = small_set
    for key in ('train', 'common', 'challenge'):
        for kp in _keypoints(_load(root, key)).values():
            assert np.all(kp >= 0) and np.all(kp <= 127), key


def _assert_same_files(root, again):
    """Every annotation file and image of the 12 + 6 sets is byte-equal."""
    for name in ANN.values():
        assert (root / 'annotations' / name).read_bytes() == \
            (again / 'annotations' / name).read_bytes(), name
    for split, n in (('train', 12), ('test', 6)):
        for i in range(n):
            rel = Path('images') / split / f'{i:06d}.jpg'
            assert (root / rel).read_bytes() == (again / rel).read_bytes()


def test_deterministic_and_worker_independent(small_set, tmp_path):
    root, _ = small_set
    again = tmp_path / 'again'
    # OpenCV's thread pool running in this process first (as after any
    # pipeline test): forked workers would hang in their first cv2 call
    cv2.setNumThreads(2)
    big = np.zeros((1024, 1024, 3), np.uint8)
    cv2.warpAffine(big, np.float32([[1, .1, 3], [.1, 1, 2]]), (1024, 1024))
    done = []
    worker = threading.Thread(target=lambda: done.append(generate_synthface(
        str(again), workers=2, contact_sheet=None, **SMALL)), daemon=True)
    worker.start()
    worker.join(timeout=300)
    assert done, 'generate_synthface(workers=2) did not finish in 300 s'
    _assert_same_files(root, again)


def test_other_seed_differs(small_set, tmp_path):
    root, _ = small_set
    other = tmp_path / 'other'
    generate_synthface(str(other), num_train=4, num_test=2, image_size=128,
                       seed=SMALL['seed'] + 1, contact_sheet=None,
                       variant='classic')
    a, b = _keypoints(_load(root, 'train')), _keypoints(_load(other, 'train'))
    for iid in b:
        assert np.abs(a[iid] - b[iid]).max() > 1.0
        rel = f'train/{iid - 1:06d}.jpg'
        assert np.abs(_gray(root, rel) - _gray(other, rel)).mean() > 5


def test_shapes_vary_and_respect_ibug_semantics(small_set):
    root, _ = small_set
    kps = np.stack(list(_keypoints(_load(root, 'train')).values()))
    # normalise by the inter-ocular distance: shapes are not copies
    iod = np.linalg.norm(kps[:, 36] - kps[:, 45], axis=1)
    assert np.all(iod > 10)
    centred = (kps - kps.mean(1, keepdims=True)) / iod[:, None, None]
    assert np.std(centred, axis=0).mean() > 0.05
    # the permutation is an involution and the subject's right eye (36-41)
    # is on the image left of the left eye (42-47) after undoing rotation:
    # check it on the eye corner order relative to the nose bridge
    assert [FLIP_INDICES[i] for i in FLIP_INDICES] == list(range(68))
    for kp in kps:
        v = kp[45] - kp[36]  # outer corners, left-to-right for the viewer
        n = kp[30] - kp[27]  # down the nose
        assert v[0] * n[1] - v[1] * n[0] > 0  # nose points "down" of v


def _local_contrast(gray):
    k = np.ones((5, 5), np.uint8)
    return cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, k)


def _sample(img, pts):
    xy = np.clip(np.round(pts).astype(int), 0, np.array(img.shape[::-1]) - 1)
    return img[xy[:, 1], xy[:, 0]]


def test_pixels_determine_landmarks(clean_set, small_set):
    """Landmarks sit on drawn edges/lines: the local contrast (5x5
    morphological gradient) at the landmarks is far above that at random
    points of the face box, and drops when the landmarks are shifted."""
    rng = np.random.default_rng(0)
    for root, min_ratio in ((clean_set, 2.0), (small_set[0], 1.4)):
        data = _load(root, 'train')
        kps = _keypoints(data)
        at_lm, at_rand, at_shift = [], [], []
        per_part = {p: [] for p in ('jaw', 'brows', 'nose', 'eyes', 'mouth')}
        parts = dict(jaw=range(0, 17), brows=range(17, 27),
                     nose=range(27, 36), eyes=range(36, 48),
                     mouth=range(48, 68))
        for im in data['images']:
            con = _local_contrast(_gray(root, im['file_name']))
            kp = kps[im['id']]
            lo, hi = kp.min(0), kp.max(0)
            rand = lo + rng.random((200, 2)) * (hi - lo)
            at_lm.append(_sample(con, kp).mean())
            at_rand.append(_sample(con, rand).mean())
            shift = np.array([4.0, 4.0])
            at_shift.append(_sample(con, kp + shift).mean())
            for p, idx in parts.items():
                per_part[p].append(_sample(con, kp[list(idx)]).mean())
        lm, rnd = np.mean(at_lm), np.mean(at_rand)
        assert lm > min_ratio * rnd, (root, lm, rnd)
        assert lm > 1.2 * np.mean(at_shift), (root, lm, np.mean(at_shift))
        if root == clean_set:
            for p, v in per_part.items():
                assert np.mean(v) > 1.5 * rnd, (p, np.mean(v), rnd)


def test_open_mouth_is_dark_inside(clean_set):
    """Where the inner lips are apart, the inner mouth is drawn dark: darker
    than the lip pixels between the outer and inner lower lip."""
    data = _load(clean_set, 'train')
    kps = _keypoints(data)
    checked = 0
    for im in data['images']:
        kp = kps[im['id']]
        if kp[66, 1] - kp[62, 1] < 4:
            continue
        gray = _gray(clean_set, im['file_name'])
        inner = _sample(gray, [kp[62] * 0.15 + kp[66] * 0.85])[0]
        lip = _sample(gray, [(kp[66] + kp[57]) / 2])[0]
        assert inner < lip, (im['file_name'], inner, lip)
        checked += 1
    assert checked >= 1


@pytest.mark.slow
def test_cli_writes_set_and_contact_sheet(tmp_path, capsys):
    out = tmp_path / 'cli'
    sheet = tmp_path / 'sheet.png'
    env = dict(os.environ)
    env['PYTHONPATH'] = str(REPO) + os.pathsep + env.get('PYTHONPATH', '')
    cmd = [sys.executable, str(CLI), '--out', str(out), '--num-train', '4',
           '--num-test', '2', '--image-size', '96', '--seed', '7',
           '--workers', '1', '--contact-sheet', str(sheet)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    img = cv2.imread(str(sheet))
    assert img is not None and img.shape == (4 * 256, 6 * 256, 3)
    meta = json.loads((out / 'synthface_meta.json').read_text())
    assert meta['args']['num_train'] == 4 and meta['seed'] == 7
    assert len(_load(out, 'valid')['images']) == 2
    # a second run with the same arguments leaves the set alone (run
    # in-process: a subprocess pays the package import again)
    stamp = (out / 'images' / 'train' / '000000.jpg').stat().st_mtime_ns
    spec = importlib.util.spec_from_file_location('make_synthface', CLI)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main(cmd[2:] + ['--skip-if-exists']) == 0
    assert 'up to date' in capsys.readouterr().out
    assert (out / 'images' / 'train' /
            '000000.jpg').stat().st_mtime_ns == stamp
    # other arguments regenerate
    assert cli.main(cmd[2:] + ['--skip-if-exists', '--num-train', '3']) == 0
    assert len(_load(out, 'train')['images']) == 3
    assert not (out / 'images' / 'train' / '000003.jpg').exists()


def test_mmpose_face300w_dataset_loads(small_set):
    pytest.importorskip('mmpose')
    from mmpose.datasets import Face300WDataset
    root, _ = small_set
    ds = Face300WDataset(
        data_root=str(root) + '/',
        ann_file='annotations/face_landmarks_300w_train.json',
        data_prefix=dict(img='images/'),
        pipeline=[],
        test_mode=False)
    assert len(ds) == 12
    item = ds[0]
    assert item['keypoints'].shape == (1, 68, 2)
    assert Path(item['img_path']).is_file()
    ann = _load(root, 'train')['annotations'][0]
    kp = np.asarray(ann['keypoints'], float).reshape(-1, 3)[:, :2]
    np.testing.assert_allclose(item['keypoints'][0], kp, atol=1e-3)
    # MMPose builds the crop box from center/scale: a square of scale*200
    x0, y0, x1, y1 = item['bbox'][0]
    assert x1 - x0 == pytest.approx(ann['scale'] * 200, rel=1e-4)
    valid = Face300WDataset(
        data_root=str(root) + '/',
        ann_file='annotations/face_landmarks_300w_valid.json',
        data_prefix=dict(img='images/'),
        pipeline=[],
        test_mode=True)
    assert len(valid) == 6


def test_packaged_shape_prior_is_the_shared_300w_csvs():
    """The prior shipped in the package is byte-identical to the real 300-W
    CSVs of the shared folder (when they are at hand), so generation needs
    no files outside the clone."""
    import gzip
    from hybridmatch_mmpose.synthface import (PACKAGED_PRIOR_DIR,
                                              default_annotation_dir)
    assert default_annotation_dir() == PACKAGED_PRIOR_DIR or \
        os.environ.get('SYNTHFACE_300W_CSV_DIR')
    shared = Path(shared_data_dir()) / '300w_annotations'
    if not shared.is_dir():
        pytest.skip(f'{shared} not found: set {SHARED_ENV} to the shared '
                    'folder to run this test')
    for name in ('valid', 'test'):
        packaged = (Path(PACKAGED_PRIOR_DIR) /
                    f'face_landmarks_300w_{name}.csv.gz')
        with gzip.open(packaged) as f:
            assert f.read() == (
                shared / f'face_landmarks_300w_{name}.csv').read_bytes()


# ---------------------------------------------------------------------------
# rendering variants (generate_synthface(variant=...), --variant)
# ---------------------------------------------------------------------------
XSHAPES = dict(SMALL, variant='diverse_xshapes')  # the default


@pytest.fixture(scope='module')
def xshapes_set(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthface_xshapes')
    summary = generate_synthface(str(root), workers=1, **XSHAPES)
    return root, summary


def test_variant_recorded_and_checked(small_set, xshapes_set):
    from hybridmatch_mmpose.synthface import DEFAULT_VARIANT, is_up_to_date
    assert DEFAULT_VARIANT == 'diverse_xshapes'
    root, summary = xshapes_set
    meta = json.loads((root / 'synthface_meta.json').read_text())
    assert meta['variant'] == 'diverse_xshapes'
    assert meta['args']['variant'] == 'diverse_xshapes'
    assert summary['args']['variant'] == 'diverse_xshapes'
    no_variant = {k: v for k, v in SMALL.items() if k != 'variant'}
    assert is_up_to_date(str(root), **XSHAPES)
    assert is_up_to_date(str(root), **no_variant)  # the default
    assert not is_up_to_date(str(root), **SMALL)  # classic != xshapes
    # a classic set records no variant argument (sets made before the
    # option existed are classic sets), and it is not the default set
    base = json.loads((small_set[0] / 'synthface_meta.json').read_text())
    assert base['variant'] == 'classic' and 'variant' not in base['args']
    assert is_up_to_date(str(small_set[0]), **SMALL)
    assert not is_up_to_date(str(small_set[0]), **no_variant)
    assert not is_up_to_date(str(small_set[0]), **XSHAPES)
    with pytest.raises(ValueError):
        generate_synthface(str(root / 'bad'), variant='nope', **no_variant)


def test_variant_deterministic_and_worker_independent(xshapes_set, tmp_path):
    root, _ = xshapes_set
    again = tmp_path / 'again'
    generate_synthface(str(again), workers=2, contact_sheet=None, **XSHAPES)
    _assert_same_files(root, again)


def test_variant_landmarks_inside_and_images_differ(small_set, xshapes_set):
    root, _ = xshapes_set
    assert (root / 'contact_sheet.png').is_file()
    data = {k: _load(root, k) for k in ANN}
    assert len(data['train']['images']) == 12
    assert len(data['valid']['images']) == 6
    for key in ('train', 'common', 'challenge'):
        for kp in _keypoints(data[key]).values():
            assert np.all(kp >= 0) and np.all(kp <= 127), key
            # iBUG order: subject's right eye on the viewer's left of the
            # left eye relative to the nose direction
            v, n = kp[45] - kp[36], kp[30] - kp[27]
            assert v[0] * n[1] - v[1] * n[0] > 0
    # same seeds, other rendering: images (and the exaggerated shapes) differ
    diffs = [np.abs(_gray(root, f'train/{i:06d}.jpg') -
                    _gray(small_set[0], f'train/{i:06d}.jpg')).mean()
             for i in range(12)]
    assert np.mean(diffs) > 10


def test_variant_pixels_determine_landmarks(xshapes_set):
    """Also with style families, sketches and distractor parts the landmarks
    sit on drawn edges (weaker bound than the classic set: sketch and
    posterised images have thinner or flatter edges)."""
    rng = np.random.default_rng(1)
    root, _ = xshapes_set
    data = _load(root, 'train')
    kps = _keypoints(data)
    at_lm, at_rand = [], []
    for im in data['images']:
        con = _local_contrast(_gray(root, im['file_name']))
        kp = kps[im['id']]
        lo, hi = kp.min(0), kp.max(0)
        at_lm.append(_sample(con, kp).mean())
        at_rand.append(_sample(con, lo + rng.random((200, 2)) *
                               (hi - lo)).mean())
    assert np.mean(at_lm) > 1.3 * np.mean(at_rand)


def test_cli_variant_flag(tmp_path):
    spec = importlib.util.spec_from_file_location('make_synthface', CLI)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    out = tmp_path / 'cli_diverse'
    argv = ['--out', str(out), '--num-train', '3', '--num-test', '2',
            '--image-size', '96', '--workers', '1', '--contact-sheet', 'none',
            '--variant', 'diverse']
    assert cli.parse_args(argv[:2]).variant == 'diverse_xshapes'
    assert cli.main(argv) == 0
    meta = json.loads((out / 'synthface_meta.json').read_text())
    assert meta['variant'] == meta['args']['variant'] == 'diverse'
    with pytest.raises(SystemExit):
        cli.parse_args(argv[:2] + ['--variant', 'nope'])


def test_every_variant_renders_deterministically():
    from hybridmatch_mmpose.synthface import (VARIANTS, load_priors,
                                              render_sample)
    prior = load_priors()['train']
    for variant in VARIANTS:
        for i, kw in enumerate((dict(), dict(hard=True),
                                dict(challenge=True))):
            a = render_sample(np.random.default_rng(i), prior, 128,
                              variant=variant, **kw)
            b = render_sample(np.random.default_rng(i), prior, 128,
                              variant=variant, **kw)
            assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
            assert a[0].shape == (128, 128, 3) and a[0].dtype == np.uint8
            assert a[1].shape == (68, 2)
            assert np.all(a[1] >= 0) and np.all(a[1] <= 127), variant
    # diverse_xshapes is the rendering without the option
    a = render_sample(np.random.default_rng(5), prior, 128)
    b = render_sample(np.random.default_rng(5), prior, 128,
                      variant='diverse_xshapes')
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_earlier_import_path_reexports_the_package():
    """``hybridmatch_mmpose.datasets.synthface`` still gives the
    generator's public names (the objects of
    ``hybridmatch_mmpose.synthface``)."""
    import hybridmatch_mmpose.synthface as package
    from hybridmatch_mmpose.datasets import synthface as earlier
    for name in package.__all__:
        assert getattr(earlier, name) is getattr(package, name), name
