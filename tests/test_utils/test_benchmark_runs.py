"""hybridmatch_mmpose.utils.benchmark_runs: the run layout, metrics, the
validation curve of a scalars.json and the table cells."""
import json

from hybridmatch_mmpose.utils.benchmark_runs import (fmt, metrics_of,
                                                     run_dir,
                                                     validation_curve)


def test_validation_curve_reads_the_predicting_models_nme(tmp_path):
    vis = tmp_path / 'run' / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    rows = [dict(loss=1.0, iter=1, step=1),
            {'NME': 9.0, 'full/NME': 9.0, 'student/full/NME': 9.5,
             'step': 0},
            dict(loss=0.5, iter=2, step=2),
            {'NME': 7.0, 'full/NME': 7.0, 'student/full/NME': 8.0,
             'step': 0}]
    (vis / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in rows) + '\n')
    assert validation_curve(str(tmp_path / 'run'), 500) == [(500, 9.0),
                                                           (1000, 7.0)]


def test_metrics_of_a_finished_run_only(tmp_path):
    work = str(tmp_path / 'work')
    assert metrics_of(work, 'hm', 1) is None
    d = tmp_path / 'work' / 'hm' / 'seed1'
    d.mkdir(parents=True)
    (d / 'metrics.json').write_text('{"full/NME": 6.5}')
    assert run_dir(work, 'hm', 1) == str(d)
    assert metrics_of(work, 'hm', 1) == {'full/NME': 6.5}


def test_cells():
    assert fmt([]) == '-'
    assert fmt([6.125]) == '6.12'
    assert fmt([6.0, 7.0, 8.0]) == '7.00 (6.00, 7.00, 8.00)'
