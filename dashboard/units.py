"""Amount units: a portfolio's amounts are shown in its own currency, in a unit the reader picks.

CNY amounts are read in 元, 万元 (10⁴) or 亿元 (10⁸), as Chinese banks report them; any other
currency in units, thousands or millions. Scaling divides a ``Decimal`` by a power of ten, which is
exact (only the exponent changes), so a figure in 万元 is the same number as in 元, not a rounded
float: tables round it half up to two places for display, exports keep it whole.

Amounts of different currencies are never added: a unit belongs to one currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dashboard import formatting


@dataclass(frozen=True)
class Unit:
    code: str  # "yuan", "wan", "yi", "one", "thousand", "million"
    exponent: int  # the amount is divided by 10 ** exponent

    def scale(self, value: Decimal | int | None) -> Decimal | None:
        """``value`` in this unit, exactly (``Decimal("1234567.89")`` in 万元 -> ``123.456789``)."""
        if formatting.is_missing(value):
            return None
        return formatting.to_decimal(value).scaleb(-self.exponent)


CNY_UNITS = (Unit("yuan", 0), Unit("wan", 4), Unit("yi", 8))
OTHER_UNITS = (Unit("one", 0), Unit("thousand", 3), Unit("million", 6))
BASE = {"yuan": CNY_UNITS[0], "one": OTHER_UNITS[0]}


def units_for(currency: str | None) -> tuple[Unit, ...]:
    """The units a reader can choose for amounts in ``currency`` (the first is the plain unit)."""
    return CNY_UNITS if (currency or "").upper() == "CNY" else OTHER_UNITS


def unit_named(currency: str | None, code: str | None) -> Unit:
    """The unit ``code`` of ``currency``; the plain unit when ``code`` is not one of its units."""
    options = units_for(currency)
    return next((u for u in options if u.code == code), options[0])


def format_scaled(value: Decimal | int | None, unit: Unit) -> str:
    """An amount in ``unit`` with thousands separators and two decimals (rounded half up from the
    exact scaled value)."""
    return formatting.format_amount(unit.scale(value))


def format_scaled_delta(value: Decimal | int | None, unit: Unit) -> str:
    return formatting.format_amount_delta(unit.scale(value))
