"""Level-payment amortisation and month arithmetic shared by the adapters.

Rules (stated once here, referred to by the adapters and by docs/data-sources.md):

* Interest per period is the annual rate / 12 on the balance (a 30/360-style monthly rate).
* The balance runs unrounded. After each installment the cumulative principal repaid is rounded
  half up to the cent; an installment's principal is the difference between two consecutive
  rounded cumulative figures, and its interest is the installment amount less that principal.
  Rounding therefore never accumulates, and principal sums to the loan amount exactly.
* The last installment takes whatever principal is left, with one month's interest on it, so it
  absorbs every rounding difference. If the installment amount is larger than the level payment
  would be, the balance runs out early and the schedule simply ends with that last installment.
* A due date in a month without the anchor day (the 31st, or the 29th-31st in February) falls on
  the last day of that month; the next month goes back to the anchor day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0")


def month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def on_day(year: int, month: int, anchor: int) -> dt.date:
    """The anchor day of a month, or the month's last day when the month is shorter."""
    return dt.date(year, month, min(anchor, month_end(year, month)))


def add_months(start: dt.date, months: int, anchor: int | None = None) -> dt.date:
    """``start`` moved by whole months, kept on ``anchor`` (default: start's own day)."""
    year, month = shift_month(start.year, start.month, months)
    return on_day(year, month, anchor or start.day)


def level_installment(amount: Decimal, annual_rate_pct: Decimal, term: int) -> Decimal:
    """The level monthly payment for ``amount`` over ``term`` months, rounded half up to cents."""
    with localcontext() as ctx:
        ctx.prec = 40
        r = annual_rate_pct / Decimal(1200)
        if r == 0:
            return (amount / term).quantize(CENT, ROUND_HALF_UP)
        factor = (1 + r) ** term
        return (amount * r * factor / (factor - 1)).quantize(CENT, ROUND_HALF_UP)


def level_schedule(amount: Decimal, annual_rate_pct: Decimal, term: int,
                   installment: Decimal) -> list[tuple[Decimal, Decimal]]:
    """(principal, interest) of each installment of a level-payment loan (rules in the module doc).

    Returns at most ``term`` installments; fewer when ``installment`` pays the loan off early.
    """
    out: list[tuple[Decimal, Decimal]] = []
    if term <= 0 or amount <= 0:
        return out
    with localcontext() as ctx:
        ctx.prec = 40
        r = annual_rate_pct / Decimal(1200)
        balance = amount
        repaid = ZERO
        for number in range(1, term + 1):
            remaining = amount - repaid
            next_balance = balance * (1 + r) - installment
            cumulative = (amount - next_balance).quantize(CENT, ROUND_HALF_UP)
            if number == term or cumulative >= amount or remaining <= installment - remaining * r:
                interest = (remaining * r).quantize(CENT, ROUND_HALF_UP)
                out.append((remaining, interest))
                break
            principal = cumulative - repaid
            out.append((principal, installment - principal))
            repaid = cumulative
            balance = next_balance
    return out
