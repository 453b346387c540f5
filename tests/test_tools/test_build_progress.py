"""``tools/setup/build_progress.py``: the compiled build's progress lines
and its full log."""
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tools' / 'setup'))
import build_progress  # noqa: E402


def test_progress_line_estimates_from_the_objects_done():
    line = build_progress.progress_line('mmcv', 20, 80, 120.0)
    assert line == ('[setup] mmcv: 20/80 objects compiled, 2 min 00 s, '
                    'about 6 min 00 s left')
    assert build_progress.progress_line('mmcv', 80, 80, 5.4) == \
        '[setup] mmcv: 80/80 objects compiled, 5 s'


def test_every_line_is_logged_and_a_tenth_of_the_objects_shown(
        tmp_path, monkeypatch, capsys):
    lines = ['running build_ext\n'] + [
        f'[{i}/20] c++ -c obj{i}.cpp\n' for i in range(1, 21)] + ['link\n']
    monkeypatch.setattr(sys, 'stdin', io.StringIO(''.join(lines)))
    log = tmp_path / 'build.log'
    assert build_progress.main([str(log), 'mmcv']) == 0
    assert log.read_text() == ''.join(lines)
    shown = capsys.readouterr().out.splitlines()
    counts = [s.split(': ')[1].split(' ')[0] for s in shown[:-1]]
    assert counts == [f'{i}/20' for i in (1, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                          20)]
    assert shown[-1].startswith('[setup] mmcv: compiled and linked in ')
