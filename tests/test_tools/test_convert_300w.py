"""Tests of tools/dataset_converters/convert_300w.py against real 300-W data.

Every expected value is computed here independently of the converter:
MMPose's own test_300w.json, ``np.loadtxt`` on the CSV / .pts text,
OpenCV for image sizes.
"""
import importlib.util
import json
import os
import runpy
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from hybridmatch_mmpose.utils.shared_data import SHARED_ENV, shared_data_dir

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / 'tools' / 'dataset_converters' / 'convert_300w.py'
DATA = Path(shared_data_dir())
CSV_DIR = DATA / '300w_annotations'
PRIVATE = DATA / 'real68' / '300w_private_test'
LFPW = DATA / 'real68' / 'lfpw_trainset'

pytestmark = pytest.mark.skipif(
    not (CSV_DIR.is_dir() and PRIVATE.is_dir() and LFPW.is_dir()),
    reason=f'real 300-W data not found under {DATA}: set {SHARED_ENV} to '
    'the shared folder to run these tests')


def _load_converter():
    spec = importlib.util.spec_from_file_location('convert_300w', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conv = _load_converter()

CSV_COUNTS = {
    'face_landmarks_300w_valid_common.csv': 554,
    'face_landmarks_300w_valid_challenge.csv': 135,
    'face_landmarks_300w_valid.csv': 689,
    'face_landmarks_300w_test.csv': 600,
}


def _csv_table(path):
    """(names, scale (N,), center (N,2), keypoints (N,68,2)) via numpy."""
    names = np.loadtxt(path, delimiter=',', skiprows=1, usecols=0, dtype=str)
    num = np.loadtxt(
        path, delimiter=',', skiprows=1, usecols=range(1, 140), ndmin=2)
    return names, num[:, 0], num[:, 1:3], num[:, 3:].reshape(-1, 68, 2)


def _pts_values(path):
    return np.loadtxt(path, skiprows=3, max_rows=68)


def _close(a, b, tol=1e-9):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=tol)


def _run(args):
    return conv.main([str(a) for a in args])


# -------------------------------------------------------- CSV -> reference
def test_csv_reproduces_mmpose_reference(tmp_path, capsys):
    out = tmp_path / 'test.json'
    rc = _run([
        '--csv', CSV_DIR / 'face_landmarks_300w_test.csv', '--img-root',
        PRIVATE, '--skip-missing-images', '--out', out
    ])
    assert rc == 0
    printed = capsys.readouterr()
    assert 'skipped 598' in printed.out  # 600 rows, 2 images at hand
    got = json.loads(out.read_text())
    ref = json.loads((PRIVATE / 'test_300w.json').read_text())

    assert got['categories'] == ref['categories']
    assert sorted(
        got['images'], key=lambda i: i['id']) == sorted(
            ref['images'],
            key=lambda i: i['id'])  # id, file_name, height, width

    got_anns = {a['id']: a for a in got['annotations']}
    assert sorted(got_anns) == sorted(a['id'] for a in ref['annotations'])
    for r in ref['annotations']:
        g = got_anns[r['id']]
        assert set(g) == set(r)
        for key in ('image_id', 'num_keypoints', 'iscrowd', 'category_id'):
            assert g[key] == r[key], key
        for key in ('keypoints', 'center', 'scale', 'bbox', 'area'):
            assert _close(g[key], r[key]), key
        assert g['keypoints'][2::3] == r['keypoints'][2::3]  # visibility
        assert g['center'] == r['center'] and g['scale'] == r['scale']

    # ids are 0-based data rows of the CSV (found here by plain text search)
    rows = (CSV_DIR /
            'face_landmarks_300w_test.csv').read_text().split('\n')[1:]
    row_of = {line.split(',')[0]: i for i, line in enumerate(rows) if line}
    assert row_of['Test/01_Indoor/indoor_029.png'] == 197
    for img in got['images']:
        assert row_of['Test/01_Indoor/' + img['file_name']] == img['id']


def test_csv_missing_image_is_an_error_naming_file_line_path(tmp_path):
    csv_path = CSV_DIR / 'face_landmarks_300w_test.csv'
    with pytest.raises(conv.ConversionError) as err:
        conv.convert_csv([csv_path], str(PRIVATE))
    msg = str(err.value)
    # the first data row (line 2) names an image that is not here
    first = csv_path.read_text().split('\n')[1].split(',')[0]
    assert str(csv_path) in msg and 'line 2:' in msg
    assert str(PRIVATE / os.path.basename(first)) in msg


@pytest.mark.parametrize('name', sorted(CSV_COUNTS))
def test_full_csv_counts_and_values(tmp_path, name):
    out = tmp_path / 'x.json'
    assert _run(['--csv', CSV_DIR / name, '--no-image-size', '--out',
                 out]) == 0
    got = json.loads(out.read_text())
    n = CSV_COUNTS[name]
    names, scale, center, kpts = _csv_table(CSV_DIR / name)
    assert len(names) == n
    assert len(got['images']) == len(got['annotations']) == n
    assert [a['id'] for a in got['annotations']] == list(range(n))
    assert [i['id'] for i in got['images']] == list(range(n))
    assert all(set(i) == {'id', 'file_name'} for i in got['images'])
    assert [i['file_name']
            for i in got['images']] == [s.rsplit('/', 1)[-1] for s in names]
    kp = np.array([a['keypoints']
                   for a in got['annotations']]).reshape(n, 68, 3)
    assert _close(kp[..., :2], kpts) and (kp[..., 2] == 1).all()
    assert _close([a['center'] for a in got['annotations']], center)
    assert _close([a['scale'] for a in got['annotations']], scale)
    lo, hi = kpts.min(1), kpts.max(1)
    box = np.concatenate([lo - 0.1 * (hi - lo), 1.2 * (hi - lo)], axis=1)
    assert _close([a['bbox'] for a in got['annotations']], box, 1e-7)
    assert _close([a['area'] for a in got['annotations']],
                  box[:, 2] * box[:, 3], 1e-5)


def test_csv_relative_file_names_and_ids_across_files(tmp_path):
    files = [
        CSV_DIR / 'face_landmarks_300w_valid_common.csv',
        CSV_DIR / 'face_landmarks_300w_valid_challenge.csv'
    ]
    res = conv.convert_csv(files, file_name='relative', image_size=False)
    names = np.concatenate([_csv_table(f)[0] for f in files])
    assert [i['file_name'] for i in res.images] == list(names)
    assert [a['id'] for a in res.annotations] == list(range(554 + 135))


def test_center_scale_rule_reproduces_all_1289_csv_rows():
    """The .pts rule (integer box floor(min)..ceil(max)) against HRNet's
    own center/scale on every row of the valid + test CSVs."""
    total = 0
    for name in ('face_landmarks_300w_valid.csv',
                 'face_landmarks_300w_test.csv'):
        _, scale, center, kpts = _csv_table(CSV_DIR / name)
        for s, c, k in zip(scale, center, kpts):
            got_c, got_s = conv.center_scale_from_keypoints(k)
            assert got_c == list(c) and got_s == s
            total += 1
    assert total == 1289


def test_basename_collision_is_refused(tmp_path):
    src = (CSV_DIR / 'face_landmarks_300w_valid_common.csv').read_text()
    header, row = src.split('\n')[:2]
    other = row.replace('/testset/', '/trainset/', 1)
    assert other != row
    bad = tmp_path / 'dup.csv'
    bad.write_text('\n'.join([header, row, other]) + '\n')
    with pytest.raises(
            conv.ConversionError,
            match=r'dup\.csv line 3: .*'
            r'both become file_name'):
        conv.convert_csv([bad], image_size=False)
    assert len(
        conv.convert_csv([bad], image_size=False,
                         file_name='relative').images) == 2


# ------------------------------------------------------------------ .pts
def test_pts_dir_real68(tmp_path):
    out = tmp_path / 'lfpw.json'
    assert _run(['--pts-dir', LFPW, '--out', out]) == 0
    got = json.loads(out.read_text())
    pts = sorted(LFPW.glob('*.pts'))
    assert len(pts) == 6
    assert [i['id'] for i in got['images']] == list(range(6))
    assert [a['image_id'] for a in got['annotations']] == list(range(6))
    for path, img, ann in zip(pts, got['images'], got['annotations']):
        assert img['file_name'] == path.stem + '.png'
        h, w = cv2.imread(str(LFPW / img['file_name'])).shape[:2]
        assert (img['height'], img['width']) == (h, w)
        k = _pts_values(path)
        kp = np.array(ann['keypoints']).reshape(68, 3)
        assert (kp[:, :2] == k).all() and (kp[:, 2] == 1).all()
        lo, hi = k.min(0), k.max(0)
        assert _close(ann['bbox'],
                      [*(lo - 0.1 * (hi - lo)), *(1.2 * (hi - lo))])
        assert _close(ann['area'], ann['bbox'][2] * ann['bbox'][3])
        x1, y1 = np.floor(lo)
        x2, y2 = np.ceil(hi)
        assert ann['center'] == [(x1 + x2) / 2, (y1 + y2) / 2]
        assert ann['scale'] == max(x2 - x1, y2 - y1) / 200
        # the box holds every keypoint
        assert (np.abs(k - ann['center']) <= ann['scale'] * 100).all()


def test_pts_dir_prefix_and_first_id(tmp_path):
    """``--file-name-prefix`` / ``--first-id``: file names that resolve
    under the folder above ``--pts-dir``, ids unique across folders."""
    out = tmp_path / 'lfpw.json'
    assert _run(['--pts-dir', LFPW, '--out', out, '--file-name-prefix',
                 'lfpw_trainset/', '--first-id', '100']) == 0
    got = json.loads(out.read_text())
    assert [i['id'] for i in got['images']] == list(range(100, 106))
    assert [a['id'] for a in got['annotations']] == list(range(100, 106))
    for img in got['images']:
        assert img['file_name'].startswith('lfpw_trainset/')
        assert (LFPW.parent / img['file_name']).is_file()
    with pytest.raises(SystemExit):  # argparse: pts-dir options only
        _run(['--csv', 'x.csv', '--no-image-size', '--out', out,
              '--first-id', '3'])


def test_read_pts_values_unchanged():
    for path in sorted(LFPW.glob('*.pts')):
        assert (conv.read_pts(path) == _pts_values(path)).all()


def test_scale_factor_and_subfolders(tmp_path):
    sub = tmp_path / 'data' / 'lfpw' / 'trainset'
    sub.mkdir(parents=True)
    for stem in ('image_0001', 'image_0002'):
        for ext in ('.pts', '.png'):
            (sub / (stem + ext)).symlink_to(LFPW / (stem + ext))
    base = conv.convert_pts_dir(str(tmp_path / 'data'))
    big = conv.convert_pts_dir(str(tmp_path / 'data'), scale_factor=1.25)
    assert [i['file_name'] for i in base.images] == [
        'lfpw/trainset/image_0001.png', 'lfpw/trainset/image_0002.png'
    ]
    for a, b in zip(base.annotations, big.annotations):
        assert b['scale'] == pytest.approx(1.25 * a['scale'])
        assert b['center'] == a['center'] and b['bbox'] == a['bbox']


# ---------------------------------------------------- malformed input
GOOD_POINTS = [f'{10 + i}.5 {20 + i}.25' for i in range(68)]


def _pts_text(points=GOOD_POINTS, n='68', open_='{', close='}'):
    lines = ['version: 1', f'n_points:  {n}']
    lines += [open_] if open_ is not None else []
    lines += points
    lines += [close] if close is not None else []
    return '\n'.join(lines) + '\n'


def _write_face(folder, stem, text, image=True):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f'{stem}.pts').write_text(text)
    if image:
        cv2.imwrite(
            str(folder / f'{stem}.jpg'), np.zeros((10, 12, 3), np.uint8))
    return folder / f'{stem}.pts'


BAD_PTS = {
    # name: (text, line named in the message, words in the message)
    'wrong n_points': (_pts_text(n='5'), 2, 'n_points is 5, expected 68'),
    'n_points not int': (_pts_text(n='x'), 2, 'n_points'),
    'too few lines':
    (_pts_text(points=GOOD_POINTS[:67]), 71, 'after 67 points'),
    'too many lines':
    (_pts_text(points=GOOD_POINTS + ['1 2']), 72, 'more than n_points'),
    'missing {': (_pts_text(open_=None), 3, "'{'"),
    'missing }': (_pts_text(close=None), 71, "missing '}'"),
    'non-numeric':
    (_pts_text(points=GOOD_POINTS[:1] + ['abc 12'] + GOOD_POINTS[2:]), 5,
     'expected two numbers "x y", got \'abc 12\''),
    'three numbers':
    (_pts_text(points=['1 2 3'] + GOOD_POINTS[1:]), 4, 'expected two numbers'),
    'nan': (_pts_text(points=['nan 2'] + GOOD_POINTS[1:]), 4, 'finite'),
    'text after }': (_pts_text() + 'junk\n', 73, "after '}'"),
    'no n_points': ('version: 1\n{\n' + '\n'.join(GOOD_POINTS) + '\n}\n', 2,
                    "before the 'n_points:'"),
}


@pytest.mark.parametrize('case', sorted(BAD_PTS))
def test_malformed_pts_names_file_and_line(tmp_path, case):
    text, line, words = BAD_PTS[case]
    path = _write_face(tmp_path / 'faces', 'bad', text)
    with pytest.raises(conv.ConversionError) as err:
        conv.convert_pts_dir(str(tmp_path / 'faces'))
    msg = str(err.value)
    assert msg.startswith(f'{path} line {line}: '), msg
    assert words in msg
    assert isinstance(err.value, ValueError)


def test_good_synthetic_pts_parses(tmp_path):
    _write_face(tmp_path / 'faces', 'ok', _pts_text())
    res = conv.convert_pts_dir(str(tmp_path / 'faces'))
    kp = np.array(res.annotations[0]['keypoints']).reshape(68, 3)
    assert _close(kp[:, :2],
                  [[10 + i + 0.5, 20 + i + 0.25] for i in range(68)])
    assert res.images[0] == dict(id=0, file_name='ok.jpg', height=10, width=12)


def test_num_keypoints_option(tmp_path):
    _write_face(tmp_path / 'f', 'five', _pts_text(GOOD_POINTS[:5], n='5'))
    res = conv.convert_pts_dir(str(tmp_path / 'f'), num_keypoints=5)
    assert res.annotations[0]['num_keypoints'] == 5
    assert len(res.annotations[0]['keypoints']) == 15
    with pytest.raises(conv.ConversionError, match='line 2: n_points is 5'):
        conv.convert_pts_dir(str(tmp_path / 'f'))


def test_empty_pts_file(tmp_path):
    path = _write_face(tmp_path / 'f', 'empty', '')
    with pytest.raises(conv.ConversionError, match='empty file') as err:
        conv.read_pts(path)
    assert str(path) in str(err.value)


def test_missing_image_beside_pts(tmp_path, capsys):
    _write_face(tmp_path / 'f', 'a', _pts_text())
    path = _write_face(tmp_path / 'f', 'b', _pts_text(), image=False)
    with pytest.raises(conv.ConversionError, match='no image beside') as err:
        conv.convert_pts_dir(str(tmp_path / 'f'))
    assert str(err.value).startswith(str(path))
    out = tmp_path / 'o.json'
    assert _run(
        ['--pts-dir', tmp_path / 'f', '--skip-missing-images', '--out',
         out]) == 0
    printed = capsys.readouterr()
    assert 'skipped 1 faces' in printed.out and str(path) in printed.err
    assert len(json.loads(out.read_text())['annotations']) == 1


def test_empty_tree(tmp_path):
    (tmp_path / 'empty' / 'sub').mkdir(parents=True)
    with pytest.raises(conv.ConversionError, match='no .pts files'):
        conv.convert_pts_dir(str(tmp_path / 'empty'))


def test_malformed_csv(tmp_path):
    src = (CSV_DIR / 'face_landmarks_300w_valid_challenge.csv').read_text()
    header, row1, row2 = src.split('\n')[:3]
    cells = row2.split(',')
    cells[9] = 'abc'  # original_2_y
    cases = {
        'num': ([header, row1, ','.join(cells)], 3, "original_2_y: expected "
                "a number, got 'abc'"),
        'fields': ([header, row1 + ',1'], 2, '141 fields, the header has 140'),
        'column': ([header.replace('center_w', 'cw'),
                    row1], 1, 'header lacks column(s) center_w'),
        'scale': ([header, row1.replace(row1.split(',')[1], '0',
                                        1)], 2, 'scale must be > 0'),
    }
    for name, (lines, line, words) in cases.items():
        path = tmp_path / f'{name}.csv'
        path.write_text('\n'.join(lines) + '\n')
        with pytest.raises(conv.ConversionError) as err:
            conv.read_hrnet_csv(path)
        assert str(err.value).startswith(f'{path} line {line}: '), name
        assert words in str(err.value), (name, str(err.value))
    only_header = tmp_path / 'header.csv'
    only_header.write_text(header + '\n')
    with pytest.raises(conv.ConversionError, match='no data rows'):
        conv.convert_csv([only_header], image_size=False)


# ------------------------------------------------------------------- CLI
def test_cli_bad_input_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    """Runs the file as ``__main__`` (its ``sys.exit(main())``) in this
    interpreter, so the package is not imported a second time."""
    path = _write_face(
        tmp_path / 'f', 'bad',
        _pts_text(points=GOOD_POINTS[:1] + ['abc 12'] + GOOD_POINTS[2:]))
    monkeypatch.setattr(sys, 'argv', [
        str(SCRIPT), '--pts-dir',
        str(tmp_path / 'f'), '--out',
        str(tmp_path / 'o.json')
    ])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(SCRIPT), run_name='__main__')
    assert exit_.value.code == 2
    printed = capsys.readouterr()
    assert printed.out == ''
    assert printed.err.splitlines() == [
        f'error: {path} line 5: expected two numbers "x y", '
        "got 'abc 12'"
    ]
    assert not (tmp_path / 'o.json').exists()


def test_cli_usage_errors_exit_2(tmp_path, capsys):
    csv_path = CSV_DIR / 'face_landmarks_300w_test.csv'
    for args in (['--csv', csv_path, '--out', tmp_path / 'o.json'], [
            '--csv', csv_path, '--no-image-size', '--scale-factor', '2',
            '--out', tmp_path / 'o.json'
    ]):
        with pytest.raises(SystemExit) as err:
            _run(args)
        assert err.value.code == 2
    # every face missing: nothing written, exit 2, not an empty file
    assert _run([
        '--csv', csv_path, '--img-root', tmp_path, '--skip-missing-images',
        '--out', tmp_path / 'o.json'
    ]) == 2
    assert 'all 600 faces' in capsys.readouterr().err
    assert not (tmp_path / 'o.json').exists()


# ---------------------------------------------------------------- MMPose
def test_mmpose_face300w_dataset_loads_converted_pts(tmp_path):
    pytest.importorskip('mmpose')
    from mmpose.datasets import Face300WDataset
    ann = tmp_path / 'lfpw.json'
    assert _run(['--pts-dir', LFPW, '--out', ann]) == 0
    ds = Face300WDataset(
        data_root=str(tmp_path),
        ann_file='lfpw.json',
        data_prefix=dict(img=str(LFPW) + '/'),
        pipeline=[],
        test_mode=True)
    assert len(ds) == 6
    pts = sorted(LFPW.glob('*.pts'))
    for i, path in enumerate(pts):
        info = ds[i]
        assert info['img_path'] == str(LFPW / (path.stem + '.png'))
        k = info['keypoints']
        assert k.shape == (1, 68, 2)
        assert np.allclose(k[0], _pts_values(path), rtol=0, atol=1e-4)
        assert (info['keypoints_visible'] == 1).all()
    # without height/width in "images" the dataset loads the same faces
    assert _run(['--pts-dir', LFPW, '--no-image-size', '--out', ann]) == 0
    ds2 = Face300WDataset(
        data_root=str(tmp_path),
        ann_file='lfpw.json',
        data_prefix=dict(img=str(LFPW) + '/'),
        pipeline=[],
        test_mode=True)
    assert [ds2[i]['img_path'] for i in range(6)] == [
        ds[i]['img_path'] for i in range(6)
    ]
    assert all((ds2[i]['bbox'] == ds[i]['bbox']).all() for i in range(6))
