"""The one HRNet-CSV reader (``hybridmatch_mmpose/datasets/hrnet_csv.py``)
on small CSVs written here: values as written, plain and gzipped alike,
errors naming file and line. (The real 300-W CSVs are read in
``tests/test_tools/test_convert_300w.py`` when the shared folder is at
hand.)"""
import gzip

import numpy as np
import pytest

from hybridmatch_mmpose.datasets.annotation_text import AnnotationFileError
from hybridmatch_mmpose.datasets.hrnet_csv import (read_hrnet_csv,
                                                   stack_keypoints)

K = 3


def _csv(rows, header=None):
    header = header or ['image_name', 'scale', 'center_w', 'center_h'] + [
        f'original_{i}_{a}' for i in range(K) for a in 'xy']
    return '\n'.join([','.join(header)] + [','.join(r) for r in rows]) + '\n'


ROWS = [['a/ibug_1.png', '1.5', '10.25', '20.5', '1', '2', '3', '4', '5',
         '6.125'],
        ['b.png', '0.75', '7', '8', '-1.5', '0', '2', '2', '9', '1e-3']]


def test_values_as_written_plain_and_gzipped(tmp_path):
    plain = tmp_path / 'f.csv'
    plain.write_text(_csv(ROWS[:1] + [[''] * 0] + ROWS[1:]))  # blank line
    packed = tmp_path / 'f.csv.gz'
    with gzip.open(packed, 'wt') as f:
        f.write(plain.read_text())
    for path in (plain, packed):
        rows = read_hrnet_csv(path, K)
        assert [r.image_name for r in rows] == ['a/ibug_1.png', 'b.png']
        assert [r.line for r in rows] == [2, 4]
        assert [r.index for r in rows] == [0, 1]
        assert rows[0].scale == 1.5 and rows[0].center == (10.25, 20.5)
        np.testing.assert_array_equal(
            stack_keypoints(rows, K),
            [[[1, 2], [3, 4], [5, 6.125]], [[-1.5, 0], [2, 2], [9, 1e-3]]])


@pytest.mark.parametrize('rows, line, words', [
    ([ROWS[0][:-1]], 2, '9 fields, the header has 10'),
    ([ROWS[0][:5] + ['nan'] + ROWS[0][6:]], 2,
     "original_0_y: expected a finite number, got 'nan'"),
    ([ROWS[0], ROWS[1][:1] + ['0'] + ROWS[1][2:]], 3, 'scale must be > 0'),
    ([[''] + ROWS[0][1:]], 2, 'empty image_name'),
])
def test_errors_name_file_and_line(tmp_path, rows, line, words):
    path = tmp_path / 'bad.csv'
    path.write_text(_csv(rows))
    with pytest.raises(AnnotationFileError) as err:
        read_hrnet_csv(path, K)
    assert str(err.value).startswith(f'{path} line {line}: ')
    assert words in str(err.value)


def test_missing_column_and_file(tmp_path):
    path = tmp_path / 'cols.csv'
    path.write_text(_csv(ROWS, header=['image_name', 'scale', 'cw', 'ch'] +
                         [f'original_{i}_{a}' for i in range(K)
                          for a in 'xy']))
    with pytest.raises(AnnotationFileError,
                       match='line 1: header lacks column.s. center_w'):
        read_hrnet_csv(path, K)
    with pytest.raises(AnnotationFileError, match='nowhere.csv'):
        read_hrnet_csv(tmp_path / 'nowhere.csv', K)
