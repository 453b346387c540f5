"""``tools/benchmarks/label_fraction_gap.py``: the schedule options and the
gap along the schedule read back from mmengine's ``scalars.json``."""
import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# as when the script runs: its folder is on sys.path (ablations_synthface)
sys.path.insert(0, str(REPO / 'tools' / 'benchmarks'))
spec = importlib.util.spec_from_file_location(
    'label_fraction_gap', REPO / 'tools' / 'benchmarks' /
    'label_fraction_gap.py')
gap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gap)


def _run(root: Path, stamp: str, nmes):
    """A work dir as mmengine leaves it: training scalars with their step,
    validation scalars with step 0 (mmengine's own behaviour)."""
    vis = root / stamp / 'vis_data'
    vis.mkdir(parents=True)
    lines = []
    for i, nme in enumerate(nmes):
        lines.append(dict(loss=0.1, step=(i + 1) * 100))
        lines.append({'full/NME': nme, 'common/NME': nme - 1, 'step': 0})
    (vis / 'scalars.json').write_text(
        '\n'.join(json.dumps(x) for x in lines) + '\n')


def test_schedule_options_scale_with_the_budget():
    opts = gap.schedule_opts(3000, 500)
    assert 'train_cfg.max_iters=3000' in opts
    assert 'train_cfg.val_interval=500' in opts
    assert 'param_scheduler.1.milestones=[1800,2700]' in opts
    assert 'train_cfg.val_interval=1200' in gap.schedule_opts(1200)


def test_validation_curve_uses_the_newest_run_and_validation_order(tmp_path):
    full, low = tmp_path / '100pct', tmp_path / '5pct'
    _run(full, '20260101_000000', [99.0, 99.0])  # an older run: ignored
    _run(full, '20260102_000000', [10.0, 8.0, 5.0])
    _run(low, '20260102_000000', [10.0, 9.0, 7.5])
    assert gap.validation_curve(str(full), 500) == [
        (500, 10.0), (1000, 8.0), (1500, 5.0)]
    table = gap.curve_lines({'100 %': str(full), '5 %': str(low)}, 500)
    rows = [r for r in table if r.startswith('| ') and r[2].isdigit()]
    assert rows == ['| 500 | 10.00 | 10.00 | +0.0 % |',
                    '| 1000 | 8.00 | 9.00 | +12.5 % |',
                    '| 1500 | 5.00 | 7.50 | +50.0 % |']
    empty = tmp_path / 'not_trained'
    empty.mkdir()
    assert gap.validation_curve(str(empty), 500) == []
