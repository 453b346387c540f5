"""The pre-flight data check (``hybridmatch_mmpose/utils/data_check.py``):
data that do not fit the config stop before the Runner, one line per
problem naming the file, the entry and the option. Each probe changes one
thing in a copy of the tiny SynthFace-68 set; the unchanged set passes."""
import json
import os.path as osp
import shutil

import pytest
from mmengine.config import Config

from hybridmatch_mmpose.utils.data_check import (MAX_LISTED, DataCheckError,
                                                 check_data, read_json)
from tool_runner import (SYNTH_CONFIG, run_tool, semi_data_opts,
                         with_cfg_options)

TRAIN = 'annotations/face_landmarks_300w_train.json'
TEST = 'annotations/face_landmarks_300w_valid.json'
LOADERS = ['train_dataloader', 'val_dataloader', 'test_dataloader']
EVALUATORS = ['val_evaluator', 'test_evaluator']


@pytest.fixture(scope='module')
def base_cfg():
    return Config.fromfile(SYNTH_CONFIG)


@pytest.fixture
def root(tiny_synthface, tmp_path):
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_synthface, root)
    return root


def _cfg(base_cfg, root, *extra):
    """The SynthFace config on ``root`` with ``--cfg-options`` ``extra``,
    parsed as the tools parse them."""
    return with_cfg_options(base_cfg, semi_data_opts(root) + list(extra))


def _edit(root, ann_file, change):
    path = osp.join(root, ann_file)
    with open(path) as f:
        data = json.load(f)
    change(data)
    with open(path, 'w') as f:
        json.dump(data, f)
    return path


def _problems(cfg):
    with pytest.raises(DataCheckError) as info:
        check_data(cfg, LOADERS, EVALUATORS)
    return info.value.problems


def test_the_unchanged_set_passes(base_cfg, tiny_synthface):
    check_data(_cfg(base_cfg, tiny_synthface), LOADERS, EVALUATORS)


def test_one_annotation_with_67_keypoints(base_cfg, root):
    def drop_one(data):
        data['annotations'][4]['keypoints'] = \
            data['annotations'][4]['keypoints'][:-3]
    path = _edit(root, TRAIN, drop_one)
    (line, ) = _problems(_cfg(base_cfg, root))
    assert line.startswith(f'{path}: annotations[4] (id 5, image '
                           "'train/000004.jpg') has 67 keypoints")
    assert 'model.head.out_channels' in line


def test_98_point_config_on_68_point_data(base_cfg, tiny_synthface):
    """Config metainfo and head agree (98), the data do not: every
    annotation is a problem; the first few are listed, the rest counted."""
    problems = _problems(_cfg(base_cfg, tiny_synthface,
                              'model.head.out_channels=98'))
    train = [p for p in problems if TRAIN in p]
    assert len(train) == MAX_LISTED + 1
    assert 'has 68 keypoints (204 values), the model predicts 98' in train[0]
    assert train[-1].endswith(f'{12 - MAX_LISTED} more annotations with '
                              'another keypoint count')


def test_file_names_that_do_not_resolve(base_cfg, root):
    """``convert_300w.py --pts-dir`` output without ``--file-name-prefix``:
    file names relative to images/train, read through images/."""
    def strip(data):
        for im in data['images']:
            im['file_name'] = osp.basename(im['file_name'])
    path = _edit(root, TRAIN, strip)
    problems = _problems(_cfg(base_cfg, root))
    assert problems[0] == (
        f"{path}: file_name '000000.jpg' does not resolve: "
        f"{root}/images/000000.jpg is not a file. Set "
        "`train_dataloader.dataset.dataset.data_prefix.img` (now 'images/') "
        'to the folder the file names are relative to, or fix the file '
        'names.')


@pytest.mark.parametrize('ann_file, field', [(TEST, 'keypoints'),
                                             (TRAIN, 'center')])
def test_non_finite_coordinates(base_cfg, root, ann_file, field):
    ids = {TEST: 1000003, TRAIN: 3}
    def poison(data):
        data['annotations'][2][field][1] = float('nan')
    path = _edit(root, ann_file, poison)
    # the test file is read by the val and the test loader: listed once
    assert _problems(_cfg(base_cfg, root)) == [
        f'{path}: annotations[2] (id {ids[ann_file]}, image '
        f"'{'test' if ann_file == TEST else 'train'}/000002.jpg') has a "
        'non-finite or non-numeric keypoint, center, scale or bbox value '
        '(NaN, Infinity): fix or remove this entry.']


def test_truncated_annotation_file_names_file_and_position(base_cfg, root):
    path = osp.join(root, TEST)
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    problems = _problems(_cfg(base_cfg, root))
    assert problems[0].startswith(
        f'{path}: not valid JSON at line 1, column {len(data) // 2 + 1} '
        f'(byte {len(data) // 2} of {len(data) // 2})')
    assert '`val_dataloader.dataset.ann_file`' in problems[0]


def test_missing_subset_file(base_cfg, root):
    """The 300-W configs' ``valid_common`` / ``valid_challenge`` files are
    read at the first validation: without this check, after training."""
    import os
    os.remove(osp.join(root, 'annotations',
                       'face_landmarks_300w_valid_challenge.json'))
    problems = _problems(_cfg(base_cfg, root))
    assert problems[0] == (
        'val_evaluator.subsets.challenge: subset file '
        f'{root}/annotations/face_landmarks_300w_valid_challenge.json does '
        f"not exist; set `val_evaluator.data_root` (now '{root}/') or "
        '`val_evaluator.subsets.challenge`.')


def test_empty_unlabelled_pool(base_cfg, tiny_synthface):
    problems = _problems(_cfg(base_cfg, tiny_synthface,
                              'train_dataloader.dataset.split.ratio=1.0'))
    assert problems == [
        'train_dataloader.dataset.split.ratio=1.0 labels all 12 samples: '
        'the unlabelled rest is empty (a semi-supervised run needs '
        'unlabelled data)']


def test_read_json_names_the_file(tmp_path):
    path = tmp_path / 'boxes.json'
    path.write_text('{"a": [1, 2,\n  3')
    with pytest.raises(DataCheckError, match=rf'{path}: not valid JSON at '
                       r'line 2, column 4 .*`--boxes`'):
        read_json(str(path), '--boxes')


@pytest.mark.slow
def test_test_tool_refuses_a_nan_keypoint(tiny_synthface, tmp_path):
    """Before: exit 0 with NME ``nan`` and FR@10 90 %. Now: exit 1 before
    the Runner (which would load the checkpoint), naming the entry."""
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_synthface, root)
    path = _edit(root, TEST, lambda d: d['annotations'][0]['keypoints']
                 .__setitem__(0, float('nan')))
    proc = run_tool(['tools/test.py', SYNTH_CONFIG,
                     str(tmp_path / 'never_loaded.pth'),
                     '--work-dir', str(tmp_path / 'w'), '--cfg-options'] +
                    semi_data_opts(root)[1:])
    assert proc.returncode == 1
    assert f'ERROR: the data do not fit the config (1 problem(s)):\n  ' \
        f'{path}: annotations[0] (id 1000001, ' in proc.stderr
    assert 'Runner' not in proc.stdout + proc.stderr
