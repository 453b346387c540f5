"""Speed and memory of HybridMatch against stock MMPose, measured in one run
on one machine (report the ratios; absolute times vary between machines).

1. Training iteration (SynthFace CPU configs, 64x64 input, real batches
   from the configs' data loaders, loading excluded): one HybridMatch
   iteration (``train_step``: data preprocessing, teacher pseudo-labels,
   student losses, backward, Adam step; then the hook's EMA update and
   ramp) vs the sum of its parts timed in the same run (student forward +
   backward over the 8 labelled + 8 strong images, teacher no-grad forward
   over the 8 weak images): the framework overhead. And vs one stock MMPose
   supervised HRNet iteration on 16 images (the same student batch).
2. Data pipeline: images per second of the HybridMatch training loader
   with its strong branch (2 workers) vs what training consumes.
3. Inference at 256x256, batch 1 and 32 (``test_step``: preprocessing,
   forward, decoding): HybridMatch (teacher, HRNetV2-W18 + HybridMatchHead,
   1-D decoding) vs stock HRNetV2-W18 + HeatmapHead with DARK decoding,
   flip test on and off.
4. Memory: peak resident memory (``VmHWM``) of 30 training iterations
   of each, in its own process, no loader workers.

Writes ``docs/results/speed_memory.md``::

    python tools/benchmarks/speed_memory.py
"""
import argparse
import copy
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time

import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
HM_CPU = 'configs/synthface/hybridmatch_synthface-5pct-64x64_cpu.py'
SUP_CPU = 'configs/synthface/td-hm_hrnetv2-w18_synthface-64x64_cpu.py'
HM_256 = 'configs/hybridmatch_300w_5pct.py'
STOCK_256 = ('mmpose::face_2d_keypoint/topdown_heatmap/300w/'
             'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py')
COMMAND = 'python tools/benchmarks/speed_memory.py'
WORK = osp.join(REPO, 'work_dirs', 'speed_memory')


def build(config, data_root, work_dir, **overrides):
    """A Runner (model, loaders, optimiser) for ``config`` on ``data_root``."""
    import hybridmatch_mmpose  # noqa: F401
    from mmengine.config import Config
    from mmengine.runner import Runner

    from hybridmatch_mmpose.utils.data_paths import data_root_options
    cfg = Config.fromfile(osp.join(REPO, config) if not config.startswith(
        'mmpose::') else _stock_file(config))
    opts = dict(o.split('=', 1) for o in data_root_options(cfg, data_root))
    cfg.merge_from_dict(opts)
    cfg.merge_from_dict(overrides)
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    return Runner.from_cfg(cfg)


def _stock_file(config):
    """A config file inheriting the stock one, offline, DARK decoding."""
    path = osp.join(tempfile.mkdtemp(), 'stock_dark.py')
    with open(path, 'w') as f:
        f.write(f"_base_ = ['{config}']\n"
                "custom_imports = dict(imports=['hybridmatch_mmpose'], "
                "allow_failed_imports=False)\n"
                "codec = dict(type='MSRAHeatmap', input_size=(256, 256), "
                "heatmap_size=(64, 64), sigma=1.5, unbiased=True)\n"
                "model = dict(backbone=dict(init_cfg=None), "
                "head=dict(decoder=codec))\n")
    return path


BREAKDOWN = (
    'data preprocessor (3 branches)',
    'teacher forward + pseudo-labels (weak view)',
    'loss forward (teacher + pseudo-labels + student forwards + losses)',
    'backward', 'optimizer step (Adam) + zero_grad',
    'EMA update (fused, pairs built once)')


def timed(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ------------------------------------------------------------ 1. iteration
def iteration_speed(data_root, reps):
    from hybridmatch_mmpose.engine.hooks import ema_tensor_pairs, ema_update
    # one work dir (WORK) for every Runner: mmengine's visualizer is global
    hm = build(HM_CPU, data_root, WORK,
               **{'train_dataloader.num_workers': 0,
                  'train_dataloader.persistent_workers': False})
    sup = build(SUP_CPU, data_root, WORK + '/sup',
                **{'train_dataloader.num_workers': 0,
                   'train_dataloader.persistent_workers': False})
    hm_loader = hm.build_dataloader(hm.cfg.train_dataloader)
    sup_loader = sup.build_dataloader(sup.cfg.train_dataloader)
    hm_batch = next(iter(hm_loader))
    sup_batch = next(iter(sup_loader))
    hm_optim = hm.build_optim_wrapper(hm.cfg.optim_wrapper)
    sup_optim = sup.build_optim_wrapper(sup.cfg.optim_wrapper)
    model, stock = hm.model, sup.model
    model.train()
    stock.train()
    model.set_lambda_u_1d(0.05)
    pairs = ema_tensor_pairs(model.student, model.teacher)  # as the hook

    def hm_iter():
        model.train_step(hm_batch, hm_optim)
        ema_update(model.student, model.teacher, 0.02, pairs=pairs)

    def stock_iter():
        stock.train_step(sup_batch, sup_optim)

    data = model.data_preprocessor(copy.deepcopy(hm_batch), True)
    x_sup = data['inputs']['sup']
    x_weak = data['inputs']['unsup_teacher']
    x_strong = data['inputs']['unsup_student']
    x_student = torch.cat([x_sup, x_strong])

    def teacher_part():
        with torch.no_grad():
            model.teacher._forward(x_weak)

    def student_part():
        model.student.zero_grad(set_to_none=True)
        out = model.student._forward(x_student)
        sum(o.float().mean() for o in out).backward()

    def student_part_two_forwards():
        # the default path (joint_student_forward=False): one forward per
        # branch, one backward through both
        model.student.zero_grad(set_to_none=True)
        out = model.student._forward(x_sup) + model.student._forward(x_strong)
        sum(o.float().mean() for o in out).backward()

    def breakdown():
        """Wall time of each step of one default iteration (train_step
        unrolled as mmengine's BaseModel.train_step runs it)."""
        marks = [time.perf_counter()]
        with hm_optim.optim_context(model):
            data = model.data_preprocessor(hm_batch, True)
            marks.append(time.perf_counter())
            with torch.no_grad():
                out_t = model.teacher._forward(data['inputs']['unsup_teacher'])
                model.student.head.pseudo_labels(out_t)
            marks.append(time.perf_counter())
            losses = model._run_forward(data, mode='loss')
        marks.append(time.perf_counter())
        parsed, _ = model.parse_losses(losses)
        hm_optim.backward(parsed)
        marks.append(time.perf_counter())
        hm_optim.step()
        hm_optim.zero_grad()
        marks.append(time.perf_counter())
        ema_update(model.student, model.teacher, 0.02, pairs=pairs)
        marks.append(time.perf_counter())
        return [b - a for a, b in zip(marks, marks[1:])]

    model.semi_train_cfg.joint_student_forward = True
    t_joint = timed(hm_iter, reps)
    model.semi_train_cfg.joint_student_forward = False
    t = dict(hm_iter_joint=t_joint, hm_iter=timed(hm_iter, reps),
             stock_iter=timed(stock_iter, reps),
             teacher=timed(teacher_part, reps),
             student=timed(student_part, reps),
             student_two=timed(student_part_two_forwards, reps))
    steps = [breakdown() for _ in range(reps + 2)][2:]
    t['breakdown'] = [statistics.median(col) for col in zip(*steps)]
    t['n_sup'], t['n_unsup'] = len(x_sup), len(x_weak)
    t['n_stock'] = len(sup_batch['inputs'])
    return t


# --------------------------------------------------------------- 2. data
def pipeline_speed(data_root, batches):
    hm = build(HM_CPU, data_root, WORK)
    loader = hm.build_dataloader(hm.cfg.train_dataloader)  # 2 workers
    it = iter(loader)
    for _ in range(3):
        next(it)
    t0 = time.perf_counter()
    n_img = n_views = 0
    for _ in range(batches):
        batch = next(it)
        views = sum(len([s for s in v if s is not None])
                    for v in batch['data_samples'].values())
        n_views += views
        n_img += len(batch['data_samples']['sup'])
    dt = time.perf_counter() - t0
    return dict(images_per_s=n_img / dt, views_per_s=n_views / dt,
                batch_images=n_img / batches)


# ---------------------------------------------------------- 3. inference
def inference_speed(data_root, reps):
    rows = []
    for name, config in (('HybridMatch (1-D decoding)', HM_256),
                         ('stock HeatmapHead + DARK', STOCK_256)):
        for batch in (1, 32):
            runner = build(config, data_root, f'{WORK}/{name}{batch}',
                           **{'test_dataloader.batch_size': batch,
                              'test_dataloader.num_workers': 0,
                              'test_dataloader.persistent_workers':
                              False})
            loader = runner.build_dataloader(runner.cfg.test_dataloader)
            data = next(iter(loader))
            model = runner.model
            model.eval()
            est = getattr(model, 'teacher', model)
            for flip in (False, True):
                est.test_cfg['flip_test'] = flip
                if hasattr(model, 'student'):
                    model.student.test_cfg['flip_test'] = flip
                with torch.no_grad():
                    t = timed(lambda: model.test_step(data), reps,
                              warmup=1)
                rows.append((name, batch, flip, t))
    return rows


# ------------------------------------------------------------ 4. memory
CHILD = '''
import sys
sys.path.insert(0, {repo!r})
from tools.benchmarks.speed_memory import build
r = build({config!r}, {root!r}, {work!r}, **{{
    'train_cfg.max_iters': 30, 'train_cfg.val_interval': 1000,
    'train_dataloader.num_workers': 0,
    'train_dataloader.persistent_workers': False,
    'default_hooks.checkpoint.interval': 1000}})
r.train()
# VmHWM: this process's own peak RSS. ru_maxrss would keep the parent's
# RSS at fork time (Linux carries the high-water mark across execve).
with open('/proc/self/status') as f:
    hwm = [l for l in f if l.startswith('VmHWM:')][0].split()[1]
print('MAXRSS_KB', hwm)
'''


def peak_memory(config, data_root):
    with tempfile.TemporaryDirectory() as tmp:
        code = CHILD.format(repo=REPO, config=config, root=data_root,
                            work=tmp)
        proc = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                              capture_output=True, text=True,
                              env=dict(os.environ, PYTHONWARNINGS='ignore'))
        for line in proc.stdout.splitlines():
            if line.startswith('MAXRSS_KB'):
                return int(line.split()[1]) / 1024
        raise RuntimeError(proc.stderr[-3000:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/synthface')
    parser.add_argument('--reps', type=int, default=10)
    parser.add_argument('--out', default='docs/results/speed_memory.md')
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', 2)))

    it = iteration_speed(args.data_root, args.reps)
    parts = it['student'] + it['teacher']
    overhead = 100 * (it['hm_iter'] / parts - 1)
    parts_two = it['student_two'] + it['teacher']
    overhead_two = 100 * (it['hm_iter'] / parts_two - 1)
    steps = dict(zip(BREAKDOWN, it['breakdown']))
    print('breakdown:', {k: round(v, 4) for k, v in steps.items()})
    print(f'iteration: HybridMatch {it["hm_iter"]:.3f} s, parts '
          f'{parts:.3f} s (student {it["student"]:.3f}, teacher '
          f'{it["teacher"]:.3f}), overhead {overhead:+.1f} %, stock '
          f'{it["stock_iter"]:.3f} s')
    pipe = pipeline_speed(args.data_root, 30)
    consume = it['n_sup'] * 2 / it['hm_iter']  # source images per second
    print(f'pipeline: {pipe["images_per_s"]:.1f} images/s vs training '
          f'{consume:.1f} images/s')
    inf = inference_speed(args.data_root, max(2, args.reps // 3))
    for row in inf:
        print('inference', row)
    mem_hm = peak_memory(HM_CPU, args.data_root)
    mem_sup = peak_memory(SUP_CPU, args.data_root)
    print(f'memory: HybridMatch {mem_hm:.0f} MiB, stock {mem_sup:.0f} MiB')

    threads = torch.get_num_threads()
    lines = [
        '# Speed and memory: HybridMatch vs stock MMPose', '',
        f'Measured in one run on one machine ({os.cpu_count()} CPU cores, '
        f'{threads} torch threads, medians of {args.reps} repetitions after '
        f'2 warm-ups). Command: `{COMMAND}`', '',
        'Table 1. One training iteration at 64x64 (SynthFace CPU configs; a '
        f'real batch, loading excluded): HybridMatch with {it["n_sup"]} '
        f'labelled + {it["n_unsup"]} unlabelled (weak + strong) images vs '
        'its parts, and vs one stock supervised HRNet iteration on '
        f'{it["n_stock"]} images (the same student batch).', '',
        '| what | s | ratio |', '|---|---:|---:|',
        f'| HybridMatch iteration (train_step + EMA update) | '
        f'{it["hm_iter"]:.3f} | 1.00 |',
        f'| part: student forward + backward, {it["n_sup"]} + '
        f'{it["n_unsup"]} images | {it["student"]:.3f} | '
        f'{it["student"] / it["hm_iter"]:.2f} |',
        f'| part: teacher forward, no grad, {it["n_unsup"]} images | '
        f'{it["teacher"]:.3f} | {it["teacher"] / it["hm_iter"]:.2f} |',
        f'| framework overhead (iteration / parts - 1) | | '
        f'{overhead:+.1f} % |',
        f'| HybridMatch iteration, `joint_student_forward=True` | '
        f'{it["hm_iter_joint"]:.3f} | '
        f'{it["hm_iter_joint"] / it["hm_iter"]:.2f} |',
        f'| framework overhead with the joint forward | | '
        f'{100 * (it["hm_iter_joint"] / parts - 1):+.1f} % |',
        f'| part as the default path runs it: student forward + backward, '
        f'{it["n_sup"]} then {it["n_unsup"]} images (two forwards) | '
        f'{it["student_two"]:.3f} | {it["student_two"] / it["hm_iter"]:.2f} |',
        f'| overhead of the default iteration over its own parts (two '
        f'student forwards + teacher) | | {overhead_two:+.1f} % |',
        f'| stock MMPose supervised iteration, {it["n_stock"]} images | '
        f'{it["stock_iter"]:.3f} | {it["stock_iter"] / it["hm_iter"]:.2f} |',
        '', 'Table 1b. Where one default HybridMatch iteration spends its '
        'time (train_step unrolled, medians; the teacher step is timed '
        'again inside the loss forward, so the rows add up to more than one '
        'iteration by that much).', '', '| step | s | share of the '
        'iteration |', '|---|---:|---:|'] + [
        f'| {name} | {sec:.3f} | {100 * sec / it["hm_iter"]:.1f} % |'
        for name, sec in steps.items()] + [
        '', 'Table 2. Data pipeline of the HybridMatch training loader '
        '(2 workers, weak + strong branches) vs what training consumes '
        f'({it["n_sup"] * 2} source images per iteration at the Table 1 '
        'iteration time).', '', '| what | images/s |', '|---|---:|',
        f'| pipeline, source images (labelled + unlabelled) | '
        f'{pipe["images_per_s"]:.1f} |',
        f'| pipeline, views (labelled + weak + strong) | '
        f'{pipe["views_per_s"]:.1f} |',
        f'| training consumes | {consume:.1f} |', '',
        'Table 3. Inference at 256x256 (`test_step`: preprocessing, forward, '
        'decoding), one batch of SynthFace-68 test faces.', '',
        '| model | batch | flip test | s per batch | ms per image | '
        'vs stock |', '|---|---:|---|---:|---:|---:|']
    stock = {(b, f): t for n, b, f, t in inf if n.startswith('stock')}
    for name, batch, flip, t in inf:
        lines.append(f'| {name} | {batch} | {"on" if flip else "off"} | '
                     f'{t:.3f} | {1000 * t / batch:.1f} | '
                     f'{t / stock[(batch, flip)]:.2f} |')
    lines += ['', 'Table 4. Peak resident memory of 30 training iterations '
              '(64x64, one process, no loader workers).', '',
              '| run | peak RSS (MiB) | ratio |', '|---|---:|---:|',
              f'| HybridMatch, {it["n_sup"]} + {it["n_unsup"]} images '
              f'(student 16, teacher 8) | {mem_hm:.0f} | '
              f'{mem_hm / mem_sup:.2f} |',
              f'| stock supervised, 16 images | {mem_sup:.0f} | 1.00 |', '']
    text = '\n'.join(lines)
    with open(osp.join(REPO, args.out), 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
