"""Read landing files (CSV in UTF-8, UTF-8 with BOM or GBK/GB18030; XLSX; Parquet) as text records.

Every reader yields ``(line_number, cells)`` where cells are strings exactly as delivered, so that
typing and validation happen once, in DuckDB, for every format. DuckDB's own excel and encodings
extensions download at run time and are not available offline, so these formats are read here.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CSV_SUFFIXES = (".csv", ".txt")
SNIFF_BYTES = 1 << 20


class LandingFileError(ValueError):
    """A file that cannot be read at all; the message names the file and line."""


@dataclass
class RecordStream:
    path: Path
    encoding: str
    header: list[str]
    header_line: int
    records: Iterator[tuple[int, list[str]]]


def detect_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-8, or GB18030 (a superset of GBK and GB2312)."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A cut multi-byte sequence at the sniff boundary is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise LandingFileError(
            f"{path}: line {line}: bytes are neither UTF-8 nor GBK/GB18030") from exc


def _csv_records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        previous_end = 0
        try:
            for row in reader:
                yield previous_end + 1, row
                previous_end = reader.line_num
        except UnicodeDecodeError as exc:
            raise LandingFileError(
                f"{path}: after line {previous_end}: not valid {encoding} "
                f"({exc.reason}); save the file as UTF-8 or GB18030") from exc
        except csv.Error as exc:
            raise LandingFileError(f"{path}: line {previous_end + 1}: {exc}") from exc


def cell_text(value: object) -> str:
    """Text of one spreadsheet or Parquet cell, exact for decimals and dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store numbers as binary floats; repr() is the shortest text that maps back
        # to the same float, which is the decimal the sender typed (up to 15 significant digits).
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(decimal.Decimal(text), "f")
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _xlsx_records(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in row]
    finally:
        book.close()


def _parquet_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    yield 1, list(pf.schema_arrow.names)
    number = 1
    for batch in pf.iter_batches(batch_size=65536):
        columns = [col.to_pylist() for col in batch.columns]
        for i in range(batch.num_rows):
            number += 1
            yield number, [cell_text(col[i]) for col in columns]


def open_records(path: Path, entity: str) -> RecordStream:
    """Open a landing file; the first record is the header."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        encoding = detect_encoding(path)
        records = _csv_records(path, encoding)
    elif suffix == ".xlsx":
        encoding = "xlsx"
        records = _xlsx_records(path, entity)
    elif suffix == ".parquet":
        encoding = "parquet"
        records = _parquet_records(path)
    else:
        raise LandingFileError(f"{path}: unsupported file type {suffix!r}")
    try:
        header_line, header = next(records)
    except StopIteration:
        raise LandingFileError(f"{path}: the file is empty (no header line)") from None
    return RecordStream(path, encoding, header, header_line, records)
