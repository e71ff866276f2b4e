"""Tables as files: CSV and XLSX, with the headers of the chosen language and exact amounts.

* The export frame (:func:`export_frame`) has the same columns as the table on screen, headers
  translated, codes as labels; amounts are ``Decimal`` in the chosen unit (exact: scaling by a
  power of ten only moves the decimal point) and their header names the unit.
* CSV (:func:`csv_bytes`) is UTF-8 with a byte-order mark, so Excel opens Chinese headers
  correctly; a Decimal is written as its own exact text (``123.456789``), never through a float.
* XLSX (:func:`xlsx_bytes`): amounts are numeric cells with the format ``#,##0.00`` (two places
  shown, the cell holds the whole value), counts ``#,##0``, dates real dates. openpyxl writes a
  number as ``"%.16g" % value``; a Decimal whose text would change that way (more than 15
  significant digits, beyond what a spreadsheet number holds) is written as a text cell instead,
  so no figure in the file ever differs from the warehouse's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboard import formatting
from dashboard.i18n import code_label, translate
from dashboard.units import BASE, Unit

AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its (translated) name, the export frame, and each column's kind
    (``tables`` kinds: amount, count, date, timestamp, text ...) by header."""

    name: str
    frame: pd.DataFrame
    kinds: dict[str, str]


def unit_label(unit: Unit, currency: str | None, lang: str) -> str:
    return translate(f"amount_unit.{unit.code}", lang, currency=currency or "")


def amount_header(name: str, unit: Unit, currency: str | None, lang: str) -> str:
    """``贷款余额（万元）`` / ``Outstanding principal (CNY 10k)``."""
    return translate(
        "export.amount_header",
        lang,
        header=translate(f"col.{name}", lang),
        unit=unit_label(unit, currency, lang),
    )


def _cell(value: Any, kind: str, code_kind: str | None, unit: Unit, lang: str) -> Any:
    if formatting.is_missing(value):
        return None
    if kind == "amount":
        return unit.scale(value)
    if kind == "code":
        return code_label(code_kind, value, lang)
    if kind == "bool":
        return translate("bool.true" if bool(value) else "bool.false", lang)
    if kind == "count" or (isinstance(value, int) and not isinstance(value, bool)):
        return int(value)
    if kind == "timestamp":
        parsed = formatting.parse_timestamp(value)
        return formatting.format_timestamp(value) if parsed is None else parsed
    return value


def export_frame(
    frame: pd.DataFrame,
    columns: Sequence[Any],
    lang: str,
    unit: Unit | None = None,
    currency: str | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The file copy of ``frame``: ``columns`` (``tables.Col``) in order, translated headers,
    amounts as exact Decimal in ``unit``; and each header's kind."""
    unit = unit or BASE["one"]
    shown: dict[str, pd.Series] = {}
    kinds: dict[str, str] = {}
    for col in columns:
        if col.kind == "amount":
            header = amount_header(col.name, unit, currency, lang)
        else:
            header = translate(f"col.{col.name}", lang)
        code_kind = col.code_kind or col.name
        values = [_cell(v, col.kind, code_kind, unit, lang) for v in frame[col.name]]
        shown[header] = pd.Series(values, dtype=object)  # ints stay ints next to a missing value
        kinds[header] = col.kind
    return pd.DataFrame(shown, columns=list(shown)), kinds


def plain_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """Kinds read off the values of a frame made for the screen (a matrix of counts ...)."""
    kinds = {}
    for name in frame.columns:
        values = [v for v in frame[name] if not formatting.is_missing(v)]
        if values and all(isinstance(v, Decimal) for v in values):
            kinds[str(name)] = "amount"
        elif values and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values
        ):
            kinds[str(name)] = "count"
        else:
            kinds[str(name)] = "text"
    return kinds


def _csv_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, never scientific notation
    if isinstance(value, dt.datetime):
        return formatting.format_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 (with BOM) CSV of an export frame; Decimals as their exact text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):  # cell by cell: pandas would make ints floats
        writer.writerow(["" if formatting.is_missing(v) else _csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, no ``[]:*?/\\``)."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip("'") or "Sheet"
    base = base[:SHEET_NAME_MAX]
    taken = {t.lower() for t in taken}
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    return candidate


def exact_in_sheet(value: Decimal) -> bool:
    """True when openpyxl's number text (``"%.16g"``) of ``value`` is ``value`` exactly."""
    # Exactly openpyxl's expression: %-formatting goes through float, str.format would not.
    return Decimal("%.16g" % value) == value  # noqa: UP031


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font

    headers = list(sheet.frame.columns)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    formats = {
        "amount": AMOUNT_FORMAT,
        "count": COUNT_FORMAT,
        "date": DATE_FORMAT,
        "timestamp": TIMESTAMP_FORMAT,
    }
    for row in sheet.frame.itertuples(index=False):
        values = []
        for value in row:
            if formatting.is_missing(value):
                values.append(None)
            elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                values.append(value.astimezone(dt.UTC).replace(tzinfo=None))  # Excel: no zones
            elif isinstance(value, Decimal) and not exact_in_sheet(value):
                values.append(format(value, "f"))  # too many digits for a number cell
            else:
                values.append(value)
        ws.append(values)
    for index, header in enumerate(headers, start=1):
        kind = sheet.kinds.get(str(header), "text")
        number_format = formats.get(kind)
        width = max([len(str(header))] + [len(str(v)) for v in sheet.frame[header].head(200)])
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = min(
            max(10, width + 2), 60
        )
        if number_format is None:
            continue
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, str):
                cell.alignment = Alignment(horizontal="right")
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT if kind != "timestamp" else TIMESTAMP_FORMAT
            elif kind == "amount" and isinstance(cell.value, int):
                cell.number_format = COUNT_FORMAT  # a count in a column of figures
            else:
                cell.number_format = number_format
    ws.freeze_panes = "A2"


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per ``Sheet`` (in order), amounts as exact numeric cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: list[str] = []
    for sheet in sheets:
        name = sheet_name(sheet.name, taken)
        taken.append(name)
        _write_sheet(workbook.create_sheet(name), sheet)
    if not sheets:
        workbook.create_sheet("Sheet")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
