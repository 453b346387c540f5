"""``tools/device/make_kit.py``: what the kit holds and the checks that a
kit installs on the device (no download here)."""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tools' / 'device'))
import make_kit  # noqa: E402


def test_wheel_tags_for_cpython_312_on_x86_64_linux():
    fits = make_kit.wheel_fits_cp312
    assert fits('mmengine-0.10.7-py3-none-any.whl')
    assert fits('shapely-2.0.6-cp312-cp312-manylinux_2_17_x86_64.'
                'manylinux2014_x86_64.whl')
    assert fits('pycocotools-2.0.8-cp312-cp312-manylinux_2_17_x86_64.whl')
    assert not fits('shapely-2.0.6-cp311-cp311-manylinux_2_17_x86_64.whl')
    assert not fits('shapely-2.0.6-cp312-cp312-manylinux_2_17_aarch64.whl')
    assert not fits('shapely-2.0.6-cp312-cp312-win_amd64.whl')


def test_kit_leaves_out_what_the_device_has_and_builds_the_rest():
    device = make_kit.device_packages()
    assert {'numpy', 'torch', 'opencv-python-headless', 'scipy'} <= device
    wheels, sdists = make_kit.kit_requirements()
    names = {make_kit._name(r) for r in wheels}
    assert {'mmengine', 'mmpose', 'mmdet', 'json-tricks'} <= names
    assert not (names - {'setuptools'}) & device
    assert 'xtcocotools' not in names and 'mmcv' not in names
    assert sdists == ['mmcv==2.1.0', 'xtcocotools==1.14.3']


def _kit(tmp_path, wheels, sdists=('mmcv-2.1.0.tar.gz',
                                   'xtcocotools-1.14.3.tar.gz')):
    for sub, files in (('wheels', wheels), ('sdists', sdists)):
        (tmp_path / sub).mkdir(exist_ok=True)
        for f in files:
            (tmp_path / sub / f).write_bytes(b'x')
    return str(tmp_path)


def test_check_names_each_problem(tmp_path):
    wheels, _ = make_kit.kit_requirements()
    names = [make_kit._name(r) for r in wheels]
    good = [f'{n.replace("-", "_")}-1.0-py3-none-any.whl' for n in names]
    (tmp_path / 'good').mkdir()
    problems, _, n = make_kit.check_kit(_kit(tmp_path / 'good', good))
    assert problems == [] and n == len(names) + 2
    assert 'shapely' in names[1:]
    bad = good[1:] + ['numpy-2.0.0-py3-none-any.whl',
                      'shapely-2.0.6-cp311-cp311-linux_x86_64.whl']
    (tmp_path / 'bad').mkdir()
    problems, _, _ = make_kit.check_kit(_kit(tmp_path / 'bad', bad))
    text = '\n'.join(problems)
    assert f'{names[0]}: missing from the kit' in text
    assert 'the device already has numpy' in text
    assert 'shapely-2.0.6-cp311-cp311-linux_x86_64.whl: not for CPython ' \
        '3.12' in text
    assert 'shapely is also' in text
