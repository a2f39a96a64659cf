"""Reading input files (specs, reports, CSVs), where every way a file can be unreadable
is one error the caller names.

Besides ``OSError`` (missing, a directory, no permission) the text layer raises
``UnicodeDecodeError`` for bytes that are not UTF-8 and ``csv`` its own ``csv.Error`` (a
field past its size limit); neither is an ``OSError``, so a reader that only expects
the latter lets them escape as a traceback (CLI) or a 500 (API). Callers pass the error
type that names their field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path


def read_text(path: Path, error: Callable[[str], Exception]) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped), or ``error(message)``."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise error(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path.name}: not UTF-8 text (invalid byte at offset {exc.start})") from None


def read_dict_rows(
    path: Path,
    columns: Sequence[str],
    error: Callable[[str], Exception],
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of every data row of ``path`` after checking it has ``columns``;
    ``error(message)`` is raised for a missing file, bytes that are not UTF-8, a malformed
    CSV or missing columns. An empty list when the file has a header and no rows."""
    reader = csv.DictReader(io.StringIO(read_text(path, error), newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise error(f"{path.name}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            rows.append((line, row))
        return rows
    except csv.Error as exc:
        raise error(f"{path.name}: not a readable CSV after line {len(rows) + 1} ({exc})") from None
