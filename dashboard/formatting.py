"""Exact display formatting: Decimal (or int) in, string out.

Money is never turned into a float on its way to the screen. Every function here takes
``decimal.Decimal`` (a plain ``int`` is accepted as an exact value too) and refuses ``float``, so a
float that slipped in upstream fails loudly instead of printing a rounded figure.
"""

from __future__ import annotations

import datetime as dt
import numbers
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pandas as pd

MISSING = "—"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Wide enough for any DECIMAL(38, s) sum DuckDB can return, so quantize never overflows.
_PRECISION = 80


def to_decimal(value: Decimal | int) -> Decimal:
    """``value`` as a finite Decimal; floats, bools, NaN and infinities are rejected.

    Integers of any kind (``int``, numpy integers from a pandas column) are exact and accepted.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | numbers.Integral):
        raise TypeError(f"expected Decimal or int, got {type(value).__name__}: {value!r}")
    number = value if isinstance(value, Decimal) else Decimal(int(value))
    if not number.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return number


def is_missing(value: object) -> bool:
    """True for None and pandas' / numpy's no-value markers (NA, NaT, NaN)."""
    if value is None:
        return True
    if isinstance(value, Decimal | int | str):
        return False
    # pandas' NA / NaT and numpy NaN are "no value" markers; they are not numbers we could print.
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round_cents(number: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rounded = number.quantize(CENT, rounding=ROUND_HALF_UP)
    # Never show "-0.00".
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_amount(value: Decimal | int | None) -> str:
    """``Decimal("1234567.891")`` -> ``"1,234,567.89"``: thousands separators, 2 decimals."""
    if is_missing(value):
        return MISSING
    return f"{_round_cents(to_decimal(value)):,.2f}"


def format_count(value: int | None) -> str:
    """``1234`` -> ``"1,234"``."""
    if is_missing(value):
        return MISSING
    return f"{int(to_decimal(value)):,d}"


def _signed(text: str, number: Decimal | int) -> str:
    return f"+{text}" if number > 0 else text


def format_amount_delta(value: Decimal | int | None) -> str:
    """A change in an amount, signed: ``"+1,000.00"``, ``"-70,432.11"``, ``"0.00"``."""
    if is_missing(value):
        return MISSING
    rounded = _round_cents(to_decimal(value))
    return _signed(f"{rounded:,.2f}", rounded)


def format_count_delta(value: int | None) -> str:
    """A change in a count, with an explicit sign: ``"+3"``, ``"-1"``, ``"0"``."""
    if is_missing(value):
        return MISSING
    number = int(to_decimal(value))
    return _signed(f"{number:,d}", number)


def share_percent(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """``part / whole`` in percent, unrounded (to 50 significant digits); None if not defined."""
    if is_missing(part) or is_missing(whole):
        return None
    whole_d = to_decimal(whole)
    if whole_d.is_zero():
        return None
    with localcontext() as ctx:
        ctx.prec = 50
        return to_decimal(part) * HUNDRED / whole_d


def format_percent(value: Decimal | int | None) -> str:
    """A percentage already multiplied by 100: ``Decimal("18.99999993")`` -> ``"19.00%"``."""
    if is_missing(value):
        return MISSING
    return f"{_round_cents(to_decimal(value)):,.2f}%"


def format_points_delta(value: Decimal | int | None, unit: str = "pp") -> str:
    """A change of a percentage in percentage points: ``"+8.10 pp"``, ``"-0.16 pp"``."""
    if is_missing(value):
        return MISSING
    rounded = _round_cents(to_decimal(value))
    return f"{_signed(f'{rounded:,.2f}', rounded)} {unit}"


def format_date(value: dt.date | None) -> str:
    """A date as ``YYYY-MM-DD`` (datetimes lose their time part)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def parse_timestamp(value: object) -> dt.datetime | None:
    """A datetime from a datetime, pandas Timestamp or ISO-8601 string; None if it is not one."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def utc_timestamp(value: object) -> dt.datetime | None:
    """Like :func:`parse_timestamp`, but a time without a zone is taken as UTC.

    That is the project's convention: ``meta.build_info.built_at`` is a naive UTC ``TIMESTAMP`` and
    the run log writes ISO times with ``+00:00``.
    """
    parsed = parse_timestamp(value)
    if parsed is not None and parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def format_timestamp(value: object) -> str:
    """``2024-07-01 08:00:05``, followed by ``UTC`` or the offset (``+08:00``) when the time
    carries a zone; text that is not a time is returned as it is."""
    parsed = parse_timestamp(value)
    if parsed is None:
        return MISSING if is_missing(value) else str(value)
    text = parsed.strftime("%Y-%m-%d %H:%M:%S")
    offset = parsed.utcoffset()
    if offset is not None:
        zone = parsed.strftime("%z")
        text += " UTC" if not offset else f" {zone[:3]}:{zone[3:]}"
    return text
