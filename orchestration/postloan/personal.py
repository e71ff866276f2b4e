"""Personal data (names and identity numbers) never enters a build's own file.

The masked published copy must hold no trace of the originals, not even in freed blocks. Up to
the eleventh round of docs/benchmarks.md that meant writing every row of the warehouse a second
time, masked on the way (165 s of a 913 s build at a million loans). Instead the loader masks each
personal column as it writes a row, and keeps the original in a small side file beside the
build (``personal_path``), keyed by batch and entity key. Everything built from the raw tables
(dbt, the checks) sees only masked values. At publication the build file, which never held an
original, is copied byte for byte as the masked copy; then the originals are written back into
the build file (``restore``), which becomes the full warehouse.

Guards keep that honest. ``unrestorable`` runs before the copy: a personal column whose value is
not the mask of the original on record (an original that slipped in, or a row with no original to
restore), or a quarantined record with a name or id number in it, stops publication. A table that
carries a personal column but not the keys to find its original (batch_id and the entity's key)
stops it too, so a new model that carries a name must carry them. And a build records that it was
loaded this way (``meta.personal_originals``), so that it is refused if its side file is lost.
Only columns under the contract's names are known: a model must not rename one.

The quarantine (raw.rejects) keeps a rejected record with its personal fields as ``***`` in both
copies: the file and line point to the original, which its owner holds.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from postloan.landing.contract import ENTITIES

PERSONAL_COLUMNS = tuple(sorted({col.name for e in ENTITIES for col in e.columns if col.personal}))
# The entities with personal columns, and the key of their originals in the side file.
PERSONAL_ENTITIES = {e.name: (e.key, tuple(col.name for col in e.columns if col.personal))
                     for e in ENTITIES if any(col.personal for col in e.columns)}
# What the side file is attached as in the loader's connection.
ALIAS = "postloan_personal"
# Who may read a file with personal originals (the side file, the full copy): its owner and
# group; and the masked copy: everyone who can reach the folder.
FULL_COPY_MODE, MASKED_COPY_MODE = 0o640, 0o644


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def masked_expression(column: str, value: str | None = None) -> str:
    """SQL masking one personal column: names keep their first character (张三 -> 张*), identity
    numbers their last four characters; null stays null. ``value`` is the SQL of the value
    (default: the column itself)."""
    col = value or quote(column)
    if column == "id_number":
        return f"repeat('*', greatest(length({col}) - 4, 1)) || right({col}, 4)"
    return f"left({col}, 1) || repeat('*', greatest(length({col}) - 1, 1))"


def rejects_select(columns: list[str] | tuple[str, ...]) -> str:
    """A select list over raw.rejects' columns that keeps a rejected record with its personal
    fields (and a personal column's raw value) as ***."""
    record, value = "raw_record", "raw_value"
    for column in PERSONAL_COLUMNS:
        # Only a value is masked: an empty cell stays empty, so a rejection for a missing name
        # still shows that the name was missing.
        present = (f"coalesce(json_extract_string(raw_record, '$.{column}'), '') "
                   "not in ('', '***')")
        record = (f"case when {present} then json_merge_patch({record}, "
                  f"json_object('{column}', '***')) else {record} end")
        value = (f"case when column_name = '{column}' and coalesce(raw_value, '') <> '' "
                 f"then '***' else {value} end")
    # A record kept whole (a JSON list of its cells: more fields than the header) of an entity
    # with personal columns keeps only its first cell. The loader writes it so (with not even
    # that when a personal column comes first); a record carried from a warehouse built by older
    # code may hold the originals.
    entities = ", ".join(f"'{e}'" for e in PERSONAL_ENTITIES)
    record = (f"case when entity in ({entities}) and json_type(raw_record) = 'ARRAY' "
              f"and {_CELLS_UNMASKED} then to_json({_CELLS_MASKED})::varchar "
              f"else {record} end")
    return ", ".join(record + " as raw_record" if c == "raw_record"
                     else value + " as raw_value" if c == "raw_value" else quote(c)
                     for c in columns)


_CELLS = "json_extract_string(raw_record, '$[*]')"
_CELLS_MASKED = (f"list_transform({_CELLS}, (x, i) -> case when i = 1 "
                 "or coalesce(trim(x), '') in ('', '***') then x else '***' end)")
# Whether a record kept whole has a cell after its first that is neither empty nor ***.
_CELLS_UNMASKED = (f"len(list_filter({_CELLS}, (x, i) -> i > 1 "
                   "and coalesce(trim(x), '') not in ('', '***'))) > 0")


def personal_path(build_file: Path) -> Path:
    """The side file of a build's personal originals (removed by publication; a killed build's
    is removed with its build file, whose name it extends)."""
    return build_file.with_name(build_file.stem + ".personal.duckdb")


def attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Attach ``path`` (created when missing) as the side file the loader writes originals to,
    and record in the build (meta.personal_originals) that its personal columns are masked, so
    that publication refuses the build if the side file goes missing."""
    con.execute("attach '" + str(path).replace("'", "''") + f"' as {ALIAS}")
    os.chmod(path, FULL_COPY_MODE)
    for entity, (key, personal) in PERSONAL_ENTITIES.items():
        columns = ", ".join(f"{quote(c)} varchar" for c in ("batch_id", *key, *personal))
        keys = ", ".join(quote(c) for c in ("batch_id", *key))
        con.execute(f"create table if not exists {ALIAS}.{quote(entity)} ({columns}, "
                    f"primary key ({keys}))")
    con.execute("create schema if not exists meta")
    con.execute("create or replace table meta.personal_originals as "
                "select true as kept_apart")


def masked_at_load(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's database was loaded with its personal originals kept apart."""
    return bool(con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'meta' and table_name = 'personal_originals'").fetchone()[0])


def attached(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("select count(*) from duckdb_databases() where database_name = ?",
                            [ALIAS]).fetchone()[0])


def masks(con: duckdb.DuckDBPyConnection, entity: str) -> bool:
    """Whether the loader writes ``entity``'s personal columns masked on this connection: it has
    some, and the build keeps their originals apart (the side file is attached)."""
    return entity in PERSONAL_ENTITIES and attached(con)


def attach_originals(con: duckdb.DuckDBPyConnection, path: Path,
                     alias: str = "personal_originals") -> str:
    """Attach a build's side file read-only (publication reads it); returns the alias."""
    con.execute("attach '" + str(path).replace("'", "''") + f"' as {alias} (read_only)")
    return alias


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str, list[str]]]:
    """Every base table of ``catalog`` with a personal column: (schema, table, its columns)."""
    return con.execute("""
        select table_schema, table_name, list(column_name order by ordinal_position)
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_catalog = ? and t.table_type = 'BASE TABLE'
        group by all
        having list_has_any(list(column_name), ?)
        order by all""", [catalog, list(PERSONAL_COLUMNS)]).fetchall()


def _match(schema: str, table: str, columns: list[str]) -> tuple[str, list[str], tuple[str, ...]]:
    """The entity whose originals a table's personal columns are restored from, its key and the
    table's personal columns; raises when the table lacks the keys to find them."""
    personal = [c for c in columns if c in PERSONAL_COLUMNS]
    for entity, (key, entity_personal) in PERSONAL_ENTITIES.items():
        if set(personal) <= set(entity_personal) and {"batch_id", *key} <= set(columns):
            return entity, personal, key
    raise RuntimeError(
        f"{schema}.{table} carries the personal column(s) {', '.join(personal)} but not "
        "batch_id and the borrower key to restore them by; carry those columns beside them")


def _on_key(key: tuple[str, ...]) -> str:
    """A table's row (t) and its original (o) joined on batch and entity key."""
    return " and ".join(f"t.{quote(k)} = o.{quote(k)}" for k in ("batch_id", *key))


def unrestorable(con: duckdb.DuckDBPyConnection, side: str = ALIAS
                 ) -> list[tuple[str, str, str, int]]:
    """(schema, table, column, rows) whose personal value is not the mask of the original on
    record in ``side``: an original in the build file, or a value with no original to restore.
    Empty means the file can be copied as the masked copy."""
    catalog = con.execute("select current_database()").fetchone()[0]
    found = []
    for schema, table, columns in _tables(con, catalog):
        entity, personal, key = _match(schema, table, columns)
        on = _on_key(key)
        for column in personal:
            bad = con.execute(f"""
                select count(*) from {quote(schema)}.{quote(table)} as t
                left join {side}.{quote(entity)} as o on {on}
                where t.{quote(column)} is distinct from
                      {masked_expression(column, 'o.' + quote(column))}""").fetchone()[0]
            if bad:
                found.append((schema, table, column, bad))
    if con.execute("select count(*) from duckdb_tables() where database_name = ? and "
                   "schema_name = 'raw' and table_name = 'rejects'", [catalog]).fetchone()[0]:
        for column in PERSONAL_COLUMNS:
            # A quarantined record's personal field (and value) must be empty or ***.
            bad = con.execute(f"""
                select count(*) from raw.rejects
                where coalesce(json_extract_string(raw_record, '$.{column}'), '')
                          not in ('', '***')
                   or (column_name = '{column}' and coalesce(raw_value, '') not in ('', '***'))
            """).fetchone()[0]
            if bad:
                found.append(("raw", "rejects", column, bad))
        entities = ", ".join(f"'{e}'" for e in PERSONAL_ENTITIES)
        bad = con.execute(f"""
            select count(*) from raw.rejects
            where entity in ({entities}) and json_type(raw_record) = 'ARRAY'
              and {_CELLS_UNMASKED}""").fetchone()[0]
        if bad:
            found.append(("raw", "rejects", "raw_record (a record kept whole)", bad))
    return found


def restore(con: duckdb.DuckDBPyConnection, side: str = ALIAS) -> list[tuple[str, str, int]]:
    """Write the originals in ``side`` back over the masked personal columns of every table of
    the connection's database; returns (schema, table, rows updated)."""
    catalog = con.execute("select current_database()").fetchone()[0]
    done = []
    for schema, table, columns in _tables(con, catalog):
        entity, personal, key = _match(schema, table, columns)
        sets = ", ".join(f"{quote(c)} = o.{quote(c)}" for c in personal)
        on = _on_key(key)
        rows = con.execute(f"update {quote(schema)}.{quote(table)} as t set {sets} "
                           f"from {side}.{quote(entity)} as o where {on}").fetchone()[0]
        done.append((schema, table, rows))
    return done
