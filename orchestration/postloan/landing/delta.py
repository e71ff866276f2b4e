"""Write a delta batch: what changed between two full snapshots of one portfolio.

``write_delta(base, snapshot, out)`` compares two sealed snapshot batches of the same portfolio,
entity by entity on the contract's key, and writes to ``out`` a batch with ``delivery: delta``
holding only the rows of ``snapshot`` that are new or differ from ``base`` (whole rows; a row
is changed when any cell's text differs). Building ``base`` and then the delta gives the same
warehouse rows as building ``snapshot`` itself (tests/test_delta.py).

A delta cannot remove a row (docs/landing-contract.md, "Deltas"): a key in ``base`` missing
from ``snapshot`` is an error naming the entity, the count and an example key. Files are read
as the generator writes them: UTF-8 CSV with a header, or Parquet; other formats are refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from postloan.landing import contract as c
from postloan.landing.manifest import read_manifest, seal, write_manifest

MEMORY_LIMIT = "3GB"


class DeltaError(ValueError):
    """Two batches that cannot be expressed as a delta; the message says why."""


def _relation(path: Path) -> str:
    literal = "'" + str(path).replace("'", "''") + "'"
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({literal})"
    if path.suffix.lower() == ".csv":
        return (f"read_csv({literal}, header = true, all_varchar = true, delim = ',', "
                "quote = '\"', escape = '\"')")
    raise DeltaError(f"{path}: only CSV (UTF-8) and Parquet files can be compared for a delta")


def write_delta(base: Path, snapshot: Path, out: Path) -> Path:
    """Write the delta of ``snapshot`` on ``base`` to the folder ``out`` (sealed); return it."""
    b, s = read_manifest(base), read_manifest(snapshot)
    where = f"{snapshot} on {base}"
    if "delta" in (b.delivery, s.delivery):
        raise DeltaError(f"{where}: both batches must be full snapshots")
    if b.portfolio_id != s.portfolio_id or b.kind != "portfolio" or s.kind != "portfolio":
        raise DeltaError(f"{where}: not two batches of one portfolio")
    if b.as_of >= s.as_of:
        raise DeltaError(f"{where}: the snapshot ({s.as_of}) must be later than the base "
                         f"({b.as_of})")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.iterdir():
        if stale.is_file():
            stale.unlink()
    files: dict[str, dict] = {}
    # Bounded memory: at a million loans the schedules compared are 36 million rows each, which
    # spill to disk beside the output rather than take the machine's memory.
    spill = out.with_name(out.name + ".spill")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 2,
                                 "temp_directory": str(spill),
                                 "preserve_insertion_order": False})
    try:
        for entity in c.ENTITIES:
            new = s.files.get(entity.name)
            if new is None:
                if entity.name in b.files:
                    raise DeltaError(f"{where}: {entity.name} is delivered in the base but not "
                                     "in the snapshot; a delta cannot remove rows")
                continue
            old = b.files.get(entity.name)
            key = ", ".join(f'"{k}"' for k in entity.key)
            con.execute(f"create or replace temp view new_rows as select * from "
                        f"{_relation(new.path)}")
            if old is None:
                changed = "select * from new_rows"
            else:
                con.execute(f"create or replace temp view old_rows as select * from "
                            f"{_relation(old.path)}")
                # Rows are compared column by column in file order: both files must have the
                # same columns in the same order, or the comparison would pair wrong cells.
                columns = [[r[0] for r in con.execute(f"describe {view}").fetchall()]
                           for view in ("old_rows", "new_rows")]
                if columns[0] != columns[1]:
                    raise DeltaError(f"{where}: {entity.name}: the files' columns differ "
                                     f"({', '.join(columns[0])} against "
                                     f"{', '.join(columns[1])})")
                gone = con.execute(f"select count(*), min(concat_ws('|', {key})) from old_rows "
                                   f"anti join new_rows using ({key})").fetchone()
                if gone[0]:
                    raise DeltaError(f"{where}: {entity.name}: {gone[0]} row(s) of the base are "
                                     f"not in the snapshot (for example key {gone[1]}); a delta "
                                     "cannot remove rows")
                changed = "select * from new_rows except all select * from old_rows"
            target = out / new.path.name
            fmt = ("(format parquet)" if target.suffix.lower() == ".parquet"
                   else "(format csv, header true)")
            literal = "'" + str(target).replace("'", "''") + "'"
            # Rows in key order, so the same inputs give the same bytes.
            rows = con.execute(f"copy ({changed} order by {key}) to {literal} {fmt}"
                               ).fetchone()[0]
            if rows:
                files[entity.name] = {"path": target.name, "rows": rows}
            else:
                target.unlink()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    data = {k: v for k, v in s.raw.items() if k not in ("files", "absent")}
    data["as_of"] = s.as_of.isoformat()
    data["delivery"] = "delta"
    data["base_as_of"] = b.as_of.isoformat()
    data["files"] = files
    write_manifest(out, data)
    seal(out)
    return out
