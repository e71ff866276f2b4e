"""Writing landing batches: CSV files in contract column order, control totals, and the manifest.

Every adapter hands this module plain rows (dicts keyed by contract column names). The module
writes each entity as ``<entity>.csv`` (UTF-8, no BOM, ``\\n`` line ends, every contract column in
contract order, empty text for a missing value), then the manifest with the row count and the sum
of every money column of each file, then seals it (fills in the byte sizes). Nothing here reads the
clock, so the same rows always give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from postloan.landing.contract import ENTITIES, ENTITY_BY_NAME, MONEY
from postloan.landing.manifest import seal, write_manifest

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> str:
    """An amount as exact text with two decimal places (half-up rounding, never a float)."""
    if isinstance(value, float):  # pragma: no cover - a programming error, not a data case
        raise TypeError("money must not be a float")
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def cell(value: Any) -> str:
    """Text of one value: dates in ISO form, booleans as true/false, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):  # pragma: no cover - a programming error, not a data case
        raise TypeError("floats are not written; use Decimal")
    return str(value)


def write_entity(folder: Path, entity: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Write ``<entity>.csv`` and return its manifest entry (path, rows, money sums)."""
    spec = ENTITY_BY_NAME[entity]
    columns = spec.column_names
    money_columns = [c.name for c in spec.columns if c.type == MONEY]
    sums = {name: Decimal("0") for name in money_columns}
    used = {name: False for name in money_columns}
    count = 0
    path = folder / f"{entity}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            unknown = set(row) - set(columns)
            if unknown:
                raise KeyError(f"{entity}: columns not in the contract: {sorted(unknown)}")
            texts = [cell(row.get(name)) for name in columns]
            for name in money_columns:
                text = texts[columns.index(name)]
                if text:
                    sums[name] += Decimal(text)
                    used[name] = True
            writer.writerow(texts)
            count += 1
    entry: dict[str, Any] = {"path": path.name, "rows": count}
    control = {name: money(total) for name, total in sums.items() if used[name]}
    if control:
        entry["sums"] = control
    return entry


def write_batch(folder: Path, header: Mapping[str, Any],
                tables: Mapping[str, Iterable[Mapping[str, Any]]],
                absent: Mapping[str, str]) -> Path:
    """Write one batch folder: the CSV files, then the manifest, then seal it.

    ``header`` holds the manifest fields before ``files`` (portfolio_id, as_of, ...). Every
    contract entity must be either in ``tables`` or in ``absent`` with a reason.
    """
    missing = [e.name for e in ENTITIES
               if e.name not in tables and e.name not in absent and not e.optional]
    both = sorted(set(tables) & set(absent))
    if missing or both:
        raise ValueError(f"{folder}: entities neither delivered nor absent: {missing}; "
                         f"both: {both}")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.csv"):
        if stale.stem not in tables:
            stale.unlink()
    files = {}
    for entity in (e.name for e in ENTITIES):
        if entity in tables:
            files[entity] = write_entity(folder, entity, tables[entity])
    data = dict(header)
    data["files"] = files
    data["absent"] = {e.name: absent[e.name] for e in ENTITIES if e.name in absent}
    write_manifest(folder, data)
    seal(folder)
    return folder
