"""Turn a query result into the table the committee sees: translated headers, exact amounts,
and its exports.

Amount columns are rendered to text by :func:`dashboard.formatting.format_amount` from the Decimal
values (never through float), in the amount unit the reader chose in the sidebar (元 / 万元 / 亿元
for CNY; units / thousands / millions otherwise: ``dashboard.units``); codes are translated,
headers come from ``i18n`` (``col.<name>``). :func:`show` puts CSV and XLSX download buttons under
every table (``dashboard.export``), so a page gets its exports by using it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, export, formatting
from dashboard.i18n import code_label, translate
from dashboard.units import BASE, Unit

TEXT = "text"
AMOUNT = "amount"
COUNT = "count"
DATE = "date"
TIMESTAMP = "timestamp"
CODE = "code"
BOOL = "bool"


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = TEXT
    code_kind: str | None = None  # for CODE columns: the i18n prefix (``loan_status`` ...)


def _bool_label(value: Any, lang: str) -> str:
    if formatting.is_missing(value):
        return ""
    return translate("bool.true" if bool(value) else "bool.false", lang)


# Session-state keys the shell sets for every run (see ``shell.store_context``).
CONTEXT_KEY = "_postloan_context"
TABLE_KEYS = "_postloan_table_keys"


def _context() -> Any:
    try:
        return st.session_state.get(CONTEXT_KEY)
    except Exception:  # noqa: BLE001 - no Streamlit session (pure tests)
        return None


def reader_unit() -> tuple[Unit, str | None]:
    """The amount unit the reader chose and the chosen portfolio's currency (plain unit and no
    currency outside a dashboard run)."""
    context = _context()
    unit = getattr(context, "unit", None)
    return (unit or BASE["one"]), getattr(context, "currency", None)


def display_frame(
    frame: pd.DataFrame,
    columns: Sequence[Col],
    lang: str,
    unit: Unit | None = None,
    currency: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The display copy of ``frame`` (only ``columns``, in that order) and its column config.

    Amounts are shown in ``unit`` (default: the reader's choice); in a unit other than the plain
    one their header names it (``贷款余额（万元）``).
    """
    if unit is None:
        unit, currency = reader_unit()
    shown: dict[str, pd.Series] = {}
    config: dict[str, Any] = {}
    for col in columns:
        header = translate(f"col.{col.name}", lang)
        values = frame[col.name]
        if col.kind == AMOUNT:
            if unit.exponent:
                header = export.amount_header(col.name, unit, currency, lang)
            shown[header] = values.map(lambda v: formatting.format_amount(unit.scale(v))).astype(
                object
            )
            config[header] = st.column_config.TextColumn(header, alignment="right")
        elif col.kind == DATE:
            shown[header] = values.map(formatting.format_date).astype(object)
        elif col.kind == TIMESTAMP:
            shown[header] = values.map(formatting.format_timestamp).astype(object)
        elif col.kind == CODE:
            kind = col.code_kind or col.name
            shown[header] = values.map(
                lambda v, k=kind: "" if formatting.is_missing(v) else code_label(k, v, lang)
            ).astype(object)
        elif col.kind == BOOL:
            shown[header] = values.map(lambda v: _bool_label(v, lang)).astype(object)
        else:
            shown[header] = values
    return pd.DataFrame(shown, index=frame.index).reset_index(drop=True), config


# --- exports ------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text).strip("_") or "table"


def _table_key(name: str) -> str:
    """A widget key unique within the run: the table's name and its number among equal names."""
    try:
        counts = st.session_state.setdefault(TABLE_KEYS, {})
    except Exception:  # noqa: BLE001
        counts = {}
    counts[name] = counts.get(name, 0) + 1
    return f"export:{name}:{counts[name]}"


def file_stem(name: str) -> str:
    """``loans_lendingclub_2018q1_2018-06-30``: the table, then the portfolio and as-of date."""
    context = _context()
    parts = [name]
    for value in (getattr(context, "portfolio_id", None), getattr(context, "as_of", None)):
        if value is not None:
            parts.append(str(value))
    return _slug("_".join(parts))


def _logged(
    make: Callable[[], bytes], columns: Sequence[str], rows: int, what: str
) -> Callable[[], bytes]:
    """``make`` that first logs the export when ``columns`` include unmasked personal data
    (``auth.personal_columns_of`` of the exported frame). The reader and the file are taken now:
    the download runs outside the script run."""
    personal = sorted(columns)
    context = _context()
    snapshot = getattr(context, "snapshot", None)
    if not personal or snapshot is None or snapshot.masked:
        return make
    viewer = getattr(context, "user", None)
    path = snapshot.path

    def logged() -> bytes:
        from pathlib import Path

        auth.log_personal_access(Path(path), viewer, "export", what, personal, rows)
        return make()

    return logged


def download_buttons(
    name: str,
    sheet_name: str,
    make_frame: Callable[[], tuple[pd.DataFrame, dict[str, str]]],
    source_columns: Sequence[str],
    rows: int,
) -> None:
    """CSV and XLSX buttons for one table; the files are made only when a button is clicked."""
    key = _table_key(name)
    stem = file_stem(name)

    def csv() -> bytes:
        return export.csv_bytes(make_frame()[0])

    def xlsx() -> bytes:
        frame, kinds = make_frame()
        return export.xlsx_bytes([export.Sheet(sheet_name, frame, kinds)])

    lang = getattr(_context(), "lang", None) or "zh"
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        translate("export.csv", lang),
        _logged(csv, source_columns, rows, name),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}:csv",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )
    row.download_button(
        translate("export.xlsx", lang),
        _logged(xlsx, source_columns, rows, name),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}:xlsx",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )


def export_buttons(
    frame: pd.DataFrame,
    columns: Sequence[Col],
    lang: str,
    name: str | None = None,
    unit: Unit | None = None,
    currency: str | None = None,
    fetch: Callable[[], pd.DataFrame] | None = None,
    rows: int | None = None,
) -> None:
    """CSV / XLSX of ``frame`` as the table shows it (same columns, headers in ``lang``, amounts
    exact in the reader's unit). With ``fetch`` the file holds the rows it returns, read only when
    a button is clicked (``frame`` is then the drawn part, ``rows`` how many the file will hold)."""
    if unit is None:
        unit, currency = reader_unit()
    name = name or columns[0].name

    def make() -> tuple[pd.DataFrame, dict[str, str]]:
        return export.export_frame(fetch() if fetch else frame, columns, lang, unit, currency)

    exported = frame[[c.name for c in columns]]
    download_buttons(name, name, make, auth.personal_columns_of(exported),
                     len(frame) if rows is None else rows)


def export_plain(table: pd.DataFrame, name: str, sheet: str) -> None:
    """CSV / XLSX of a table built for the screen with headers already translated (a matrix)."""

    def make() -> tuple[pd.DataFrame, dict[str, str]]:
        return table, export.plain_kinds(table)

    download_buttons(name, sheet, make, [], len(table))


# Rows of a table formatted and drawn on screen: more cannot be read there, and sending them to
# the browser costs seconds at a million rows (docs/benchmarks.md); the exports hold them all.
SCREEN_ROWS = 2_000


def show(
    frame: pd.DataFrame,
    columns: Sequence[Col],
    lang: str,
    *,
    name: str | None = None,
    exports: bool = True,
    select_key: str | None = None,
    **kwargs: Any,
) -> int | None:
    """``st.dataframe`` of the display copy of ``frame``, with its CSV and XLSX exports.

    With ``select_key`` the rows can be selected (one at a time) for a drill-down: the position
    of the selected row in ``frame`` is returned (None when none is selected).

    Only the first SCREEN_ROWS rows are formatted and drawn (a caption says how many there are);
    the exports hold every row of ``frame``.
    """
    unit, currency = reader_unit()
    drawn = frame
    if len(frame) > SCREEN_ROWS:
        st.caption(translate("tables.first_rows_of", lang,
                             shown=formatting.format_count(SCREEN_ROWS),
                             count=formatting.format_count(len(frame))))
        drawn = frame.head(SCREEN_ROWS)
    table, config = display_frame(drawn, columns, lang, unit, currency)
    selected = None
    if select_key is None:
        st.dataframe(table, hide_index=True, column_config=config, **kwargs)
    else:
        event = st.dataframe(
            table,
            hide_index=True,
            column_config=config,
            key=select_key,
            on_select="rerun",
            selection_mode="single-row",
            **kwargs,
        )
        rows = [r for r in event.selection.rows if r < len(drawn)]
        selected = rows[0] if rows else None
    if exports:
        export_buttons(frame, columns, lang, name, unit, currency)
    return selected


def chart_beside(
    chart: Any,
    frame: pd.DataFrame,
    columns: Sequence[Col],
    lang: str,
    select_key: str | None = None,
) -> int | None:
    """A chart and the exact figures behind it, side by side (the pages' common layout); with
    ``select_key`` the figures' rows can be selected (see :func:`show`)."""
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(chart, width="stretch")
    with right:
        return show(frame, columns, lang, select_key=select_key)
