"""The one reader of HRNet-format 300-W CSVs in this repository.

HRNet's ``face_landmarks_300w_*.csv`` files (from which MMPose's released
300-W JSON files were made) hold one face a row::

    image_name, scale, center_w, center_h, original_0_x, original_0_y, ...

The converter ``tools/dataset_converters/convert_300w.py``, the
SynthFace-68 shape prior and ``tools/benchmarks/codec_roundtrip.py`` all
read them through :func:`read_hrnet_csv`.
"""
import csv
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

from .annotation_text import (AnnotationFileError, parse_number,
                              read_annotation_text)


@dataclass
class HrnetCsvRow:
    """One data row of an HRNet-format CSV."""
    csv_path: str
    line: int  # 1-based line in the file (the header is line 1)
    index: int  # 0-based data-row index in the file
    image_name: str
    scale: float  # face box size / 200
    center: Tuple[float, float]
    keypoints: np.ndarray  # (K, 2) float64, values as written


def read_hrnet_csv(path, num_keypoints: int = 68) -> List[HrnetCsvRow]:
    """Read an HRNet-format CSV, plain or gzipped (``.gz``).

    Columns are found by their header names; numbers are kept as Python
    parses the CSV text (no rounding); blank lines are skipped.

    Args:
        path: the CSV file.
        num_keypoints: K, the ``original_{i}_{x,y}`` columns read.

    Returns:
        The data rows in file order.

    Raises:
        AnnotationFileError: naming the file, line and column of the first
            problem (missing column, wrong field count, a value that is not
            a finite number, ``scale <= 0``, an empty ``image_name``).
    """
    text = read_annotation_text(path)
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise AnnotationFileError(path, None, 'empty file (no header line)')
    wanted = ['image_name', 'scale', 'center_w', 'center_h']
    for i in range(num_keypoints):
        wanted += [f'original_{i}_x', f'original_{i}_y']
    missing = [name for name in wanted if name not in header]
    if missing:
        shown = ', '.join(missing[:4]) + (' ...' if len(missing) > 4 else '')
        raise AnnotationFileError(
            path, 1, f'header lacks column(s) {shown} '
            f'(expected an HRNet-format CSV with {num_keypoints} keypoints)')
    col = {name: header.index(name) for name in wanted}
    kp_cols = [col[name] for name in wanted[4:]]

    rows = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            raise AnnotationFileError(
                path, line, f'{len(row)} fields, the header has {len(header)}')
        name = row[col['image_name']].strip()
        if not name:
            raise AnnotationFileError(path, line, 'empty image_name')
        values = {
            key: parse_number(row[col[key]], path, line, key)
            for key in ('scale', 'center_w', 'center_h')
        }
        if values['scale'] <= 0:
            raise AnnotationFileError(
                path, line, f"scale must be > 0, got {row[col['scale']]!r}")
        keypoints = np.array([
            parse_number(row[c], path, line, header[c]) for c in kp_cols
        ]).reshape(num_keypoints, 2)
        rows.append(
            HrnetCsvRow(
                csv_path=str(path),
                line=line,
                index=len(rows),
                image_name=name,
                scale=values['scale'],
                center=(values['center_w'], values['center_h']),
                keypoints=keypoints))
    return rows


def stack_keypoints(rows: Sequence[HrnetCsvRow],
                    num_keypoints: int = 68) -> np.ndarray:
    """The rows' keypoints as one (N, K, 2) float64 array."""
    return np.asarray([r.keypoints for r in rows],
                      np.float64).reshape(-1, num_keypoints, 2)
