"""Controlled semi-supervised comparisons: each row is a config plus
``--cfg-options``, trained with ``tools/train.py`` and its *last*
checkpoint tested with ``tools/test.py`` (semi-supervised rows: the EMA
teacher), for every seed.

Suites (``--suite``):

- ``real_faces``: the headline table. Real 300-W faces (``make
  data-real``): HELEN-train labelled at 5 % / 10 % / 20 % / 50 faces (split
  seed 0, the rest unlabelled), tested on AFW. Rows: MMPose's stock
  heatmap model on the labelled faces only (FSL-2D), HybridMatch as its
  configs ship (8 labelled + 16 unlabelled faces per step, one joint
  student forward), HybridMatch with two student forwards, with 8 + 8,
  the latter also with ``lambda_u = 0`` (the same model and teacher
  without unlabelled data), and FSL-2D on all 870 faces. Every
  row shares the split, the weak geometry, the labelled faces per step
  and the iterations. Writes
  ``docs/results/real_faces.md``, ``real_faces.json`` (one entry per run),
  a CED plot and an NME-vs-iteration plot (validation on AFW every 500
  iterations: monitoring only, never used to choose anything).
- ``recipe``: the factors of the semi-supervised recipe, one changed per
  row, on a validation split carved from HELEN-train
  (``helen_train_fit`` for training, ``helen_val`` for testing; AFW is
  never read). Writes ``docs/results/real_faces_recipe.md``.
- ``synthface``: the same comparison on SynthFace-68 at ``make demo``'s
  schedule (the reference figures ``make demo`` prints beside its own).
  Writes ``docs/results/synthface_reference.md`` and ``.json``.
- ``synthface_investigation``: earlier controlled variants of the SynthFace
  CPU configs (``docs/results/ssl_investigation.md``).

Runs go ``--jobs`` at a time, each process on one thread (more processes
than cores make every run 5-20x slower), and resume: a run whose
``metrics.json`` exists is not repeated; a killed run restarts from its
last checkpoint. The tables are rewritten after every finished run::

    python tools/benchmarks/semi_benchmark.py --suite real_faces \\
        --seeds 0 1 2 --only fsl_5 hmjoint_5
    python tools/benchmarks/semi_benchmark.py --suite recipe --seeds 0
"""
import argparse
import glob
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
from collections import OrderedDict, namedtuple

import numpy as np

from hybridmatch_mmpose.utils.benchmark_runs import (SUBSETS, fmt,
                                                     metrics_of, run_dir,
                                                     run_queue,
                                                     validation_curve)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
COMMAND = 'python tools/benchmarks/semi_benchmark.py'

#: One row: ``method`` and ``labels`` name it in the JSON, ``opts`` are
#: ``--cfg-options`` for training and testing.
Row = namedtuple('Row', 'name method labels config opts')

REAL = 'configs/300w_afw_helen/{}_afw-helen-{}-64x64_cpu.py'
HM5 = REAL.format('hybridmatch', '5pct')
LU0 = ['model.semi_train_cfg.lambda_u=0.0']
#: one student forward per branch (labelled, strong), the estimator's own
#: default; the real-face configs take one joint forward
TWO_FORWARDS = ['model.semi_train_cfg.joint_student_forward=False']


def _steps(labelled, unlabelled):
    """Options for ``labelled`` + ``unlabelled`` faces per step."""
    n = labelled + unlabelled
    return [f'train_dataloader.batch_size={n}',
            f'train_dataloader.sampler.batch_size={n}',
            f'train_dataloader.sampler.source_ratio=[{labelled},{unlabelled}]']


#: 8 labelled + 8 unlabelled faces per step, the CPU base's default (the
#: real-face configs take 8 + 16)
STEPS88 = _steps(8, 8)


def _real_rows():
    """The headline rows. HybridMatch's configs take 8 labelled + 16
    unlabelled faces per step and one joint student forward; the rows run
    before those defaults pin them (``hm_*``, ``hmlu0_5``: 8 + 8 and two
    forwards; ``hmu16_5``: two forwards) so that they keep their
    meaning."""
    rows = OrderedDict()
    rows['fsl_5'] = Row('FSL-2D, 5%', 'FSL-2D', '5%',
                        REAL.format('fsl-2d', '5pct'), [])
    rows['hmjoint_5'] = Row('HybridMatch, 5%', 'HybridMatch', '5%', HM5, [])
    for tag, labels in (('5pct', '5%'), ('10pct', '10%'), ('20pct', '20%'),
                        ('50img', '50')):
        key = tag.replace('pct', '')
        shown = labels if labels.endswith('%') else f'{labels} faces'
        if key != '5':
            rows[f'fsl_{key}'] = Row(f'FSL-2D, {shown}', 'FSL-2D', labels,
                                     REAL.format('fsl-2d', tag), [])
        rows[f'hm_{key}'] = Row(f'HybridMatch 8 + 8 per step, {shown}',
                                'HybridMatch 8+8 per step', labels,
                                REAL.format('hybridmatch', tag),
                                STEPS88 + TWO_FORWARDS)
    rows['hmlu0_5'] = Row('HybridMatch 8 + 8 per step, lambda_u = 0, 5%',
                          'HybridMatch 8+8 per step lambda_u=0', '5%', HM5,
                          STEPS88 + TWO_FORWARDS + LU0)
    # the default before the joint forward: one student forward per branch
    rows['hmu16_5'] = Row('HybridMatch, two student forwards, 5%',
                          'HybridMatch two student forwards', '5%', HM5,
                          TWO_FORWARDS)
    rows['mt_5'] = Row('Mean teacher (stock HeatmapHead), 5%',
                       'MeanTeacher-2D', '5%',
                       REAL.format('mean-teacher-2d', '5pct'), [])
    rows['fsl_100'] = Row('FSL-2D, 100%', 'FSL-2D', '100%',
                          REAL.format('fsl-2d', '100pct'), [])
    return rows


# validation split: train on helen_train_fit, test on helen_val
VAL = ['train_dataloader.dataset.dataset.ann_file='
       'annotations/helen_train_fit.json',
       'val_dataloader.dataset.ann_file=annotations/helen_val.json',
       'test_dataloader.dataset.ann_file=annotations/helen_val.json']
# the same for a config that trains on the plain (unwrapped) data set
VAL100 = [VAL[0].replace('.dataset.dataset.', '.dataset.')] + VAL[1:]


#: The recipe every ``recipe`` row starts from, written out so that a row
#: keeps its meaning when a config default changes: burn-in of 500 of the
#: 3,000 iterations, sub-pixel hard labels, lambda_u 1 at once, EMA momentum
#: 0.0039, 8 labelled + 8 unlabelled faces per step, RandAugment with 2 ops
#: + Cutout, one student forward per branch, pseudo-labels from the teacher
#: on the weak view alone.
STC = 'model.semi_train_cfg.'
STRONG = 'train_dataloader.dataset.unsup_pipeline.0.unsup_student.'
RECIPE = [f'{STC}burn_in_iters=500', f'{STC}hard_label_position=subpixel',
          f'{STC}lambda_u=1.0', f'{STC}lambda_u_ramp_iters=0',
          f'{STC}pseudo_label=hard', *TWO_FORWARDS,
          f'{STC}teacher_flip_test=False',
          'custom_hooks.1.momentum=0.0039'] + STEPS88


def _recipe_rows():
    def hm(name, *changes):
        keys = [c.split('=', 1)[0] for c in changes]
        opts = [o for o in RECIPE if o.split('=', 1)[0] not in keys]
        return Row(name, 'HybridMatch', '5%', HM5, VAL + opts + list(changes))

    fsl = REAL.format('fsl-2d', '5pct')
    return OrderedDict([
        ('fsl', Row('FSL-2D', 'FSL-2D', '5%', fsl, VAL)),
        ('fsl100', Row('FSL-2D, all of helen_train_fit', 'FSL-2D', '100%',
                       REAL.format('fsl-2d', '100pct'), VAL100)),
        ('hm', hm('HybridMatch, the starting recipe')),
        ('lu0', hm('lambda_u = 0', f'{STC}lambda_u=0.0')),
        ('noburn', hm('no burn-in', f'{STC}burn_in_iters=0')),
        ('argmax', hm('whole-cell argmax hard labels',
                      f'{STC}hard_label_position=argmax')),
        ('paper', hm('the paper: no burn-in, argmax labels',
                     f'{STC}burn_in_iters=0',
                     f'{STC}hard_label_position=argmax')),
        ('soft', hm('soft labels', f'{STC}pseudo_label=soft')),
        ('student', hm('pseudo-labels from the student (EMA momentum 1)',
                       'custom_hooks.1.momentum=1.0')),
        ('ema_slow', hm('EMA momentum 0.001',
                        'custom_hooks.1.momentum=0.001')),
        ('lu05', hm('lambda_u = 0.5', f'{STC}lambda_u=0.5')),
        ('lu2', hm('lambda_u = 2', f'{STC}lambda_u=2.0')),
        ('ramp', hm('lambda_u ramped over 500 iterations',
                    f'{STC}lambda_u_ramp_iters=500')),
        ('aug1', hm('strong view: 1 RandAugment op (not 2)',
                    f'{STRONG}0.aug_num=1')),
        ('u16', hm('8 labelled + 16 unlabelled per step', *_steps(8, 16))),
        ('l16', hm('16 labelled + 16 unlabelled per step', *_steps(16, 16))),
        ('fsl16', Row('FSL-2D, 16 labelled per step', 'FSL-2D', '5%', fsl,
                      VAL + ['train_dataloader.batch_size=16'])),
        ('tflip', hm('pseudo-labels from the flip-averaged teacher',
                     f'{STC}teacher_flip_test=True')),
        ('joint', hm('one joint student forward',
                     f'{STC}joint_student_forward=True')),
        ('u16joint', hm('8 + 16 per step, one joint student forward',
                        *_steps(8, 16), f'{STC}joint_student_forward=True')),
    ])


SYN = 'configs/synthface/{}_synthface-{}-64x64_cpu.py'
# the SynthFace FSL-2D configs train the heatmap half of HybridMatchHead
# (the stock head's layers, 1-D loss weight 0, 2-D decoding); here with the
# semi-supervised config's 8 labelled faces per step
B8 = ['train_dataloader.batch_size=8']
SYNTHFACE = OrderedDict([
    ('fsl_5', Row('FSL-2D, 5%', 'FSL-2D', '5%',
                  SYN.format('fsl-2d', '5pct'), B8)),
    ('hm_5', Row('HybridMatch, 5%', 'HybridMatch', '5%',
                 SYN.format('hybridmatch', '5pct'), [])),
    ('fsl_100', Row('FSL-2D, 100%', 'FSL-2D', '100%',
                    SYN.format('fsl-2d', '100pct'), B8)),
])


def _long_schedule(iters):
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}',
            f'param_scheduler.1.end={iters}',
            f'param_scheduler.1.milestones=[{iters // 2},{iters * 5 // 6}]']


_FSL2D, _HM = SYN.format('fsl-2d', '5pct'), SYN.format('hybridmatch', '5pct')
INVESTIGATION = OrderedDict([
    ('fsl2d_b8', Row('FSL 2-D, batch 8 labelled', 'FSL-2D', '5%', _FSL2D,
                     ['train_dataloader.batch_size=8'])),
    ('hm_lu0', Row('HybridMatch, lambda_u = 0', 'HybridMatch', '5%', _HM,
                   ['model.semi_train_cfg.lambda_u=0.0'])),
    ('hm_lu0.25', Row('HybridMatch, lambda_u = 0.25', 'HybridMatch', '5%',
                      _HM, ['model.semi_train_cfg.lambda_u=0.25'])),
    ('hm_lu4', Row('HybridMatch, lambda_u = 4', 'HybridMatch', '5%', _HM,
                   ['model.semi_train_cfg.lambda_u=4.0'])),
    ('hm_ema0.005', Row('HybridMatch, EMA momentum 0.005', 'HybridMatch',
                        '5%', _HM, ['custom_hooks.1.momentum=0.005'])),
    ('hm_ema0.08', Row('HybridMatch, EMA momentum 0.08', 'HybridMatch', '5%',
                       _HM, ['custom_hooks.1.momentum=0.08'])),
    ('fsl2d_long', Row('FSL 2-D, batch 16, 1,800 iterations', 'FSL-2D',
                       '5%', _FSL2D, _long_schedule(1800))),
    ('hm_long', Row('HybridMatch, 1,800 iterations (EMA momentum 0.0066)',
                    'HybridMatch', '5%', _HM,
                    _long_schedule(1800) +
                    ['custom_hooks.1.momentum=0.0066'])),
])

Suite = namedtuple('Suite', 'rows out test title')
SUITES = OrderedDict([
    ('real_faces', Suite(_real_rows(), 'docs/results/real_faces.md', 'afw',
                         'Semi-supervised vs supervised on real faces '
                         '(300-W HELEN-train -> AFW), CPU scale')),
    ('recipe', Suite(_recipe_rows(), 'docs/results/real_faces_recipe.md',
                     'helen_val', 'The recipe, one factor at a time, on a '
                     'validation split of HELEN-train')),
    ('synthface', Suite(SYNTHFACE, 'docs/results/synthface_reference.md',
                        'synthface', 'Reference figures on SynthFace-68 at '
                        'the demo schedule')),
    ('synthface_investigation', Suite(
        INVESTIGATION, 'docs/results/ssl_investigation.md', 'synthface',
        'Why semi-supervision does not help at the CPU budget: controlled '
        'variants')),
])


def script_for(row, seed, work):
    """Shell line: train (resuming a killed run), then test the last
    checkpoint."""
    common = ['--cfg-options', f'randomness.seed={seed}'] + row.opts
    train = ([sys.executable, 'tools/train.py', row.config, '--work-dir',
              work, '--resume'] + common +
             ['train_dataloader.num_workers=1',
              'val_dataloader.num_workers=1'])
    test = ([sys.executable, 'tools/test.py', row.config, 'CKPT',
             '--work-dir', f'{work}/test', '--out', f'{work}/metrics.json'] +
            common + [f'test_evaluator.ced_dir={work}/test/ced',
                      'test_dataloader.num_workers=1'])
    test = shlex.join(test).replace('CKPT', f'"$(cat {work}/last_checkpoint)"')
    return shlex.join(train) + ' && ' + test


def _iters(row):
    """The run length: ``train_cfg.max_iters`` of the config and options."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, row.config))
    for o in row.opts:
        if o.startswith('train_cfg.max_iters='):
            return int(o.split('=', 1)[1])
    return int(cfg.train_cfg.max_iters)


def _page_json(suite_name, args):
    """The runs file beside the suite's page: ``<page>.json``."""
    out = osp.join(REPO, args.out or SUITES[suite_name].out)
    return osp.splitext(out)[0] + '.json'


def recorded_runs(suite_name, args):
    """``{(key, seed): entry}`` of the runs the page's JSON records whose
    config and options are still those of the row: the figures of runs
    whose folders are not on this machine (a fresh clone)."""
    path = _page_json(suite_name, args)
    if not osp.isfile(path):
        return {}
    rows = SUITES[suite_name].rows
    with open(path) as f:
        entries = json.load(f)
    return {(e['key'], e['seed']): e for e in entries
            if e.get('key') in rows and
            e['config'] == rows[e['key']].config and
            e.get('options', []) == rows[e['key']].opts}


def _entry_metrics(entry):
    """A recorded entry as ``metrics.json`` keys."""
    m = {'full/NME': entry['nme'], 'full/FR@10': entry['fr10'],
         'full/AUC@10': entry['auc10']}
    m.update({f'{s}/NME': entry[f'nme_{s}'] for s in SUBSETS
              if f'nme_{s}' in entry})
    return m


def finished_runs(suite_name, args, recorded):
    """``({key: {seed: metrics}}, {(key, seed)})``: every finished run, from
    its folder's ``metrics.json``, else from the page's ``recorded`` entry
    (the second value names those). Seeds: ``--seeds`` plus every seed
    recorded or found in a run folder, so that finishing one seed never
    drops the others from the page."""
    suite = SUITES[suite_name]
    found = {int(osp.basename(p)[4:]) for p in glob.glob(
        osp.join(REPO, args.work_dir, '*', 'seed*')) if
        osp.basename(p)[4:].isdigit()}
    seeds = sorted(set(args.seeds) | found | {s for _, s in recorded})
    done, from_page = {}, set()
    for key in suite.rows:
        done[key] = {}
        for seed in seeds:
            m = metrics_of(args.work_dir, key, seed)
            if m is None and (key, seed) in recorded:
                m = _entry_metrics(recorded[(key, seed)])
                from_page.add((key, seed))
            if m is not None:
                done[key][seed] = m
    return done, from_page


def _curve(suite, key, seed, args, recorded):
    """``[(iteration, NME)]`` of one run: its logs, else the recorded
    entry's ``curve``; None when neither has one."""
    from mmengine.config import Config
    row = suite.rows[key]
    path = osp.join(REPO, run_dir(args.work_dir, key, seed))
    if osp.isdir(path):
        cfg = Config.fromfile(osp.join(REPO, row.config))
        every = int(cfg.train_cfg.val_interval)
        return [tuple(p) for p in validation_curve(path, every)]
    entry = recorded.get((key, seed), {})
    return [tuple(p) for p in entry['curve']] if 'curve' in entry else None


def runs_json(suite, done, from_page, recorded, curves):
    """One entry per finished run, as ``real_faces.json`` holds them, with
    its NME-vs-iteration ``curve``; recorded entries are kept as they
    are."""
    entries = []
    for key, row in suite.rows.items():
        for seed, m in done[key].items():
            if (key, seed) in from_page:
                entries.append(recorded[(key, seed)])
                continue
            entry = dict(
                method=row.method, labels=row.labels, seed=seed,
                test=suite.test, nme=round(m['full/NME'], 4),
                fr10=round(m['full/FR@10'], 4),
                auc10=round(m['full/AUC@10'], 4), iters=_iters(row),
                config=row.config, options=row.opts, key=key)
            entry.update({f'nme_{s}': round(m[f'{s}/NME'], 4)
                          for s in SUBSETS[1:] if f'{s}/NME' in m})
            curve = curves[(key, seed)]
            if curve:
                entry['curve'] = [[int(i), round(v, 4)] for i, v in curve]
            entries.append(entry)
    return entries


def _fsl_ref(suite, key):
    """The FSL-2D row with the same labelled faces as row ``key``
    (``recipe``: ``fsl``)."""
    return 'fsl' if 'fsl' in suite.rows else 'fsl_' + key.split('_')[-1]


def _gap_lines(suite, done):
    """How much of the FSL-2D gap each semi-supervised row closes:
    ``(FSL-2D - row) / (FSL-2D - FSL-2D on all labels)`` on the means, the
    FSL-2D row being :func:`_fsl_ref`. ``done``: ``{key: {seed: metrics}}``
    of the finished runs."""
    mean = {k: float(np.mean([m['full/NME'] for m in ms.values()]))
            for k, ms in done.items() if ms}
    full = next((k for k in mean if k in ('fsl_100', 'fsl100')), None)
    if full is None:
        return []
    lines = []
    for key, row in suite.rows.items():
        if row.method == 'FSL-2D' or key not in mean:
            continue
        fsl = mean.get(_fsl_ref(suite, key))
        if fsl is None or fsl <= mean[full]:
            continue
        closed = (fsl - mean[key]) / (fsl - mean[full])
        lines.append(f'- {row.name} (`{key}`): {100 * closed:.1f} % '
                     f'({fsl:.2f} -> {mean[key]:.2f}; all labels '
                     f'{mean[full]:.2f})')
    return lines


def _paired_lines(suite, done):
    """Each semi-supervised row minus its FSL-2D row, seed by seed (the
    same labelled faces, the same training seed), where both finished."""
    lines = []
    for key, row in suite.rows.items():
        ref = _fsl_ref(suite, key)
        if row.method == 'FSL-2D' or ref not in done:
            continue
        diffs = [(seed, m['full/NME'] - done[ref][seed]['full/NME'])
                 for seed, m in done[key].items() if seed in done[ref]]
        if diffs:
            each = ', '.join(f'{d:+.2f} (seed {s})' for s, d in diffs)
            mean = np.mean([d for _, d in diffs])
            lines.append(f'- {row.name} (`{key}`) minus `{ref}`: {each}; '
                         f'mean {mean:+.2f}')
    return lines


def write_report(suite_name, args):
    suite = SUITES[suite_name]
    recorded = recorded_runs(suite_name, args)  # read before it is rewritten
    done, from_page = finished_runs(suite_name, args, recorded)
    curves = {(key, seed): _curve(suite, key, seed, args, recorded)
              for key in done for seed in done[key]}
    rows = []
    subsets = SUBSETS if suite.test == 'synthface' else ('full', )
    for key, row in suite.rows.items():
        ms = list(done[key].values())
        if not ms:
            continue
        cells = [fmt([m[f'{s}/NME'] for m in ms if f'{s}/NME' in m])
                 for s in subsets]
        cells += [fmt([m['full/FR@10'] for m in ms]),
                  fmt([m['full/AUC@10'] for m in ms])]
        # a recipe row shows what it changes: not the validation split, nor
        # (HybridMatch rows) the starting recipe written out in its notes
        hidden = [] if suite_name != 'recipe' else VAL + VAL100 + (
            RECIPE if row.method == 'HybridMatch' else [])
        opts = ' '.join(o for o in row.opts if o not in hidden)
        rows.append(f'| {row.name} | `{key}` | {len(ms)} | ' +
                    ' | '.join(cells) + f' | `{osp.basename(row.config)}`'
                    + (f' `{opts}`' if opts else '') + ' |')
    all_seeds = sorted({s for ms in done.values() for s in ms}) or args.seeds
    seeds = ' '.join(map(str, all_seeds))
    command = f'{COMMAND} --suite {suite_name} --seeds {seeds}'
    head = ' | '.join(f'NME {s}' for s in subsets)
    lines = [
        f'# {suite.title}', '',
        f'Regenerate: `{command}` (resumes; runs two at a time, one thread '
        'each). Cells: mean over seeds, then each seed\'s value, in %. '
        'Every run is tested at its last iteration' +
        (' (semi-supervised rows: the EMA teacher)' if suite_name !=
         'synthface_investigation' else '') + f' on `{suite.test}`.', '',
        f'| run | key | seeds | {head} | FR@10 | AUC@10 | '
        'config and options |',
        '|---|---|---:|' + '---:|' * (len(subsets) + 2) + '---|'] + rows
    gap = _gap_lines(suite, done)
    if gap:
        lines += ['', 'Share of the supervised gap closed, on the means '
                  '(`(FSL-2D - row) / (FSL-2D - FSL-2D on all labels)`, '
                  'FSL-2D with the same labelled faces):'] + gap
    paired = _paired_lines(suite, done)
    if paired:
        lines += ['', 'NME difference to FSL-2D with the same labelled '
                  'faces, seed by seed (negative: lower error):'] + paired
    out = osp.join(REPO, args.out or suite.out)
    stem = osp.splitext(out)[0]
    if suite_name != 'synthface_investigation':
        entries = runs_json(suite, done, from_page, recorded, curves)
        with open(stem + '.json', 'w') as f:
            json.dump(entries, f, indent=1)
        lines += ['', f'Every run: [{osp.basename(stem)}.json]'
                  f'({osp.basename(stem)}.json).']
    plots = plot_curves(suite, done, curves, stem + '_nme_vs_iter.png')
    if plots:
        lines += ['', f'NME vs iteration on `{suite.test}` (mean over '
                  'seeds; monitoring only, nothing is chosen on it):', '',
                  f'![NME vs iteration]({osp.basename(plots)})']
    ced_seed = min(all_seeds)
    ced = plot_ceds(suite, args, done, ced_seed, stem + '_ced.png')
    if ced:
        lines += ['', f'CED, seed {ced_seed}:', '',
                  f'![CED]({osp.basename(ced)})']
    text = '\n'.join(lines) + '\n' + _kept_notes(out)
    with open(out, 'w') as f:
        f.write(text)
    return text


#: Written text below this line of a results page survives regeneration.
NOTES_MARK = '<!-- notes: kept when the tables above are regenerated -->'


def _kept_notes(path):
    """The part of an existing page from :data:`NOTES_MARK` on, else ''."""
    if not osp.isfile(path):
        return ''
    with open(path) as f:
        text = f.read()
    at = text.find(NOTES_MARK)
    return '' if at < 0 else '\n' + text[at:]


def _keep_if_incomplete(path, missing):
    """True (and a warning) when some finished runs lack what a plot needs
    and the plot already exists: it is kept rather than redrawn without
    them."""
    if missing and osp.isfile(path):
        print(f'[semi_benchmark] {osp.basename(path)} kept: no logs for '
              f'{", ".join(missing)} on this machine', flush=True)
        return True
    return False


def plot_curves(suite, done, curves, path):
    """NME vs iteration of every row with more than one validation;
    ``curves``: ``{(key, seed): [(iteration, NME)] or None}``."""
    series, missing = {}, []
    for key, row in suite.rows.items():
        rows = []
        for seed in done[key]:
            c = curves[(key, seed)]
            if c is None:
                missing.append(f'{key} seed {seed}')
            elif len(c) > 1:
                rows.append(dict(c))
        if not rows:
            continue
        steps = sorted(set.intersection(*[set(c) for c in rows]))
        series[row.name] = (steps, [np.mean([c[s] for c in rows])
                                    for s in steps])
    if _keep_if_incomplete(path, missing):
        return path
    if not series:
        return None
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=110)
    for name, (steps, nme) in series.items():
        ax.plot(steps, nme, marker='o', label=name)
    ax.set_xlabel('iteration')
    ax.set_ylabel('NME (%)')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_ceds(suite, args, done, seed, path):
    """The CED of every row's run with ``seed``, from its test folder."""
    from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import \
        plot_ced
    errors, missing = {}, []
    for key, row in suite.rows.items():
        if seed not in done[key]:
            continue
        p = osp.join(REPO, run_dir(args.work_dir, key, seed), 'test', 'ced',
                     'ced.json')
        if not osp.isfile(p):
            missing.append(f'{key} seed {seed}')
            continue
        with open(p) as f:
            errors[row.name] = json.load(f)['subsets']['full']['errors']
    if _keep_if_incomplete(path, missing):
        return path
    if not errors:
        return None
    plot_ced(errors, 10.0, path, title=f'{suite.test}, full')
    return path


def pending_runs(args, only):
    """``[(key, seed)]`` still to run: neither finished here nor recorded
    on the page."""
    recorded = recorded_runs(args.suite, args)
    return [(k, s) for s in args.seeds for k in only
            if metrics_of(args.work_dir, k, s) is None and
            (k, s) not in recorded]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--suite', choices=list(SUITES),
                        default='synthface_investigation')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--only', nargs='+', default=None,
                        help='row keys (default: every row of the suite)')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--work-dir', default=None,
                        help='default: work_dirs/<suite>')
    parser.add_argument('--out', default=None,
                        help='the Markdown table (default: the suite\'s '
                        'page under docs/results/)')
    parser.add_argument('--report-only', action='store_true',
                        help='rewrite the tables from finished runs')
    args = parser.parse_args(argv)
    suite = SUITES[args.suite]
    args.work_dir = args.work_dir or osp.join('work_dirs', args.suite)
    only = args.only or list(suite.rows)
    unknown = [k for k in only if k not in suite.rows]
    if unknown:
        parser.error(f'unknown rows {unknown} for --suite {args.suite}; '
                     f'choose from {list(suite.rows)}')
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONWARNINGS='ignore')
    todo = pending_runs(args, only)

    def launch(key, seed):
        work = run_dir(args.work_dir, key, seed)
        os.makedirs(osp.join(REPO, work), exist_ok=True)
        log = open(osp.join(REPO, work, 'run.log'), 'a')
        return subprocess.Popen(
            ['bash', '-c', script_for(suite.rows[key], seed, work)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    if not args.report_only:
        run_queue(todo, launch, args.jobs,
                  lambda: write_report(args.suite, args),
                  lambda key, seed: run_dir(args.work_dir, key, seed))
    print(write_report(args.suite, args))


if __name__ == '__main__':
    main()
