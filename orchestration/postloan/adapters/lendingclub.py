"""LendingClub loans issued in 2018 Q1 (OpenIntro ``loans_full_schema``) as one landing batch.

Portfolio ``lendingclub_2018q1``, currency USD, as of 2018-06-30. The source has one row per loan
with real contract terms and real paid-to-date totals, but no dates other than the issue month,
no payment rows and no snapshot date. Everything below the contract terms is rebuilt, and every
rebuilt row is marked ``derived``. The rules, in the order they are applied:

As-of date
    ``paid_total / installment`` is about 5, 4 and 3 for current loans issued in January,
    February and March 2018: five, four and three monthly installments have fallen due, which puts
    the snapshot at the end of June 2018. The batch is dated 2018-06-30.

Identifiers
    The n-th data row of the file (1-based) becomes loan ``LC18Q1-nnnnn`` and borrower
    ``LC18Q1-Bnnnnn`` named "LendingClub borrower nnnnn" (one borrower per loan).

Schedule (level payment)
    Built with the real rate, term and installment amount by ``_amortise.level_schedule``:
    unrounded balance, cumulative principal rounded to the cent, last installment absorbs the
    rounding, so principal sums to ``loan_amount`` exactly.

First period (interest-implied length)
    LendingClub charges the first period's interest by day count. For most loans the real
    ``paid_interest`` falls short of (or exceeds) the level schedule's interest for the
    installments the real principal covers by a whole number of days of interest on the loan
    amount (one day = amount x rate / 360). That number of days, ``d``, is the first period's
    excess over 30 days: the first installment's interest becomes the month's interest plus
    ``d`` days (``d`` kept between -16 and +70, i.e. a first period of 14 to 100 days; 0 when no
    principal has been paid).

Prepayment recast
    When the real principal is ahead of every installment due by June 2018 while the real interest
    is below what the schedule charges for those installments even with the shortest first period,
    the borrower prepaid. The surplus principal is placed with installment 1 (sized so that the
    real principal exactly covers the installments due by June) and the rest of the loan is
    re-amortised with the same installment amount, so the schedule ends early. Principal still
    sums to ``loan_amount``.

Dates of loans that are still open (the status check)
    The issue month is real; the day is not. The first due date falls one to three months after
    the issue month on an anchor day (1-31), later installments on the same anchor day. The anchor
    and first-due month are chosen so that the days past due recomputed from the schedule and the
    payments (oldest installment not fully covered, strictly before 2018-06-30) fall inside the
    status's bucket: Current 0, In Grace Period 1-15, Late (16-30 days) 16-30, Late (31-120 days)
    31-120. Among the choices that do, the one whose disbursement date (inside the issue month, 14
    to 100 days before the first due date) gives a first period closest to the interest-implied
    length wins, then the disbursement day closest to the 15th, then the earlier first-due month,
    then the lower anchor day.

Payments of open loans
    The real ``paid_principal`` and ``paid_interest`` are applied oldest installment first: each
    installment they cover in full is paid on its due date (on 2018-06-30 if it falls due later,
    i.e. it was paid ahead); whatever is left over (a partial installment, or a prepayment) is
    one more payment on the next installment's due date, or on 2018-06-30 if that is later.
    Real ``paid_late_fees`` go in ``penalty_paid`` of the last payment. Sums per loan equal the
    real totals exactly; the one exception is a late fee stored with float noise in the source
    (``21.100000028``), rounded half up to the cent (21.10).

Fully Paid loans
    Disbursed on the 15th of the issue month, first due on the 15th of the next month (the first
    period's interest uses its real day count). Installments are paid on their due dates while
    the real interest covers them and they fall due by 2018-06-30; the payoff follows: it takes
    all remaining principal and the rest of the real interest, and is dated after the last
    installment paid (or the disbursement) by the days of interest that rest buys on the
    remaining balance (at least one day, at most the day before the next installment and never
    after 2018-06-30). The schedule ends with that payoff installment.

Charged Off loans
    Dated like Fully Paid loans; the real totals are applied as for open loans. The write-off is a
    ``write_off`` event for the outstanding principal (``loan_amount - paid_principal``) dated
    120 days after the oldest unpaid due date (the US Uniform Retail Credit Classification
    charge-off point for closed-end loans), or on 2018-06-30 when that point lies after it (the
    loan was charged off early, e.g. on bankruptcy).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from postloan.adapters._amortise import (
    CENT,
    ZERO,
    add_months,
    month_end,
    on_day,
    shift_month,
)
from postloan.adapters._amortise import level_schedule as _level_schedule
from postloan.adapters._write import money, write_batch

PORTFOLIO_ID = "lendingclub_2018q1"
PORTFOLIO_NAME = "LendingClub consumer loans issued 2018 Q1 (OpenIntro loans_full_schema)"
SOURCE_FILE = "loans_full_schema.csv"
AS_OF = dt.date(2018, 6, 30)
DELIVERED_AT = "2018-07-01T00:00:00Z"
CURRENCY = "USD"
ID_PREFIX = "LC18Q1-"

# Days past due that each open status allows (inclusive).
STATUS_DPD = {
    "Current": (0, 0),
    "In Grace Period": (1, 15),
    "Late (16-30 days)": (16, 30),
    "Late (31-120 days)": (31, 120),
}
FULLY_PAID = "Fully Paid"
CHARGED_OFF = "Charged Off"
MIN_FIRST_PERIOD = 14
MAX_FIRST_PERIOD = 100
CLOSED_LOAN_DAY = 15
CHARGE_OFF_DPD = 120
MONTHS = {name: i for i, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}

# Invented for illustration: public portfolios come without the lender's capital.
CAPITAL = {
    "net_capital": "20000000.00",
    "net_tier1_capital": "16000000.00",
    "net_capital_prev_quarter": "19500000.00",
    "net_tier1_capital_prev_quarter": "15600000.00",
    "provenance": "synthetic",
}


@dataclass(frozen=True)
class SourceLoan:
    number: int
    state: str
    sub_grade: str
    purpose: str
    amount: Decimal
    term: int
    rate: Decimal
    installment: Decimal
    issue: dt.date
    status: str
    paid_principal: Decimal
    paid_interest: Decimal
    late_fees: Decimal

    @property
    def loan_id(self) -> str:
        return f"{ID_PREFIX}{self.number:05d}"

    @property
    def borrower_id(self) -> str:
        return f"{ID_PREFIX}B{self.number:05d}"

    @property
    def day_interest(self) -> Decimal:
        """One day's interest on the loan amount (30-day month)."""
        return self.amount * self.rate / Decimal(1200) / 30


@dataclass
class Plan:
    """What the adapter derives for one loan."""

    disbursement: dt.date
    maturity: dt.date
    dues: list[dt.date]
    pairs: list[tuple[Decimal, Decimal]]
    payments: list[tuple[dt.date, Decimal, Decimal, Decimal]] = field(default_factory=list)
    write_off: tuple[dt.date, Decimal] | None = None
    interest_days: int | None = None
    recast: bool = False
    status_matched: bool = True


def read_source(source_dir: Path) -> list[SourceLoan]:
    """The source rows, typed; amounts are read as exact decimals from their text."""
    loans = []
    with (source_dir / SOURCE_FILE).open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=1):
            month, year = row["issue_month"].split("-")
            loans.append(SourceLoan(
                number=number,
                state=row["state"].strip(),
                sub_grade=row["sub_grade"].strip(),
                purpose=row["loan_purpose"].strip(),
                amount=Decimal(row["loan_amount"]),
                term=int(row["term"]),
                rate=Decimal(row["interest_rate"]),
                installment=Decimal(row["installment"]),
                issue=dt.date(int(year), MONTHS[month], 1),
                status=row["loan_status"].strip(),
                paid_principal=Decimal(row["paid_principal"]),
                paid_interest=Decimal(row["paid_interest"]),
                late_fees=Decimal(row["paid_late_fees"]).quantize(CENT, ROUND_HALF_UP),
            ))
    return loans


# --------------------------------------------------------------------------------------------
# Schedule arithmetic


def _base_pairs(loan: SourceLoan) -> list[tuple[Decimal, Decimal]]:
    return _level_schedule(loan.amount, loan.rate, loan.term, loan.installment)


def _principal_covered(pairs: list[tuple[Decimal, Decimal]], paid: Decimal) -> int:
    total, count = ZERO, 0
    for principal, _ in pairs:
        total += principal
        if total > paid:
            break
        count += 1
    return count


def _covered(pairs: list[tuple[Decimal, Decimal]], paid_p: Decimal, paid_i: Decimal) -> int:
    """Leading installments whose cumulative principal and cumulative interest are both paid."""
    due_p, due_i, count = ZERO, ZERO, 0
    for principal, interest in pairs:
        due_p += principal
        due_i += interest
        if due_p > paid_p or due_i > paid_i:
            break
        count += 1
    return count


def _day_adjustment(loan: SourceLoan, days: int) -> Decimal:
    return (loan.day_interest * days).quantize(CENT, ROUND_HALF_UP)


def _with_first_period(loan: SourceLoan, pairs: list[tuple[Decimal, Decimal]],
                       days: int) -> list[tuple[Decimal, Decimal]]:
    """Installment 1's interest moved by ``days`` days of interest (never below zero)."""
    if not pairs or days == 0:
        return list(pairs)
    principal, interest = pairs[0]
    return [(principal, max(ZERO, interest + _day_adjustment(loan, days))), *pairs[1:]]


def _interest_days(loan: SourceLoan, pairs: list[tuple[Decimal, Decimal]]) -> int | None:
    """Days of interest by which the real interest exceeds the schedule's, for the installments
    the real principal covers (None when it covers none); the largest whole number that fits."""
    covered = _principal_covered(pairs, loan.paid_principal)
    if covered == 0 or loan.day_interest <= 0:
        return None
    spare = loan.paid_interest - sum((i for _, i in pairs[:covered]), ZERO)
    with localcontext() as ctx:
        ctx.prec = 40
        days = int((spare / loan.day_interest).to_integral_value(ROUND_FLOOR))
    while _day_adjustment(loan, days) > spare:
        days -= 1
    while _day_adjustment(loan, days + 1) <= spare:
        days += 1
    return days


def _clamp_days(days: int | None) -> int:
    if days is None:
        return 0
    return max(MIN_FIRST_PERIOD - 30, min(MAX_FIRST_PERIOD - 30, days))


def _months_due_by_as_of(loan: SourceLoan) -> int:
    """Monthly installments from the month after issue up to the as-of month."""
    return (AS_OF.year - loan.issue.year) * 12 + AS_OF.month - loan.issue.month


def _recast(loan: SourceLoan, pairs: list[tuple[Decimal, Decimal]],
            k: int) -> list[tuple[Decimal, Decimal]]:
    """Prepayment with installment 1, the rest re-amortised with the same installment, sized
    so that the real principal exactly covers installments 1..k (rule in the module doc)."""
    first_p, first_i = pairs[0]
    with localcontext() as ctx:
        ctx.prec = 40
        r = loan.rate / Decimal(1200)
        growth = (1 + r) ** (k - 1)
        annuity = (growth - 1) / r
        unpaid = loan.amount - loan.paid_principal
        balance_after_first = (unpaid + loan.installment * annuity) / growth
        extra = (loan.amount - first_p - balance_after_first).quantize(CENT, ROUND_FLOOR)
    for _ in range(5):
        if extra <= 0:
            return pairs
        rest = _level_schedule(loan.amount - first_p - extra, loan.rate, loan.term - 1,
                               loan.installment)
        out = [(first_p + extra, first_i), *rest]
        overshoot = sum((p for p, _ in out[:k]), ZERO) - loan.paid_principal
        if overshoot <= 0:
            return out
        extra -= overshoot
    return pairs


def _dues(first_year: int, first_month: int, anchor: int, count: int) -> list[dt.date]:
    dues = []
    for j in range(count):
        year, month = shift_month(first_year, first_month, j)
        dues.append(on_day(year, month, anchor))
    return dues


# --------------------------------------------------------------------------------------------
# Plans per status


def _payments_in_order(pairs: list[tuple[Decimal, Decimal]], dues: list[dt.date],
                       loan: SourceLoan, covered: int, last_date: dt.date
                       ) -> list[tuple[dt.date, Decimal, Decimal, Decimal]]:
    """Covered installments paid on their due dates (on ``last_date`` when they fall due
    later: paid ahead), the rest as one payment afterwards."""
    payments = [(min(dues[j], last_date), pairs[j][0], pairs[j][1], ZERO)
                for j in range(covered)]
    rest_p = loan.paid_principal - sum((p for p, _ in pairs[:covered]), ZERO)
    rest_i = loan.paid_interest - sum((i for _, i in pairs[:covered]), ZERO)
    if rest_p > 0 or rest_i > 0 or (not payments and loan.late_fees > 0):
        when = min(dues[covered], last_date) if covered < len(dues) else last_date
        payments.append((when, rest_p, rest_i, ZERO))
    if loan.late_fees > 0:
        date, p, i, _ = payments[-1]
        payments[-1] = (date, p, i, loan.late_fees)
    return payments


def _plan_open(loan: SourceLoan) -> Plan:
    base = _base_pairs(loan)
    due_by_as_of = _months_due_by_as_of(loan)
    pairs, recast = base, False
    shortest = _with_first_period(loan, base, MIN_FIRST_PERIOD - 30)
    if (_principal_covered(base, loan.paid_principal) > due_by_as_of
            and sum((i for _, i in shortest[:due_by_as_of]), ZERO) > loan.paid_interest):
        pairs, recast = _recast(loan, base, due_by_as_of), True
    implied = _interest_days(loan, pairs)
    days = _clamp_days(implied)
    pairs = _with_first_period(loan, pairs, days)
    covered = _covered(pairs, loan.paid_principal, loan.paid_interest)
    low, high = STATUS_DPD[loan.status]
    last_of_issue = dt.date(loan.issue.year, loan.issue.month,
                            month_end(loan.issue.year, loan.issue.month))
    best = None
    for offset in (1, 2, 3):
        year, month = shift_month(loan.issue.year, loan.issue.month, offset)
        for anchor in range(1, 32):
            first_due = on_day(year, month, anchor)
            dpd = 0
            if covered < len(pairs):
                unpaid = _dues(year, month, anchor, covered + 1)[-1]
                dpd = max(0, (AS_OF - unpaid).days)
            if not low <= dpd <= high:
                continue
            earliest = max(loan.issue, first_due - dt.timedelta(days=MAX_FIRST_PERIOD))
            latest = min(last_of_issue, first_due - dt.timedelta(days=MIN_FIRST_PERIOD))
            if earliest > latest:
                continue
            wanted = first_due - dt.timedelta(days=30 + days)
            disbursed = min(max(wanted, earliest), latest)
            cost = (abs((first_due - disbursed).days - 30 - days),
                    abs(disbursed.day - CLOSED_LOAN_DAY), offset, anchor)
            if best is None or cost < best[0]:
                best = (cost, disbursed, year, month, anchor)
    matched = best is not None
    if best is None:
        disbursed = loan.issue.replace(day=CLOSED_LOAN_DAY)
        first = add_months(disbursed, 1)
        best = (None, disbursed, first.year, first.month, first.day)
    _, disbursed, year, month, anchor = best
    contractual = _dues(year, month, anchor, loan.term)
    dues = contractual[:len(pairs)]
    payments = _payments_in_order(pairs, dues, loan, covered, AS_OF)
    return Plan(disbursed, contractual[-1], dues, pairs, payments, None, implied, recast,
                matched)


def _closed_dates(loan: SourceLoan) -> tuple[dt.date, list[dt.date]]:
    disbursed = loan.issue.replace(day=CLOSED_LOAN_DAY)
    first = add_months(disbursed, 1)
    return disbursed, _dues(first.year, first.month, first.day, loan.term)


def _plan_fully_paid(loan: SourceLoan) -> Plan:
    disbursed, contractual = _closed_dates(loan)
    first_days = (contractual[0] - disbursed).days - 30
    pairs = _with_first_period(loan, _base_pairs(loan), first_days)
    kept, paid_i, paid_p = 0, ZERO, ZERO
    for j, (principal, interest) in enumerate(pairs[:-1]):
        if contractual[j] > AS_OF or paid_i + interest > loan.paid_interest:
            break
        kept, paid_i, paid_p = j + 1, paid_i + interest, paid_p + principal
    balance = loan.amount - paid_p
    rest_i = loan.paid_interest - paid_i
    start = contractual[kept - 1] if kept else disbursed
    with localcontext() as ctx:
        ctx.prec = 40
        per_day = balance * loan.rate / Decimal(36000)
        days = int((rest_i / per_day).to_integral_value(ROUND_FLOOR)) if per_day > 0 else 1
    payoff = start + dt.timedelta(days=max(1, days))
    limit = min(AS_OF, contractual[kept] - dt.timedelta(days=1))
    payoff = max(min(payoff, limit), start + dt.timedelta(days=1))
    out_pairs = [*pairs[:kept], (balance, rest_i)]
    dues = [*contractual[:kept], payoff]
    payments = [(dues[j], out_pairs[j][0], out_pairs[j][1], ZERO) for j in range(len(out_pairs))]
    if loan.late_fees > 0:
        date, p, i, _ = payments[-1]
        payments[-1] = (date, p, i, loan.late_fees)
    return Plan(disbursed, contractual[-1], dues, out_pairs, payments)


def _plan_charged_off(loan: SourceLoan) -> Plan:
    disbursed, contractual = _closed_dates(loan)
    first_days = (contractual[0] - disbursed).days - 30
    pairs = _with_first_period(loan, _base_pairs(loan), first_days)
    dues = contractual[:len(pairs)]
    covered = _covered(pairs, loan.paid_principal, loan.paid_interest)
    oldest_unpaid = dues[min(covered, len(dues) - 1)]
    written_off = min(oldest_unpaid + dt.timedelta(days=CHARGE_OFF_DPD), AS_OF)
    payments = _payments_in_order(pairs, dues, loan, covered, written_off)
    outstanding = loan.amount - loan.paid_principal
    return Plan(disbursed, contractual[-1], dues, pairs, payments, (written_off, outstanding))


def plan_loan(loan: SourceLoan) -> Plan:
    """The derived schedule, payments and events of one loan (rules in the module doc)."""
    if loan.status in STATUS_DPD:
        return _plan_open(loan)
    if loan.status == FULLY_PAID:
        return _plan_fully_paid(loan)
    if loan.status == CHARGED_OFF:
        return _plan_charged_off(loan)
    raise ValueError(f"{SOURCE_FILE} row {loan.number}: unknown loan_status {loan.status!r}")


# --------------------------------------------------------------------------------------------
# Batch


def build_batches(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write the single 2018-06-30 batch under ``out_dir`` and return its folder."""
    loans = read_source(source_dir)
    plans = [plan_loan(loan) for loan in loans]
    borrowers, loan_rows, schedule, payments, events = [], [], [], [], []
    for loan, plan in zip(loans, plans, strict=True):
        borrowers.append({
            "borrower_id": loan.borrower_id,
            "borrower_name": f"LendingClub borrower {loan.number:05d}",
            "borrower_type": "retail",
            "region": loan.state,
            "internal_rating": loan.sub_grade,
            "provenance": "derived",
        })
        loan_rows.append({
            "loan_id": loan.loan_id,
            "borrower_id": loan.borrower_id,
            "product": f"consumer_{loan.term}m",
            "currency": CURRENCY,
            "contract_amount": money(loan.amount),
            "disbursement_date": plan.disbursement,
            "maturity_date": plan.maturity,
            "interest_rate": loan.rate,
            "repayment_method": "level_payment",
            "guarantee_type": "credit",
            "purpose": loan.purpose,
            "branch": "LendingClub",
            "reported_status": loan.status,
            "provenance": "derived",
        })
        for number, (due, (principal, interest)) in enumerate(
                zip(plan.dues, plan.pairs, strict=True), start=1):
            schedule.append({
                "loan_id": loan.loan_id, "installment_no": number, "due_date": due,
                "principal_due": money(principal), "interest_due": money(interest),
                "provenance": "derived",
            })
        for number, (date, principal, interest, penalty) in enumerate(plan.payments, start=1):
            payments.append({
                "payment_id": f"{loan.loan_id}-P{number:02d}", "loan_id": loan.loan_id,
                "payment_date": date, "principal_paid": money(principal),
                "interest_paid": money(interest),
                "penalty_paid": money(penalty) if penalty else "",
                "provenance": "derived",
            })
        if plan.write_off:
            date, amount = plan.write_off
            events.append({
                "event_id": f"{loan.loan_id}-WO", "loan_id": loan.loan_id, "event_date": date,
                "event_type": "write_off", "amount": money(amount),
                "note": "Charged Off in the source; amount = loan_amount - paid_principal",
                "provenance": "derived",
            })
    recast = sum(p.recast for p in plans)
    unmatched = sum(not p.status_matched for p in plans)
    notes = (
        "Public LendingClub data (OpenIntro loans_full_schema, CC BY-SA 3.0). Real: contract "
        "terms, state, sub-grade, purpose, status and paid-to-date totals. Derived: ids and "
        "borrower names, the day of disbursement and the due days (chosen so that recomputed "
        "days past due match each loan's status), the level-payment schedule, the payment rows "
        "and the write-off events. As of inferred from paid_total / installment (about 5, 4 "
        f"and 3 for January, February and March issues). {recast} loans treated as prepaid "
        f"(schedule recast); {unmatched} open loans whose status could not be matched. Capital "
        "figures are invented for illustration (synthetic). Rules: docs/data-sources.md."
    )
    header = {
        "portfolio_id": PORTFOLIO_ID,
        "portfolio_name": PORTFOLIO_NAME,
        "kind": "portfolio",
        "as_of": AS_OF.isoformat(),
        "currency": CURRENCY,
        "provenance": "real",
        "delivered_at": DELIVERED_AT,
        "capital": dict(CAPITAL),
        "notes": notes,
    }
    tables = {
        "borrowers": borrowers,
        "loans": loan_rows,
        "repayment_schedule": schedule,
        "payments": payments,
        "loan_events": events,
    }
    absent = {
        "collateral": "Unsecured consumer loans: LendingClub personal loans have no collateral.",
        "guarantees": "Unsecured consumer loans: no guarantor is recorded in the source.",
        "industries": "Retail borrowers carry no industry; classification trees come with the "
                      "industry_reference batch.",
        "industry_indicators": "Retail borrowers carry no industry; indicators come with the "
                               "industry_reference batch.",
        "industry_limits": "The source has no lender limits; industry limits do not apply to a "
                           "retail book.",
        "classification_overrides": "The source has no manual five-level classifications.",
    }
    folder = out_dir / PORTFOLIO_ID / AS_OF.isoformat()
    return [write_batch(folder, header, tables, absent)]
