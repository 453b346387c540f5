"""``tools/benchmarks/semi_benchmark.py``: the controlled comparisons share
what they must, each run's command line, and the table / JSON written from
finished runs (fake ``metrics.json`` files, no training)."""
import json
import shlex
import sys
from argparse import Namespace
from pathlib import Path

from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tools' / 'benchmarks'))
import semi_benchmark as bench  # noqa: E402
from tool_runner import with_cfg_options  # noqa: E402


def _options(row):
    return dict(o.split('=', 1) for o in row.opts)


def test_recipe_rows_change_one_factor_of_one_written_out_recipe():
    rows = bench.SUITES['recipe'].rows
    base = _options(rows['hm'])
    for key, row in rows.items():
        opts = _options(row)
        # every row trains on helen_train_fit and tests on helen_val, at
        # the key its config's training set has
        cfg = Config.fromfile(str(REPO / row.config))
        val = bench.VAL if 'dataset' in cfg.train_dataloader.dataset \
            else bench.VAL100
        for o in val:
            assert o in row.opts, (key, o)
        if row.method != 'HybridMatch':
            continue
        # the faces per step are written out, whatever the config's default
        assert _per_step(_config(row)) == {
            'u16': (8, 16), 'l16': (16, 16),
            'u16joint': (8, 16)}.get(key, (8, 8))
        if key == 'hm':
            continue
        # u16joint changes one factor of u16
        ref = _options(rows['u16']) if key == 'u16joint' else base
        changed = {k for k in ref if opts.get(k) != ref[k]}
        changed |= set(opts) - set(ref)
        assert changed, key
        if key == 'paper':
            assert len(changed) == 2  # burn-in and label position
        elif key in ('u16', 'l16'):
            assert changed <= {'train_dataloader.batch_size',
                               'train_dataloader.sampler.batch_size',
                               'train_dataloader.sampler.source_ratio'}
        else:
            assert len(changed) == 1, (key, changed)


def _config(row):
    """The row's config with its options applied as ``tools/train.py``
    applies ``--cfg-options``."""
    return with_cfg_options(Config.fromfile(str(REPO / row.config)),
                            row.opts)


def _per_step(cfg):
    """``(labelled, unlabelled)`` faces per step of a semi-supervised
    config, checked against its batch size."""
    loader = cfg.train_dataloader
    labelled, unlabelled = loader.sampler.source_ratio
    assert loader.batch_size == loader.sampler.batch_size == \
        labelled + unlabelled
    return labelled, unlabelled


def test_real_face_rows_share_the_split_and_schedule():
    rows = bench.SUITES['real_faces'].rows
    for tag in ('5', '10', '20', '50img'):
        fsl = Config.fromfile(str(REPO / rows[f'fsl_{tag}'].config))
        hm = Config.fromfile(str(REPO / rows[f'hm_{tag}'].config))
        assert fsl.train_dataloader.dataset.split == \
            hm.train_dataloader.dataset.split
        assert fsl.train_cfg == hm.train_cfg
    mt = Config.fromfile(str(REPO / rows['mt_5'].config))
    hm = Config.fromfile(str(REPO / rows['hm_5'].config))
    assert mt.train_dataloader.dataset.split == \
        hm.train_dataloader.dataset.split
    assert mt.train_cfg == hm.train_cfg
    # the headline row is the config as shipped: FSL-2D's 8 labelled faces
    # + 16 unlabelled per step, one joint student forward; the rows run
    # before those defaults pin 8 + 8 and two forwards
    labelled = Config.fromfile(str(REPO / rows['fsl_5'].config)) \
        .train_dataloader.batch_size
    assert rows['hmjoint_5'].config == rows['hm_5'].config
    assert rows['hmjoint_5'].opts == []
    shipped = _config(rows['hmjoint_5'])
    assert _per_step(shipped) == (labelled, 16)
    assert shipped.model.semi_train_cfg.joint_student_forward is True
    for key in ('hm_5', 'hm_10', 'hm_20', 'hm_50img', 'hmlu0_5', 'hmu16_5'):
        cfg = _config(rows[key])
        assert cfg.model.semi_train_cfg.joint_student_forward is False, key
        assert _per_step(cfg) == (
            labelled, 16 if key == 'hmu16_5' else 8), key
    assert rows['hmu16_5'].config == rows['hmjoint_5'].config
    assert rows['hmu16_5'].opts == bench.TWO_FORWARDS
    assert rows['hmlu0_5'].config == rows['hm_5'].config
    assert _options(rows['hmlu0_5']) == dict(
        _options(rows['hm_5']), **{'model.semi_train_cfg.lambda_u': '0.0'})


def test_run_command_trains_resumably_then_tests_the_last_checkpoint():
    row = bench.SUITES['recipe'].rows['noburn']
    line = bench.script_for(row, 2, 'work_dirs/x/noburn/seed2')
    train, test = line.split(' && ')
    train = shlex.split(train)
    assert train[1:3] == ['tools/train.py', row.config]
    assert '--resume' in train and 'randomness.seed=2' in train
    assert 'model.semi_train_cfg.burn_in_iters=0' in train
    assert '"$(cat work_dirs/x/noburn/seed2/last_checkpoint)"' in test
    assert 'model.semi_train_cfg.burn_in_iters=0' in test
    assert 'test_evaluator.ced_dir=work_dirs/x/noburn/seed2/test/ced' in test


def _finished(work, key, seed, nme):
    d = Path(work) / key / f'seed{seed}'
    d.mkdir(parents=True)
    (d / 'metrics.json').write_text(json.dumps(
        {'full/NME': nme, 'full/FR@10': nme * 2, 'full/AUC@10': 50 - nme}))


def test_report_table_gap_and_json(tmp_path):
    work = tmp_path / 'work'
    for seed, (fsl, hm) in enumerate(((8.0, 6.0), (8.4, 6.2), (7.6, 6.4))):
        _finished(work, 'fsl_5', seed, fsl)
        _finished(work, 'hmjoint_5', seed, hm)
    _finished(work, 'fsl_100', 0, 5.0)
    out = tmp_path / 'real_faces.md'
    args = Namespace(work_dir=str(work), seeds=[0, 1, 2], out=str(out))
    text = bench.write_report('real_faces', args)
    assert text == out.read_text()
    assert '| FSL-2D, 5% | `fsl_5` | 3 | 8.00 (8.00, 8.40, 7.60) |' in text
    assert ('| HybridMatch, 5% | `hmjoint_5` | 3 | 6.20 (6.00, 6.20, 6.40) |'
            in text)
    # (8.0 - 6.2) / (8.0 - 5.0) = 60 %
    assert '(`hmjoint_5`): 60.0 % (8.00 -> 6.20; all labels 5.00)' in text
    assert ('(`hmjoint_5`) minus `fsl_5`: -2.00 (seed 0), -2.20 (seed 1), '
            '-1.20 (seed 2); mean -1.80') in text
    runs = json.loads((tmp_path / 'real_faces.json').read_text())
    assert len(runs) == 7
    hm1 = next(r for r in runs if r['key'] == 'hmjoint_5' and r['seed'] == 1)
    assert hm1['method'] == 'HybridMatch' and hm1['labels'] == '5%'
    assert hm1['test'] == 'afw' and hm1['nme'] == 6.2
    assert hm1['fr10'] == 12.4 and hm1['auc10'] == 43.8
    assert hm1['iters'] == 3000
    assert hm1['config'].startswith('configs/300w_afw_helen/hybridmatch_')


def test_recipe_table_shows_what_each_row_changes(tmp_path):
    """A recipe row's options cell holds what it changes, not the
    validation split or the written-out starting recipe; an FSL-2D row
    keeps its own batch size even where it equals the recipe's."""
    work = tmp_path / 'work'
    for key, nme in (('fsl', 6.4), ('fsl16', 6.8), ('hm', 5.7),
                     ('lu2', 5.8)):
        _finished(work, key, 0, nme)
    args = Namespace(work_dir=str(work), seeds=[0],
                     out=str(tmp_path / 'recipe.md'))
    lines = {line.split('`')[1]: line for line in bench.write_report(
        'recipe', args).splitlines() if line.startswith('| ') and '`' in line}
    cells = {k: line.rsplit('|', 2)[1].strip() for k, line in lines.items()}
    fsl = '`fsl-2d_afw-helen-5pct-64x64_cpu.py`'
    assert cells['fsl'] == fsl
    assert cells['fsl16'] == fsl + ' `train_dataloader.batch_size=16`'
    assert cells['hm'] == '`hybridmatch_afw-helen-5pct-64x64_cpu.py`'
    assert cells['lu2'] == cells['hm'] + ' `model.semi_train_cfg.lambda_u=2.0`'


def test_written_notes_survive_regeneration(tmp_path):
    work = tmp_path / 'work'
    _finished(work, 'fsl_5', 0, 8.0)
    out = tmp_path / 'real_faces.md'
    args = Namespace(work_dir=str(work), seeds=[0], out=str(out))
    bench.write_report('real_faces', args)
    notes = f'{bench.NOTES_MARK}\n\n## Reading the table\n\nWritten text.\n'
    out.write_text(out.read_text() + '\n' + notes)
    _finished(work, 'hmjoint_5', 0, 6.0)
    text = bench.write_report('real_faces', args)
    assert '| HybridMatch, 5% | `hmjoint_5` | 1 | 6.00 |' in text
    assert text.endswith(notes) and text.count(bench.NOTES_MARK) == 1


def test_recorded_runs_stand_in_for_run_folders_a_clone_lacks(tmp_path):
    work = tmp_path / 'work'
    for seed, (fsl, hm) in enumerate(((8.0, 6.0), (8.4, 6.2), (7.6, 6.4))):
        _finished(work, 'fsl_5', seed, fsl)
        _finished(work, 'hmu16_5', seed, hm)
    out = tmp_path / 'real_faces.md'
    bench.write_report('real_faces', Namespace(
        work_dir=str(work), seeds=[0, 1, 2], out=str(out)))
    # a fresh clone: the page's JSON, no run folders; one new run, seed 0
    fresh = tmp_path / 'fresh'
    _finished(fresh, 'hm_10', 0, 7.0)
    args = Namespace(work_dir=str(fresh), seeds=[0], out=str(out),
                     suite='real_faces')
    text = bench.write_report('real_faces', args)
    assert '| FSL-2D, 5% | `fsl_5` | 3 | 8.00 (8.00, 8.40, 7.60) |' in text
    assert '| HybridMatch 8 + 8 per step, 10% | `hm_10` | 1 | 7.00 |' in text
    assert '--suite real_faces --seeds 0 1 2`' in text
    runs = json.loads((tmp_path / 'real_faces.json').read_text())
    assert len(runs) == 7
    # recorded runs are not queued again; the others are
    assert bench.pending_runs(args, ['fsl_5', 'hm_10', 'fsl_10']) == \
        [('fsl_10', 0)]
    # a recorded run whose options are no longer the row's does not count
    runs[0]['options'] = ['model.semi_train_cfg.lambda_u=2.0']
    (tmp_path / 'real_faces.json').write_text(json.dumps(runs))
    assert ('fsl_5', 0) not in bench.recorded_runs('real_faces', args)
    assert ('fsl_5', 1) in bench.recorded_runs('real_faces', args)


def test_committed_runs_match_their_rows():
    """Every run the committed pages record still names its row's config
    and options: else a clone regenerating a page would drop it."""
    args = Namespace(out=None)
    for name in ('real_faces', 'recipe', 'synthface'):
        path = Path(bench._page_json(name, args))
        runs = {(e['key'], e['seed']) for e in json.loads(path.read_text())}
        assert runs, path
        assert runs - set(bench.recorded_runs(name, args)) == set(), name
