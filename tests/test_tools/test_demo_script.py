"""``tools/demo.sh`` (the main job of ``make demo``): it reuses a trained
model only when it was trained on the data set now in ``DATA_ROOT``, and a
model trained on another data set is moved aside, not overwritten.

The Python steps are replaced by a recording script (``PY=...``): what is
tested is the shell logic, not the training (that is the end-to-end tests').
"""
import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

FAKE_PY = r'''#!/usr/bin/env bash
# records each call; tools/train.py leaves a checkpoint like the real one
echo "$1" >> "$CALLS"
case "$1" in
  tools/misc/data_root_options.py)
    echo "train_dataloader.dataset.data_root=$3" ;;
  tools/train.py)
    mkdir -p "$4"; echo model > "$4/iter_1.pth"
    echo "$4/iter_1.pth" > "$4/last_checkpoint" ;;
esac
'''


def _run(tmp_path, data_root, work_dir):
    fake = tmp_path / 'fake_py'
    fake.write_text(FAKE_PY)
    fake.chmod(0o755)
    calls = tmp_path / 'calls.txt'
    calls.write_text('')
    env = dict(os.environ, PY=str(fake), CALLS=str(calls))
    res = subprocess.run(
        ['bash', 'tools/demo.sh', 'configs/some_config.py', str(work_dir),
         str(data_root)], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout, calls.read_text().split()


def test_demo_reuses_only_a_model_of_the_same_data_set(tmp_path):
    data, work = tmp_path / 'synthface', tmp_path / 'work_dirs' / 'demo'
    data.mkdir()
    meta = data / 'synthface_meta.json'
    meta.write_text(json.dumps(dict(version='1.0', variant='classic')))

    out, calls = _run(tmp_path, data, work)
    assert calls.count('tools/train.py') == 1 and 'tools/test.py' in calls
    assert (work / '.demo-trained').read_text().strip() == meta.read_text()

    out, calls = _run(tmp_path, data, work)  # same data: reused
    assert 'tools/train.py' not in calls and 'reusing' in out

    # the data set was regenerated with another variant: the old model is
    # moved aside (kept, with its checkpoint) and a new one is trained
    meta.write_text(json.dumps(dict(version='1.0', variant='diverse_xshapes')))
    out, calls = _run(tmp_path, data, work)
    assert calls.count('tools/train.py') == 1
    stale = [p for p in work.parent.iterdir() if '.stale-' in p.name]
    assert len(stale) == 1 and (stale[0] / 'iter_1.pth').is_file()
    assert 'classic' in (stale[0] / '.demo-trained').read_text()
    assert 'diverse_xshapes' in (work / '.demo-trained').read_text()
    assert 'another data set' in out


def test_demo_marker_of_an_older_version_means_retrain(tmp_path):
    """Work dirs of earlier versions hold an empty marker: retrain."""
    data, work = tmp_path / 'synthface', tmp_path / 'demo'
    data.mkdir()
    (data / 'synthface_meta.json').write_text('{"version": "1.0"}')
    work.mkdir()
    (work / 'iter_600.pth').write_text('old')
    (work / 'last_checkpoint').write_text(str(work / 'iter_600.pth'))
    (work / '.demo-trained').write_text('')
    out, calls = _run(tmp_path, data, work)
    assert calls.count('tools/train.py') == 1
    stale = [p for p in tmp_path.iterdir() if '.stale-' in p.name]
    assert len(stale) == 1 and (stale[0] / 'iter_600.pth').read_text() == 'old'
