"""Prepare the device kit: what a Python 3.12 machine with torch (and numpy
2, OpenCV, SciPy, ...) but no OpenMMLab and no internet lacks to run this
project, as wheels for CPython 3.12 plus the sdists it must build there.

Reads ``requirements/system.txt`` and ``requirements/openmmlab.txt`` and
leaves out every project the device image already has
(``tools/device/device_packages.txt``, from the device's package list);
then checks the kit: every wheel installs on CPython 3.12 / x86-64 Linux,
no project twice, none the device has (but ``setuptools``, carried for its
``pkg_resources``, which mmcv's ``setup.py`` imports), all of it under the
size that travels to the device::

    python tools/device/make_kit.py              # writes device_kit/
    python tools/device/make_kit.py --check-only

``tools/device/install_and_run.sh`` uses it there.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Built there from source: no CPython 3.12 wheel of these versions exists.
SDISTS = ('mmcv==2.1.0', 'xtcocotools==1.14.3')
#: Carried although the device has the project: another version is needed.
CARRIED_ANYWAY = {'setuptools': 'setuptools==69.5.1'}
PLATFORMS = ('manylinux_2_28_x86_64', 'manylinux_2_17_x86_64',
             'manylinux2014_x86_64', 'manylinux1_x86_64')
#: What travels to the device in one call (the data and code travel too).
LIMIT_MIB = 64


def canonical(name: str) -> str:
    """PEP 503 project name: ``Json_Tricks`` -> ``json-tricks``."""
    return re.sub(r'[-_.]+', '-', name).lower()


def _requirements(path):
    with open(path) as f:
        return [ln.split('#')[0].strip() for ln in f
                if ln.split('#')[0].strip()]


def _name(req: str) -> str:
    return canonical(re.split(r'[<>=!~;\[ ]', req, 1)[0])


def device_packages(path=None):
    """The projects the device image has (canonical names)."""
    path = path or osp.join(REPO, 'tools', 'device', 'device_packages.txt')
    return {canonical(n) for n in _requirements(path)}


def kit_requirements(device=None):
    """``(wheels, sdists)``: the requirement lines to download."""
    device = device_packages() if device is None else device
    sdist_names = {_name(r) for r in SDISTS}
    reqs = (_requirements(osp.join(REPO, 'requirements', 'system.txt')) +
            _requirements(osp.join(REPO, 'requirements', 'openmmlab.txt')))
    wheels = [r for r in reqs
              if _name(r) not in device and _name(r) not in sdist_names]
    wheels += list(CARRIED_ANYWAY.values())
    return wheels, list(SDISTS)


def wheel_fits_cp312(filename: str) -> bool:
    """Whether a wheel's tags admit CPython 3.12 on x86-64 Linux."""
    from packaging.utils import parse_wheel_filename
    _, _, _, tags = parse_wheel_filename(filename)
    for t in tags:
        py = t.interpreter in ('cp312', 'py3', 'py312') or \
            (t.abi == 'abi3' and t.interpreter.startswith('cp3') and
             int(t.interpreter[3:] or 0) <= 12)
        abi = t.abi in ('cp312', 'abi3', 'none')
        plat = t.platform == 'any' or (
            t.platform.endswith('x86_64') and 'linux' in t.platform)
        if py and abi and plat:
            return True
    return False


def check_kit(kit: str, device=None):
    """Problems of the kit folder, as a list of lines (empty: good)."""
    device = device_packages() if device is None else device
    problems, seen, total = [], {}, 0
    for sub in ('wheels', 'sdists'):
        folder = osp.join(kit, sub)
        for f in sorted(os.listdir(folder)) if osp.isdir(folder) else []:
            total += osp.getsize(osp.join(folder, f))
            if sub == 'wheels':
                if not f.endswith('.whl'):
                    problems.append(f'{f}: not a wheel')
                    continue
                if not wheel_fits_cp312(f):
                    problems.append(f'{f}: not for CPython 3.12 / x86-64')
                name = canonical(f.split('-')[0])
            else:
                name = canonical(re.split(r'-\d', f, 1)[0])
            if name in seen:
                problems.append(f'{f}: {name} is also {seen[name]}')
            seen[name] = f
            if name in device and name not in CARRIED_ANYWAY:
                problems.append(f'{f}: the device already has {name}')
    wanted = {_name(r) for r in sum(kit_requirements(device), [])}
    for name in sorted(wanted - set(seen)):
        problems.append(f'{name}: missing from the kit')
    if total > LIMIT_MIB * 2**20:
        problems.append(f'the kit is {total / 2**20:.1f} MiB, over '
                        f'{LIMIT_MIB} MiB')
    return problems, total, len(seen)


def download(kit: str):
    wheels, sdists = kit_requirements()
    pip = [sys.executable, '-m', 'pip', 'download', '-q', '--no-deps',
           '--disable-pip-version-check']
    plats = sum((['--platform', p] for p in PLATFORMS), [])
    subprocess.run(pip + ['--only-binary=:all:', '--python-version', '3.12',
                          '--implementation', 'cp', '--abi', 'cp312',
                          '--abi', 'abi3', '--abi', 'none'] + plats +
                   ['-d', osp.join(kit, 'wheels')] + wheels, check=True)
    subprocess.run(pip + ['--no-binary', ':all:', '--no-build-isolation',
                          '-d', osp.join(kit, 'sdists')] + sdists,
                   check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--kit', default=osp.join(REPO, 'device_kit'))
    parser.add_argument('--check-only', action='store_true')
    args = parser.parse_args(argv)
    if not args.check_only:
        download(args.kit)
    problems, total, n = check_kit(args.kit)
    for p in problems:
        print(f'[device kit] PROBLEM {p}')
    ok = '' if problems else ', every wheel for CPython 3.12, none twice'
    print(f'[device kit] {args.kit}: {n} projects, {total / 2**20:.1f} MiB'
          f'{ok}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
