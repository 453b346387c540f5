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


def _log(folder, rows):
    """One timestamped folder's ``scalars.json``: ``int`` rows are training
    entries at that iteration (mmengine writes ``iter`` and ``step``),
    ``float`` rows validations (``step`` 0)."""
    vis = folder / 'vis_data'
    vis.mkdir(parents=True)
    lines = [dict(loss=1.0, iter=r, step=r) if isinstance(r, int) else
             {'full/NME': r, 'step': 0} for r in rows]
    (vis / 'scalars.json').write_text(
        '\n'.join(json.dumps(x) for x in lines) + '\n')


def test_validation_curve_joins_a_resumed_run_and_drops_a_restarted_one(
        tmp_path):
    run = tmp_path / 'run'
    # killed after the checkpoint at 2,000, before its validation; resumed
    _log(run / '20260101_000000',
         [50, 500, 9.0, 550, 1000, 8.0, 1500, 7.0, 1550, 2000])
    _log(run / '20260101_010000', [2050, 2500, 6.5, 3000, 6.0])
    assert validation_curve(str(run), 500) == [
        (500, 9.0), (1000, 8.0), (1500, 7.0), (2500, 6.5), (3000, 6.0)]
    # a run started afresh in a newer folder replaces the older one
    _log(run / '20260102_000000', [50, 500, 5.0, 550, 1000, 4.0])
    assert validation_curve(str(run), 500) == [(500, 5.0), (1000, 4.0)]
    # resumed at 1,000 after a validation there: nothing is counted twice
    _log(run / '20260102_010000', [1050, 1500, 3.0])
    assert validation_curve(str(run), 500) == [(500, 5.0), (1000, 4.0),
                                               (1500, 3.0)]


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
