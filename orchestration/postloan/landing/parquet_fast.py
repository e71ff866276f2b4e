"""A fast path for Parquet landing files: the cells' text made by Arrow, not one Python call each.

The general reader (``readers._parquet_records``) turns every cell into text in Python, which
caps a large Parquet delivery at roughly a hundred thousand rows per second. A Parquet file whose
columns are all text, integers, decimals, dates or booleans can be turned into exactly the same
text by Arrow's own casts (decimals keep their scale, dates are ISO, booleans true/false, a
missing value is empty text), a million rows at a time.

The fast path only takes files in which no record could be a blank line, a repeated header or a
totals line (the general path's ``_classify``): it looks for a superset of those (any record whose
cells are all empty or white space, whose first cell is the first header name once white space is
removed, or with any cell that is a totals word once white space and colons are removed) and, if
one is found, hands the whole file back to the general path. Parquet records always have the
header's width, so no record can have too many fields. Everything after (typing, every rule,
rejects, the load log) is the same code for both paths.

Columns already stored with the contract's type (dates as dates, money and rates as decimals or
integers, whole numbers as integers, booleans as booleans) are not turned into text at all: they
reach DuckDB as they are (``native_positions``), and the loader types them with a cast instead of
parsing text (``load.typed_expr``). Such a cell can be empty but never a word, so the blank-line,
header and totals tests read only the text columns and the native columns' nulls.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyarrow.types as pt

BATCH_ROWS = 1 << 20
# Python's str.split() white space, as an RE2 class, plus the byte-order mark.
WHITE = r"[\s\x{85}\x{a0}\x{1680}\x{2000}-\x{200b}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}" \
        r"\x{1c}-\x{1f}\x{feff}]"


def _fast_type(t: pa.DataType) -> bool:
    return (pt.is_string(t) or pt.is_large_string(t) or pt.is_integer(t) or pt.is_decimal(t)
            or pt.is_date32(t) or pt.is_boolean(t))


def _spelled(word: str, white: str) -> str:
    """RE2 pattern of a cell that is ``word`` once the characters of the class ``white`` are
    removed from it."""
    return "^" + white + "*" + "".join(re.escape(ch) + white + "*" for ch in word) + "$"


def _suspicious(columns: list[pa.Array], native: list[bool], header0: str,
                totals: tuple[str, ...]) -> bool:
    """Could any record be blank, a repeated header or a totals line? (a superset)

    Each test is one regular-expression match per cell (no cell is rewritten): a lower-cased cell
    is the header's first name, or a totals word, once white space (and, for totals, colons) is
    removed, exactly when it matches that name spelled with optional white space between its
    characters."""
    blank = None
    for col, n in zip(columns, native, strict=True):
        empty = pc.is_null(col) if n else \
            pc.or_kleene(pc.is_null(col), pc.match_substring_regex(col, f"^{WHITE}*$"))
        blank = empty if blank is None else pc.and_kleene(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        return True
    lowered = [None if n else pc.utf8_lower(col) for col, n in zip(columns, native, strict=True)]
    if lowered and lowered[0] is not None and \
            pc.any(pc.match_substring_regex(lowered[0], _spelled(header0, WHITE))).as_py():
        return True
    white_or_colon = WHITE[:-1] + ":：]"
    words = sorted({w.replace(" ", "") for w in totals})
    pattern = "|".join(f"(?:{_spelled(w, white_or_colon)})" for w in words)
    return any(pc.any(pc.match_substring_regex(low, pattern)).as_py()
               for low in lowered if low is not None)


def file_types(path: Path) -> list[pa.DataType]:
    """The Arrow type of each column of a Parquet file, in file order."""
    return [f.type for f in pq.ParquetFile(path).schema_arrow]


def text_batches(path: Path, header0: str, totals: tuple[str, ...],
                 native_positions: frozenset[int] = frozenset()):
    """Each record batch's columns, a million rows at a time: as text (nulls as empty text), or
    as they are for the columns at ``native_positions``.

    Raises ``NotFast`` when the file must take the general path: before the first batch for a
    column type, or at the batch holding a record that may be skipped (the caller then discards
    what it took so far)."""
    pf = pq.ParquetFile(path)
    if not all(_fast_type(f.type) for f in pf.schema_arrow):
        raise NotFast("a column type the fast path does not cast")
    for batch in pf.iter_batches(batch_size=BATCH_ROWS):
        native = [i in native_positions for i in range(batch.num_columns)]
        columns = [col if n else pc.cast(col, pa.string())
                   for col, n in zip(batch.columns, native, strict=True)]
        if _suspicious(columns, native, header0, totals):
            raise NotFast("a record may be blank, a repeated header or a totals line")
        yield [col if n else pc.fill_null(col, "")
               for col, n in zip(columns, native, strict=True)]


class NotFast(Exception):
    """The file goes through the general path."""
