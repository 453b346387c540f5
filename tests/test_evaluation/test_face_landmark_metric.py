"""FaceLandmarkMetric against independent computations."""
import json

import numpy as np
import pytest

from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import (
    FaceLandmarkMetric, auc_at, failure_rate_at, format_metrics_table)
from mmpose.registry import METRICS

# numpy 2 renamed trapz (deprecated there) to trapezoid
_trapezoid = getattr(np, 'trapezoid', None) or np.trapz


def _samples(rng, n, k=68):
    gt = rng.uniform(20, 200, size=(n, k, 2))
    pred = gt + rng.normal(0, 3, size=(n, k, 2)) * rng.uniform(0.2, 6,
                                                                (n, 1, 1))
    samples = []
    for i in range(n):
        samples.append(
            dict(
                id=100 + i,
                pred_instances=dict(keypoints=pred[i:i + 1]),
                gt_instances=dict(
                    keypoints=gt[i:i + 1],
                    keypoints_visible=np.ones((1, k)),
                    bboxes=np.array([[10., 20., 110., 160.]]))))
    return gt, pred, samples


def _write_subset(path, ids):
    path.write_text(json.dumps(dict(annotations=[dict(id=i) for i in ids])))


def test_registered():
    assert METRICS.get('FaceLandmarkMetric') is FaceLandmarkMetric


def test_nme_fr_auc_per_subset_match_a_loop(tmp_path):
    rng = np.random.default_rng(0)
    gt, pred, samples = _samples(rng, 40)
    _write_subset(tmp_path / 'common.json', range(100, 130))
    _write_subset(tmp_path / 'challenge.json', range(130, 140))
    metric = FaceLandmarkMetric(
        data_root=str(tmp_path),
        subsets=dict(common='common.json', challenge='challenge.json'))
    metric.dataset_meta = dict(dataset_name='300w')
    metric.process([], samples[:25])
    metric.process([], samples[25:])
    out = metric.compute_metrics(metric.results)

    # independent: plain loops, outer eye corners 36 / 45
    errors = []
    for g, p in zip(gt, pred):
        iod = np.hypot(*(g[36] - g[45]))
        errors.append(
            np.mean([np.hypot(*(p[k] - g[k])) for k in range(68)]) / iod)
    errors = np.array(errors)
    for name, sel in dict(full=slice(0, 40), common=slice(0, 30),
                          challenge=slice(30, 40)).items():
        e = errors[sel]
        assert out[f'{name}/NME'] == pytest.approx(100 * e.mean(), rel=1e-6)
        assert out[f'{name}/FR@10'] == pytest.approx(100 * np.mean(e > 0.1))
        # AUC: numeric integral of the sampled CED curve over [0, 0.1]
        xs = np.linspace(0, 0.1, 100001)
        ced = (e[None, :] <= xs[:, None]).mean(1)
        assert out[f'{name}/AUC@10'] == pytest.approx(
            100 * _trapezoid(ced, xs) / 0.1, abs=1e-3)
    assert out['NME'] == out['full/NME']
    assert 0 < out['full/FR@10'] < 100  # the data exercise both branches
    assert '| challenge |' in format_metrics_table(out)


def test_bbox_size_normalisation_for_aflw():
    rng = np.random.default_rng(1)
    gt, pred, samples = _samples(rng, 5, k=19)
    metric = FaceLandmarkMetric(norm_mode='use_norm_item',
                                norm_item='bbox_size')
    metric.dataset_meta = dict(dataset_name='aflw')
    metric.process([], samples)
    out = metric.compute_metrics(metric.results)
    box = 140.  # max(w, h) of [10, 20, 110, 160]
    expected = np.mean(np.linalg.norm(pred - gt, axis=-1).mean(1) / box)
    assert out['full/NME'] == pytest.approx(100 * expected)


def test_invisible_keypoints_are_ignored():
    rng = np.random.default_rng(2)
    gt, pred, samples = _samples(rng, 3)
    for s in samples:
        s['gt_instances']['keypoints_visible'][0, 60:] = 0
        s['pred_instances']['keypoints'][0, 60:] += 1e4  # must not count
    metric = FaceLandmarkMetric()
    metric.dataset_meta = dict(dataset_name='300w')
    metric.process([], samples)
    out = metric.compute_metrics(metric.results)
    iod = np.linalg.norm(gt[:, 36] - gt[:, 45], axis=-1)
    expected = (np.linalg.norm(pred - gt, axis=-1)[:, :60].mean(1) /
                iod).mean()
    assert out['full/NME'] == pytest.approx(100 * expected)


def test_closed_form_auc_and_failure_rate():
    e = np.array([0.0, 0.05, 0.1, 0.2])
    assert auc_at(e, 0.1) == pytest.approx((1 + 0.5 + 0 + 0) / 4)
    assert failure_rate_at(e, 0.1) == pytest.approx(0.25)


def test_missing_subset_file_names_it(tmp_path):
    metric = FaceLandmarkMetric(
        data_root=str(tmp_path), subsets=dict(common='nope.json'))
    with pytest.raises(FileNotFoundError, match='nope.json'):
        metric._load_subsets()


def test_bad_threshold():
    with pytest.raises(ValueError, match='threshold'):
        FaceLandmarkMetric(threshold=0)


def test_ced_dir_writes_sorted_errors_and_a_plot(tmp_path):
    rng = np.random.default_rng(1)
    gt, pred, samples = _samples(rng, 20)
    _write_subset(tmp_path / 'common.json', range(100, 110))
    metric = FaceLandmarkMetric(data_root=str(tmp_path),
                                subsets=dict(common='common.json'),
                                ced_dir=str(tmp_path / 'ced'))
    metric.dataset_meta = dict(dataset_name='300w')
    metric.process([], samples)
    out = metric.compute_metrics(metric.results)
    record = json.loads((tmp_path / 'ced' / 'ced.json').read_text())
    assert record['threshold'] == 10
    for name, n in (('full', 20), ('common', 10)):
        e = np.array(record['subsets'][name]['errors'])
        assert len(e) == n and np.all(np.diff(e) >= 0)
        assert e.mean() == pytest.approx(out[f'{name}/NME'], rel=1e-9)
        assert 100 * auc_at(e / 100, 0.1) == pytest.approx(
            out[f'{name}/AUC@10'], rel=1e-9)
    assert set(record['subsets']['common']['ids']) == set(range(100, 110))
    png = (tmp_path / 'ced' / 'ced.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 5000


def test_fr_and_auc_count_a_non_finite_error_as_a_failure():
    errors = np.array([0.01, np.nan, 0.2, np.inf])
    assert failure_rate_at(errors, 0.1) == 0.75  # only 0.01 succeeds
    # only 0.01 lies under the CED: (1 - 0.01 / 0.1) / 4
    assert auc_at(errors, 0.1) == pytest.approx(0.9 / 4)


def _metric_on(samples):
    metric = FaceLandmarkMetric()
    metric.dataset_meta = dict(dataset_name='300w')
    metric.process([], samples)
    return metric


@pytest.mark.parametrize('where, value, match', [
    ('gt_instances', np.nan, r'1 of 6 faces have non-finite ground-truth '
     r'keypoints \(NaN or Inf\): id 103 \(face_103\.jpg\)'),
    ('pred_instances', np.inf, r'1 of 6 faces have non-finite predicted '
     r'keypoints.*id 103'),
])
def test_non_finite_keypoints_are_refused_naming_the_face(where, value,
                                                          match):
    """MMPose's NME would report nan (and FR would count the face as a
    success); one NaN coordinate is enough to stop."""
    from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import \
        NonFiniteKeypointsError
    _, _, samples = _samples(np.random.default_rng(2), 6)
    for s in samples:
        s['img_path'] = f"face_{s['id']}.jpg"
    samples[3][where]['keypoints'][0, 17, 1] = value
    metric = _metric_on(samples)
    with pytest.raises(NonFiniteKeypointsError, match=match):
        metric.compute_metrics(metric.results)


def test_invisible_non_finite_ground_truth_is_ignored():
    def nme(samples):
        metric = _metric_on(samples)
        return metric.compute_metrics(metric.results)['full/NME']

    _, _, samples = _samples(np.random.default_rng(2), 6)
    reference = nme(samples)
    samples[3]['gt_instances']['keypoints'][0, 17] = np.nan
    samples[3]['gt_instances']['keypoints_visible'][0, 17] = 0
    out = nme(samples)  # face 3 now averages 67 keypoints
    assert np.isfinite(out) and out != reference


@pytest.mark.parametrize('change, match', [
    ('eyes', r'normaliser \(keypoint_distance\) that is zero'),
    ('invisible', 'have no visible keypoint'),
])
def test_faces_that_cannot_be_scored_are_refused(change, match):
    """A zero inter-ocular distance or a face without a visible keypoint
    gives MMPose's distance function no valid keypoint, which the mean
    would score as a perfect face (error 0)."""
    from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import \
        NonFiniteKeypointsError
    _, _, samples = _samples(np.random.default_rng(3), 4)
    gt = samples[1]['gt_instances']
    if change == 'eyes':
        gt['keypoints'][0, 45] = gt['keypoints'][0, 36]
    else:
        gt['keypoints_visible'][:] = 0
    metric = _metric_on(samples)
    with pytest.raises(NonFiniteKeypointsError, match=match + '.*id 101'):
        metric.compute_metrics(metric.results)
