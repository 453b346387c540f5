"""Time mmcv 2.1.0's first build, stock vs fast, side by side on one machine,
and check that both wheels compute the same.

Each mode runs ``tools/setup/build_mmcv.sh`` from the sdist into its own
empty wheel cache (``MMCV_BUILD=stock``: the flags pip uses, Python's
``-g -O3``; ``MMCV_BUILD=fast``: ``-g0`` and the precompiled torch header of
``tools/setup/pch_cxx.sh``), with the same ``MAX_JOBS``. Then each wheel is
unpacked into its own folder and a set of mmcv's CPU ops runs on the same
seeded inputs under both: the outputs must be bitwise equal. Run it on an
otherwise idle machine; it prints the wall times and their ratio::

    python tools/benchmarks/mmcv_build_time.py   # both builds, one run
    python tools/benchmarks/mmcv_build_time.py --modes fast
"""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: Runs mmcv's CPU ops on seeded inputs and saves the outputs (``argv[1]``).
OPS_CHECK = r'''
import sys, numpy as np, torch
import mmcv, mmcv.ops as ops
assert mmcv.__file__.startswith(sys.argv[2]), mmcv.__file__
g = torch.Generator().manual_seed(0)
def boxes(n, w=64.0):
    xy = torch.rand(n, 2, generator=g) * w
    wh = torch.rand(n, 2, generator=g) * w / 2 + 1
    return torch.cat([xy, xy + wh], 1)
out = {}
b, s = boxes(200), torch.rand(200, generator=g)
out['nms'] = ops.nms(b, s, 0.5)[0]
out['soft_nms'] = ops.soft_nms(b, s, 0.3, sigma=0.5, min_score=0.01)[0]
rb = torch.cat([b[:, :2] + 8, b[:, 2:] - b[:, :2],
                torch.rand(200, 1, generator=g) - 0.5], 1)
out['box_iou_rotated'] = ops.box_iou_rotated(rb[:50], rb[50:120])
out['nms_rotated'] = ops.nms_rotated(rb, s, 0.5)[0]
feat = torch.rand(2, 8, 32, 32, generator=g)
rois = torch.cat([torch.randint(0, 2, (30, 1), generator=g).float(),
                  boxes(30, 28.0)], 1)
out['roi_align'] = ops.roi_align(feat, rois, (7, 7), 0.5, 2, 'avg', True)
rrois = torch.cat([rois[:, :1], rb[:30]], 1) * torch.tensor(
    [1, .4, .4, .4, .4, 1.])
out['roi_align_rotated'] = ops.roi_align_rotated(feat, rrois, (5, 5), 1.0,
                                                 2, True, False)
conv = ops.DeformConv2d(8, 4, 3, padding=1)
for p in conv.parameters():
    torch.nn.init.normal_(p, generator=g)
off = torch.randn(2, 18, 32, 32, generator=g)
out['deform_conv2d'] = conv(feat, off).detach()
mconv = ops.ModulatedDeformConv2d(8, 4, 3, padding=1)
for p in mconv.parameters():
    torch.nn.init.normal_(p, generator=g)
mask = torch.rand(2, 9, 32, 32, generator=g)
out['modulated_deform_conv2d'] = mconv(feat, off, mask).detach()
pts = torch.rand(1, 500, 3, generator=g) * 10
bx = torch.cat([torch.rand(1, 8, 3, generator=g) * 10,
                torch.rand(1, 8, 3, generator=g) * 4 + 1,
                torch.rand(1, 8, 1, generator=g)], 2)
out['points_in_boxes_cpu'] = ops.points_in_boxes_cpu(pts, bx)
out['bbox_overlaps'] = ops.bbox_overlaps(b[:40], b[40:90])
np.savez(sys.argv[1], **{k: v.numpy() for k, v in out.items()})
print(' '.join(sorted(out)))
'''


def build(mode, jobs, folder):
    """Build the wheel with ``mode`` into ``folder``; returns seconds."""
    env = dict(os.environ, MMCV_BUILD=mode, MAX_JOBS=str(jobs),
               MMCV_INSTALL='0', HYBRIDMATCH_WHEEL_CACHE=folder,
               VENV=osp.join(REPO, '.venv'))
    t0 = time.time()
    subprocess.run(['bash', osp.join(REPO, 'tools/setup/build_mmcv.sh')],
                   env=env, check=True)
    return time.time() - t0


def ops_outputs(folder, out):
    """Unpack the wheel of ``folder`` and run :data:`OPS_CHECK` under it."""
    site = osp.join(folder, 'site')
    wheel = glob.glob(osp.join(folder, '**', 'mmcv-*.whl'), recursive=True)[0]
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q',
                    '--no-deps', '--target', site, wheel], check=True)
    env = dict(os.environ, PYTHONPATH=site)
    res = subprocess.run([sys.executable, '-c', OPS_CHECK, out, site],
                         env=env, check=True, capture_output=True, text=True)
    return res.stdout.split()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--modes', nargs='+', default=['stock', 'fast'],
                        choices=['stock', 'fast'])
    parser.add_argument('--jobs', type=int, default=os.cpu_count())
    parser.add_argument('--keep', default=None,
                        help='keep the wheels and outputs in this folder')
    args = parser.parse_args(argv)
    root = args.keep or tempfile.mkdtemp(prefix='mmcv_build_time_')
    seconds, outputs = {}, {}
    for mode in args.modes:
        folder = osp.join(root, mode)
        os.makedirs(folder, exist_ok=True)
        seconds[mode] = build(mode, args.jobs, folder)
        print(f'[mmcv_build_time] {mode}: {seconds[mode]:.0f} s '
              f'({args.jobs} parallel compiles, {os.cpu_count()} cores)',
              flush=True)
        outputs[mode] = osp.join(folder, 'ops.npz')
        ops = ops_outputs(folder, outputs[mode])
        print(f'[mmcv_build_time] {mode}: ran {len(ops)} ops: '
              f'{" ".join(ops)}', flush=True)
    if len(seconds) == 2:
        import numpy as np
        a, b = np.load(outputs['stock']), np.load(outputs['fast'])
        same = [k for k in a.files if np.array_equal(a[k], b[k])]
        print(f'[mmcv_build_time] bitwise-equal outputs: {len(same)} of '
              f'{len(a.files)} ops')
        print(f'[mmcv_build_time] stock {seconds["stock"]:.0f} s / fast '
              f'{seconds["fast"]:.0f} s = '
              f'{seconds["stock"] / seconds["fast"]:.2f}x')
        if len(same) != len(a.files):
            sys.exit(f'outputs differ: {sorted(set(a.files) - set(same))}')


if __name__ == '__main__':
    main()
