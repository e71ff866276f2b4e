"""Writing generated entities: Arrow columns in contract order, CSV or Parquet, control totals.

Each entity file is written in pieces (chunks of loans) through one writer that keeps the row
count and the exact cent sum of every money column for the manifest. CSV files follow the
adapters' layout (UTF-8, no BOM, ``\\n`` line ends, a header of contract names, every contract
column in contract order, nothing quoted, empty text for a missing value); Parquet files carry
the same columns typed (decimal money, dates, booleans). Neither depends on the clock.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (registers pa.compute)
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from postloan.adapters._write import money
from postloan.landing import contract as c

ARROW_TYPES = {
    c.TEXT: pa.string(), c.CODE: pa.string(), c.DATE: pa.date32(),
    c.MONEY: pa.decimal128(20, 2), c.RATE: pa.decimal128(8, 2), c.INTEGER: pa.int32(),
    c.NUMBER: pa.decimal128(24, 6), c.BOOLEAN: pa.bool_(),
}
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, quoting_style="none",
                                 quoting_header="none", eol="\n")


def cents(values: np.ndarray, valid: np.ndarray | None = None,
          type_: pa.DataType = ARROW_TYPES[c.MONEY]) -> pa.Array:
    """Integer hundredths as an exact decimal array with two places (no float on the way)."""
    v = np.ascontiguousarray(values, dtype=np.int64)
    words = np.empty((len(v), 2), dtype=np.int64)
    words[:, 0] = v
    words[:, 1] = np.where(v < 0, -1, 0)
    arr = pa.Array.from_buffers(type_, len(v), [None, pa.py_buffer(words)])
    if valid is not None:
        arr = pa.compute.if_else(pa.array(valid), arr, pa.scalar(None, type_))
    return arr


def dates(day_numbers: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(np.asarray(day_numbers, dtype=np.int32), type=pa.date32())
    if valid is not None:
        arr = pa.compute.if_else(pa.array(valid), arr, pa.scalar(None, pa.date32()))
    return arr


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """prefix + zero-padded number, vectorised."""
    text = pa.compute.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()),
                                width=width, padding="0")
    return pa.compute.binary_join_element_wise(pa.scalar(prefix), text, "")


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise join of string arrays and literals."""
    return pa.compute.binary_join_element_wise(*parts, "")


class EntityWriter:
    """One landing file, written in pieces; keeps its manifest entry."""

    def __init__(self, folder: Path, entity: str, fmt: str):
        self.spec = c.ENTITY_BY_NAME[entity]
        self.fmt = fmt
        self.path = folder / f"{entity}.{fmt}"
        self.schema = pa.schema([(col.name, ARROW_TYPES[col.type]) for col in self.spec.columns])
        self.money = [col.name for col in self.spec.columns if col.type == c.MONEY]
        self.sums = {name: 0 for name in self.money}
        self.used = {name: False for name in self.money}
        self.rows = 0
        self._writer: pacsv.CSVWriter | pq.ParquetWriter | None = None

    def write(self, columns: dict[str, pa.Array | np.ndarray]) -> None:
        unknown = set(columns) - set(self.schema.names)
        if unknown:
            raise KeyError(f"{self.spec.name}: columns not in the contract: {sorted(unknown)}")
        length = len(next(iter(columns.values())))
        arrays = []
        for field in self.schema:
            value = columns.get(field.name)
            if value is None:
                arrays.append(pa.nulls(length, field.type))
            else:
                arrays.append(pa.array(value).cast(field.type) if not isinstance(
                    value, pa.Array) else value.cast(field.type))
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        for name in self.money:
            column = table.column(name)
            if column.null_count < len(column):
                self.used[name] = True
                total = pa.compute.sum(column.cast(pa.decimal128(38, 2))).as_py()
                self.sums[name] += int(total * 100) if total is not None else 0
        self.rows += length
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.fmt == "csv":
                self._writer = pacsv.CSVWriter(str(self.path), self.schema,
                                               write_options=CSV_OPTIONS)
            else:
                self._writer = pq.ParquetWriter(str(self.path), self.schema,
                                                compression="zstd")
        if length:
            if self.fmt == "csv":
                self._writer.write_table(table)
            else:
                self._writer.write_table(table, row_group_size=1 << 20)

    def close(self) -> dict:
        if self._writer is None:  # nothing written: still deliver a file with a header
            self.write({self.schema.names[0]: pa.array([], pa.string())})
        self._writer.close()
        entry: dict = {"path": self.path.name, "rows": self.rows}
        control = {name: money(_cents_text(total))
                   for name, total in self.sums.items() if self.used[name]}
        if control:
            entry["sums"] = control
        return entry


def _cents_text(total: int) -> str:
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 100}.{total % 100:02d}"
