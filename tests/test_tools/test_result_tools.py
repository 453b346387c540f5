"""Looking at results: validation overlays through MMPose's visualizer, the
training-log plot, and ``tools/test.py --ced-dir / --worst``. The model is
the SynthFace demo config trained for 4 iterations (``tiny_hybridmatch`` in
conftest.py)."""
import glob
import json
import os.path as osp

import cv2
import mmengine
import numpy as np
import pytest

from tool_runner import SYNTH_CONFIG, run_tool

pytestmark = pytest.mark.slow  # every test runs a tool


def _val_line(work_dir):
    (log, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    with open(log) as f:
        return [ln for ln in f if 'Iter(val)' in ln and 'full/NME' in ln][-1]


def test_validation_writes_overlays_with_mmpose_visualizer(tiny_hybridmatch):
    images = glob.glob(osp.join(tiny_hybridmatch, '*', 'vis_data',
                                'vis_image', '*.png'))
    assert images, 'PoseVisualizationHook wrote no validation overlay'
    img = cv2.imread(images[0])
    assert img is not None and img.shape[0] >= 64


def test_plot_train_log(tiny_hybridmatch, tmp_path):
    out, series_file = tmp_path / 'log.png', tmp_path / 'log.json'
    proc = run_tool(['tools/analysis/plot_train_log.py', tiny_hybridmatch,
                     '--out', str(out), '--json', str(series_file)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert cv2.imread(str(out)) is not None
    series = json.loads(series_file.read_text())
    # logger interval 1: one point per iteration for every term
    for key in ('loss', 'sup_loss_2d', 'sup_loss_1d', 'unsup_loss_2d',
                'unsup_loss_1d', 'unsup_conf', 'lambda_u_1d', 'lr'):
        assert list(series[key]) == ['1', '2', '3', '4'], key
    # K = 0.1 x 4 iterations: the ramp is at lambda^1D from iteration 2
    assert series['lambda_u_1d']['1'] == 0.0
    assert series['lambda_u_1d']['4'] == 0.05
    # the validation at the end, placed at iteration 4, as in the log
    (nme, ) = series['full/NME'].values()
    assert list(series['full/NME']) == ['4']
    assert f'full/NME: {nme:.6f}' in _val_line(tiny_hybridmatch)


def test_plot_train_log_on_a_wrong_folder_is_a_clear_error(tmp_path):
    proc = run_tool(['tools/analysis/plot_train_log.py', str(tmp_path)])
    assert proc.returncode == 2
    assert 'no */vis_data/scalars.json' in proc.stderr


def test_test_tool_writes_ced_and_worst_faces(tiny_hybridmatch,
                                              tiny_synthface, tmp_path):
    """--worst 3: the three faces with the largest inter-ocular NME,
    recomputed here from the dumped predictions, worst first."""
    root = tiny_synthface + '/'
    dump = tmp_path / 'preds.pkl'
    proc = run_tool([
        'tools/test.py', SYNTH_CONFIG,
        osp.join(tiny_hybridmatch, 'iter_4.pth'), '--work-dir',
        str(tmp_path), '--dump', str(dump), '--ced-dir',
        str(tmp_path / 'ced'), '--worst', '3', '--cfg-options',
        f'test_dataloader.dataset.data_root={root}',
        f'test_evaluator.data_root={root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    ced = json.loads((tmp_path / 'ced' / 'ced.json').read_text())
    assert len(ced['subsets']['full']['errors']) == 6
    assert cv2.imread(str(tmp_path / 'ced' / 'ced.png')) is not None

    worst = json.loads((tmp_path / 'worst' / 'worst.json').read_text())
    assert worst['num_faces'] == 6
    assert [w['rank'] for w in worst['worst']] == [1, 2, 3]
    expected = {}
    for r in mmengine.load(str(dump)):
        pred = np.asarray(r['pred_instances']['keypoints'])[0]
        gt = np.asarray(r['gt_instances']['keypoints'])[0]
        iod = np.linalg.norm(gt[36] - gt[45])
        expected[r['img_path']] = 100 * np.linalg.norm(
            pred - gt, axis=1).mean() / iod
    top3 = sorted(expected.items(), key=lambda kv: -kv[1])[:3]
    for w, (path, nme) in zip(worst['worst'], top3):
        assert w['file'] == path
        assert abs(w['nme'] - nme) < 1e-3
    sheet = cv2.imread(str(tmp_path / 'worst' / 'worst.png'))
    assert sheet.shape == (256, 3 * 256, 3)


def test_test_tool_worst_dir_needs_worst(tmp_path):
    proc = run_tool(['tools/test.py', SYNTH_CONFIG, 'x.pth', '--worst-dir',
                     str(tmp_path)])
    assert proc.returncode != 0
    assert '--worst-dir needs --worst N' in proc.stderr


def test_print_metrics_beside_reference_figures(tmp_path):
    """``make demo``'s table: this run beside each (method, labels) group
    of a benchmark's runs, as the mean over its seeds."""
    metrics = tmp_path / 'metrics.json'
    metrics.write_text(json.dumps({'full/NME': 9.5, 'full/FR@10': 30.0,
                                   'full/AUC@10': 20.0}))
    runs = [dict(method='FSL-2D', labels='5%', seed=s, nme=n, fr10=40.0,
                 auc10=10.0, iters=600) for s, n in ((0, 12.0), (1, 13.0))]
    runs.append(dict(method='FSL-2D', labels='100%', seed=0, nme=8.0,
                     fr10=20.0, auc10=30.0, iters=600))
    ref = tmp_path / 'ref.json'
    ref.write_text(json.dumps(runs))
    proc = run_tool(['tools/misc/print_metrics.py', str(metrics),
                     '--reference', str(ref)])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert '| this run | 9.50 | 30.00 | 20.00 |' in out
    assert '| reference: FSL-2D, 5% labels | 12.50 |' in out
    assert '0: 12.00, 1: 13.00' in out
    assert '| reference: FSL-2D, 100% labels | 8.00 |' in out
    assert 'not this run' in out
    missing = run_tool(['tools/misc/print_metrics.py', str(metrics),
                        '--reference', str(tmp_path / 'none.json')])
    assert missing.returncode == 0 and 'no reference figures' in \
        missing.stdout
