"""``tools/setup/pch_cxx.sh``: the compiler wrapper of the fast mmcv build
precompiles the header once, with the object's own flags, and otherwise
passes every call through (a fake compiler records the calls)."""
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRAPPER = REPO / 'tools' / 'setup' / 'pch_cxx.sh'

FAKE = '''#!/usr/bin/env bash
echo "$*" >> "$CALLS"
[[ -n "${FAIL_PCH:-}" && "$*" == *c++-header* ]] && exit 1
out=""; prev=""
for a in "$@"; do [[ "$prev" == -o ]] && out="$a"; prev="$a"; done
[[ -n "$out" ]] && echo built > "$out"
exit 0
'''


def _run(tmp_path, args, **env):
    fake = tmp_path / 'fake_cxx'
    fake.write_text(FAKE)
    fake.chmod(0o755)
    header = tmp_path / 'helper.hpp'
    header.write_text('#pragma once\n')
    e = dict(os.environ, PCH_REAL_CXX=str(fake), PCH_HEADER=str(header),
             CALLS=str(tmp_path / 'calls'))
    e.update(env)
    # in tmp_path: the fake writes its -o outputs (nms.o, _ext.so) there
    subprocess.run(['bash', str(WRAPPER)] + args, env=e, check=True,
                   cwd=tmp_path)
    return (tmp_path / 'calls').read_text().splitlines(), header


def _compile(name):
    return ['-MMD', '-MF', f'{name}.o.d', '-DNDEBUG', '-g0', '-O3', '-fPIC',
            '-I/inc', '-c', '-c', f'/src/{name}.cpp', '-o', f'{name}.o',
            '-std=c++20', '-DTORCH_EXTENSION_NAME=_ext']


def test_first_compile_precompiles_the_header_with_its_flags(tmp_path):
    calls, header = _run(tmp_path, _compile('nms'))
    assert calls[0] == ('-DNDEBUG -g0 -O3 -fPIC -I/inc -std=c++20 '
                        f'-DTORCH_EXTENSION_NAME=_ext -x c++-header {header} '
                        f'-o {header}.gch.tmp')
    assert calls[1] == ' '.join(_compile('nms') + ['-Winvalid-pch'])
    assert Path(f'{header}.gch').read_text() == 'built\n'
    # the next object reuses it; a link passes through untouched
    calls, _ = _run(tmp_path, _compile('roi_align'))
    assert calls[2:] == [' '.join(_compile('roi_align') + ['-Winvalid-pch'])]
    calls, _ = _run(tmp_path, ['-shared', 'a.o', '-o', '_ext.so'])
    assert calls[3:] == ['-shared a.o -o _ext.so']


def test_a_failed_precompile_only_costs_time(tmp_path):
    calls, header = _run(tmp_path, _compile('nms'), FAIL_PCH='1')
    assert 'c++-header' in calls[0]
    assert calls[1] == ' '.join(_compile('nms') + ['-Winvalid-pch'])
    assert not Path(f'{header}.gch').exists()
    assert Path(f'{header}.gch.failed').exists()
    calls, _ = _run(tmp_path, _compile('roi_align'), FAIL_PCH='1')
    assert len(calls) == 3 and 'c++-header' not in calls[2]


def test_without_a_header_it_is_the_plain_compiler(tmp_path):
    calls, _ = _run(tmp_path, _compile('nms'), PCH_HEADER='')
    assert calls == [' '.join(_compile('nms'))]
