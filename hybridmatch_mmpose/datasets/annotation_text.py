"""Reading text annotation files with errors that name file and line.

The readers of iBUG ``.pts`` files and HRNet-format CSVs (and the
converters built on them) report malformed input as
:class:`AnnotationFileError`, whose message starts with ``<file> line
<n>:`` so that a user can open the file at the right place.
"""
import gzip
import math
from typing import Optional


class AnnotationFileError(ValueError):
    """Malformed or missing input; the message names file and line.

    Args:
        path: the file (any path-like).
        line: 1-based line of the problem, ``None`` for the whole file.
        message: what is wrong there.
    """

    def __init__(self, path, line: Optional[int], message: str):
        self.path, self.line = str(path), line
        where = self.path if line is None else f'{self.path} line {line}'
        super().__init__(f'{where}: {message}')


def read_annotation_text(path) -> str:
    """The whole text of ``path`` (UTF-8, a leading BOM dropped; gzipped
    when the name ends in ``.gz``).

    Raises:
        AnnotationFileError: the file cannot be read or is not text.
    """
    opener = gzip.open if str(path).endswith('.gz') else open
    try:
        with opener(path, 'rt', encoding='utf-8-sig') as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise AnnotationFileError(path, None, f'not a text file ({e.reason})')
    except OSError as e:
        raise AnnotationFileError(path, None, e.strerror or str(e))


def parse_number(text: str, path, line: int, what: str) -> float:
    """``float(text)``, finite, or an :class:`AnnotationFileError` naming
    ``path``, ``line`` and the field ``what``."""
    try:
        value = float(text)
    except ValueError:
        raise AnnotationFileError(path, line,
                                  f'{what}: expected a number, got {text!r}')
    if not math.isfinite(value):
        raise AnnotationFileError(
            path, line, f'{what}: expected a finite number, got {text!r}')
    return value
