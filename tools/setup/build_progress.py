"""Show a compiled build's progress from its verbose output.

Reads the output of ``pip wheel -v`` (whose ninja lines start with
``[done/total]``) on stdin, writes every line to ``LOG`` and prints one
line per finished tenth of the objects and at the link:
``[setup] mmcv: 31/77 objects compiled, 2 min 40 s, about 4 min left``.

Usage: ``pip wheel -v ... 2>&1 | python build_progress.py LOG [NAME]``.
"""
import re
import sys
import time

NINJA = re.compile(r'^\s*\[(\d+)/(\d+)\]')


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f'{m} min {s:02d} s' if m else f'{s} s'


def progress_line(name: str, done: int, total: int, elapsed: float) -> str:
    """One progress line; the estimate assumes the objects left take as long
    as those done (it leaves out the link), and is left out for the first
    few objects (the first ones also pay for a precompiled header)."""
    line = (f'[setup] {name}: {done}/{total} objects compiled, '
            f'{_clock(elapsed)}')
    if 5 <= done < total:
        line += f', about {_clock(elapsed / done * (total - done))} left'
    return line


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    log_path, name = argv[0], (argv[1] if len(argv) > 1 else 'build')
    t0, shown = time.time(), -1
    with open(log_path, 'w') as log:
        for line in sys.stdin:
            log.write(line)
            log.flush()
            m = NINJA.match(line)
            if not m:
                continue
            done, total = int(m.group(1)), int(m.group(2))
            step = max(1, total // 10)
            if done // step != shown or done == total:
                shown = done // step
                print(progress_line(name, done, total, time.time() - t0),
                      flush=True)
    print(f'[setup] {name}: compiled and linked in '
          f'{_clock(time.time() - t0)}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
