"""SBA 7(a) loans to California real-estate and rental businesses as two snapshot batches.

Portfolio ``sba7a_ca``, currency USD, snapshots as of 2008-12-31 and 2010-12-31. The source
(Li, Mickel & Taylor 2018, ``SBAcase.11.13.17.csv``) has one row per loan with the real borrower
name, lender, NAICS code, disbursement date and amount, term, final status (paid in full or
charged off) and, for charge-offs, the date and principal charged off. It has no interest rate, no
payment rows and no paid-in-full date. The rules:

Source quirks
    UTF-8 with a byte-order mark; dates are whole days since 1960-01-01 (the SAS epoch). Broken
    values are passed through rather than fixed, so that the warehouse's checks can quarantine
    them: three loans without a disbursement date are delivered with empty disbursement and
    maturity dates (and no schedule or payments); three charged-off loans with ``Term`` 0 are
    delivered with a maturity equal to the disbursement date (and no schedule or payments);
    eleven paid-in-full loans that also carry a charge-off date and amount get their real
    ``write_off`` event besides their paid-in-full payments. ``RevLineCr`` and ``LowDoc`` (with
    stray codes) have no contract column and are not delivered.

Snapshots
    A batch holds what was known on its as-of date: loans disbursed on or before it (a loan with
    no disbursement date counts from its approval date), their full contractual schedules, and
    the payments and events dated on or before it. Borrowers are those with a loan in the batch.

Identifiers and borrowers
    ``loan_id`` is the real ``LoanNr_ChkDgt``. One borrower per distinct ``Name`` (exact text, so
    names that hold several loans stay one obligor); ids ``SBA-Bnnnn`` are numbered by the name's
    first appearance in the file. The borrower's NAICS code (scheme NAICS 2007) and city come
    from its latest loan in the batch (by disbursement, else approval date, then loan number).

Interest rate (assumed)
    A fixed 8.00% a year for every loan, flagged derived: about the Wall Street Journal prime rate
    over 2002-2007, when most of these loans were made (roughly 6%), plus the SBA's maximum
    spread for 7(a) loans above $50,000 (2.25 points under seven years, 2.75 points from seven).

Schedule
    Monthly level payment of ``DisbursementGross`` over ``Term`` months at that rate
    (``_amortise.level_schedule``), first due one month after disbursement on the same day of
    the month.

Paid in full
    Every installment is paid on its due date. There is no paid-in-full date: a loan whose
    contractual maturity falls after the last date that appears anywhere in the file (the data's
    horizon, 2014-08-01) pays its remaining principal, with interest for the days since its last
    due date, on that horizon date. Both snapshots are earlier than the horizon.

Charged off
    Installments are paid on their due dates up to the latest one that (a) falls due at least
    120 days before ``ChgOffDate`` and (b) leaves a scheduled balance no smaller than the real
    ``ChgOffPrinGr``. The difference between that balance and ``ChgOffPrinGr`` is paid as
    principal on ``ChgOffDate`` (collections and liquidation before the charge-off), and a
    ``write_off`` event for exactly ``ChgOffPrinGr`` follows on the same day, so the loan's
    derived balance reaches zero.

SBA guarantee
    Each loan gets one ``guarantees`` row: guarantor ``SBA`` (the US Small Business
    Administration), amount ``SBA_Appv`` (the guaranteed share of the approved amount).

Industry limits (illustrative, synthetic)
    No public source publishes a lender's industry limits (行业限额). So that the limit pages have
    something real to measure against, each batch carries ``DEMO_LIMITS``: an invented,
    effective-dated limit set in USD on GB/T 4754-2017 门类/大类 and NAICS 2007 codes, every row
    flagged ``synthetic`` and the manifest notes saying it is illustrative. A first set takes
    effect on 2008-01-01; a revision on 2010-01-01 cuts some limits and adds one (as a committee
    might after the 2009 losses). A batch carries the rows in effect by its as-of date. The
    amounts were chosen against the real exposures so that the bundled snapshots show every
    band (green, amber, red, breach); they say nothing about any real lender.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from postloan.adapters._amortise import CENT, ZERO, add_months, level_installment, level_schedule
from postloan.adapters._write import money, write_batch

PORTFOLIO_ID = "sba7a_ca"
PORTFOLIO_NAME = "SBA 7(a) loans, California real estate and rental and leasing (NAICS 53)"
SOURCE_FILE = "SBAcase.11.13.17.csv"
AS_OF_DATES = (dt.date(2008, 12, 31), dt.date(2010, 12, 31))
CURRENCY = "USD"
SAS_EPOCH = dt.date(1960, 1, 1)
ASSUMED_RATE = Decimal("8.00")
CHARGE_OFF_GAP_DAYS = 120
PAID_IN_FULL = "P I F"
CHARGED_OFF = "CHGOFF"
GUARANTOR_ID = "SBA"

# Invented for illustration (synthetic): no public source has a lender's industry limits.
# (scheme, code, level, limit in USD, effective from)
DEMO_LIMITS = (
    ("GB/T 4754-2017", "K", 0, "300000000.00", dt.date(2008, 1, 1)),
    ("GB/T 4754-2017", "L", 0, "120000000.00", dt.date(2008, 1, 1)),
    ("GB/T 4754-2017", "M", 0, "5000000.00", dt.date(2008, 1, 1)),
    ("GB/T 4754-2017", "70", 1, "260000000.00", dt.date(2008, 1, 1)),
    ("GB/T 4754-2017", "71", 1, "105000000.00", dt.date(2008, 1, 1)),
    ("NAICS 2007", "53", 0, "400000000.00", dt.date(2008, 1, 1)),
    ("NAICS 2007", "5312", 2, "200000000.00", dt.date(2008, 1, 1)),
    ("NAICS 2007", "5321", 2, "20000000.00", dt.date(2008, 1, 1)),
    ("GB/T 4754-2017", "K", 0, "250000000.00", dt.date(2010, 1, 1)),
    ("GB/T 4754-2017", "71", 1, "95000000.00", dt.date(2010, 1, 1)),
    ("NAICS 2007", "5321", 2, "22000000.00", dt.date(2010, 1, 1)),
    ("NAICS 2007", "5313", 2, "50000000.00", dt.date(2010, 1, 1)),
)

# Invented for illustration: public portfolios come without the lender's capital.
CAPITAL = {
    dt.date(2008, 12, 31): ("40000000.00", "32000000.00", "39000000.00", "31200000.00"),
    dt.date(2010, 12, 31): ("42000000.00", "33600000.00", "41500000.00", "33200000.00"),
}


@dataclass(frozen=True)
class SourceLoan:
    order: int
    loan_id: str
    name: str
    city: str
    state: str
    bank: str
    naics: str
    approval: dt.date
    disbursement: dt.date | None
    term: int
    amount: Decimal
    status: str
    charge_off_date: dt.date | None
    charge_off_amount: Decimal
    sba_approved: Decimal

    @property
    def known_from(self) -> dt.date:
        return self.disbursement or self.approval


@dataclass
class Life:
    """Everything the adapter derives for one loan over its whole life."""

    maturity: dt.date | None
    schedule: list[tuple[dt.date, Decimal, Decimal]] = field(default_factory=list)
    payments: list[tuple[dt.date, Decimal, Decimal]] = field(default_factory=list)
    write_off: tuple[dt.date, Decimal, str] | None = None


def _sas_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    days = Decimal(text)
    if days != days.to_integral_value():
        raise ValueError(f"{SOURCE_FILE}: {text!r} is not a whole SAS day count")
    return SAS_EPOCH + dt.timedelta(days=int(days))


def read_source(source_dir: Path) -> list[SourceLoan]:
    """The source rows, typed (BOM-aware; SAS day counts turned into dates)."""
    loans = []
    with (source_dir / SOURCE_FILE).open(encoding="utf-8-sig", newline="") as fh:
        for order, row in enumerate(csv.DictReader(fh), start=1):
            loans.append(SourceLoan(
                order=order,
                loan_id=row["LoanNr_ChkDgt"].strip(),
                name=row["Name"],
                city=row["City"].strip(),
                state=row["State"].strip(),
                bank=row["Bank"].strip(),
                naics=row["NAICS"].strip(),
                approval=_sas_date(row["ApprovalDate"]),
                disbursement=_sas_date(row["DisbursementDate"]),
                term=int(row["Term"]),
                amount=Decimal(row["DisbursementGross"]),
                status=row["MIS_Status"].strip(),
                charge_off_date=_sas_date(row["ChgOffDate"]),
                charge_off_amount=Decimal(row["ChgOffPrinGr"] or "0"),
                sba_approved=Decimal(row["SBA_Appv"]),
            ))
    return loans


def horizon(loans: list[SourceLoan]) -> dt.date:
    """The last date that appears anywhere in the source."""
    dates = [d for loan in loans
             for d in (loan.approval, loan.disbursement, loan.charge_off_date) if d]
    return max(dates)


def plan_life(loan: SourceLoan, data_horizon: dt.date) -> Life:
    """Schedule, payments and write-off of one loan (rules in the module doc)."""
    if loan.disbursement is None:
        return Life(maturity=None)
    start = loan.disbursement
    life = Life(maturity=add_months(start, loan.term))
    if loan.charge_off_date and (loan.charge_off_amount > 0 or loan.status == CHARGED_OFF):
        note = ("SBA charge-off (ChgOffPrinGr on ChgOffDate)" if loan.status == CHARGED_OFF
                else "Source status is P I F yet it lists this charge-off; passed through "
                     "unreconciled")
        life.write_off = (loan.charge_off_date, loan.charge_off_amount, note)
    if loan.term <= 0:
        return life
    installment = level_installment(loan.amount, ASSUMED_RATE, loan.term)
    pairs = level_schedule(loan.amount, ASSUMED_RATE, loan.term, installment)
    dues = [add_months(start, j, start.day) for j in range(1, len(pairs) + 1)]
    life.schedule = [(due, p, i) for due, (p, i) in zip(dues, pairs, strict=True)]
    if loan.status == CHARGED_OFF and loan.charge_off_date:
        _charged_off_payments(loan, life)
    else:
        _paid_in_full_payments(loan, life, data_horizon)
    return life


def _paid_in_full_payments(loan: SourceLoan, life: Life, data_horizon: dt.date) -> None:
    balance = loan.amount
    last = loan.disbursement
    for due, principal, interest in life.schedule:
        if due > data_horizon:
            days = (data_horizon - last).days
            accrued = (balance * ASSUMED_RATE / Decimal(36000) * days).quantize(
                CENT, ROUND_HALF_UP)
            life.payments.append((data_horizon, balance, accrued))
            return
        life.payments.append((due, principal, interest))
        balance -= principal
        last = due


def _charged_off_payments(loan: SourceLoan, life: Life) -> None:
    last_paid_by = loan.charge_off_date - dt.timedelta(days=CHARGE_OFF_GAP_DAYS)
    balance = loan.amount
    for due, principal, interest in life.schedule:
        if due > last_paid_by or balance - principal < loan.charge_off_amount:
            break
        life.payments.append((due, principal, interest))
        balance -= principal
    recovered = balance - loan.charge_off_amount
    if recovered > 0:
        life.payments.append((loan.charge_off_date, recovered, ZERO))


def _borrower_ids(loans: list[SourceLoan]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for loan in loans:
        if loan.name not in ids:
            ids[loan.name] = f"SBA-B{len(ids) + 1:04d}"
    return ids


def _snapshot(loans: list[SourceLoan], lives: dict[str, Life], ids: dict[str, str],
              as_of: dt.date, out_dir: Path) -> Path:
    members = [loan for loan in loans if loan.known_from <= as_of]
    latest: dict[str, SourceLoan] = {}
    for loan in sorted(members, key=lambda x: (x.known_from, x.loan_id)):
        latest[loan.name] = loan
    borrowers = [{
        "borrower_id": ids[name],
        "borrower_name": name,
        "borrower_type": "sme",
        "industry_scheme": "NAICS 2007",
        "industry_code": loan.naics,
        "region": f"{loan.city}, {loan.state}",
        "provenance": "derived",
    } for name, loan in sorted(latest.items(), key=lambda item: ids[item[0]])]
    loan_rows, schedule, payments, events, guarantees = [], [], [], [], []
    for loan in members:
        life = lives[loan.loan_id]
        loan_rows.append({
            "loan_id": loan.loan_id,
            "borrower_id": ids[loan.name],
            "product": "sba_7a",
            "currency": CURRENCY,
            "contract_amount": money(loan.amount),
            "disbursement_date": loan.disbursement,
            "maturity_date": life.maturity,
            "interest_rate": ASSUMED_RATE,
            "repayment_method": "level_payment",
            "guarantee_type": "guaranteed",
            "branch": loan.bank,
            "provenance": "derived",
        })
        for number, (due, principal, interest) in enumerate(life.schedule, start=1):
            schedule.append({
                "loan_id": loan.loan_id, "installment_no": number, "due_date": due,
                "principal_due": money(principal), "interest_due": money(interest),
                "provenance": "derived",
            })
        for number, (date, principal, interest) in enumerate(life.payments, start=1):
            if date > as_of:
                break
            payments.append({
                "payment_id": f"{loan.loan_id}-P{number:03d}", "loan_id": loan.loan_id,
                "payment_date": date, "principal_paid": money(principal),
                "interest_paid": money(interest), "provenance": "derived",
            })
        if life.write_off and life.write_off[0] <= as_of:
            date, amount, note = life.write_off
            events.append({
                "event_id": f"{loan.loan_id}-WO", "loan_id": loan.loan_id, "event_date": date,
                "event_type": "write_off", "amount": money(amount), "note": note,
                "provenance": "real",
            })
        guarantees.append({
            "guarantee_id": f"{loan.loan_id}-SBA", "loan_id": loan.loan_id,
            "guarantor_id": GUARANTOR_ID, "guaranteed_amount": money(loan.sba_approved),
            "provenance": "real",
        })
    notes = (
        "Public SBA 7(a) FOIA data (public domain; Li, Mickel & Taylor 2018, JSE 26(1)). Real: "
        "loan numbers, borrower names, cities, NAICS, lenders, disbursement dates and amounts, "
        "terms, SBA guaranteed amounts, charge-off dates and amounts. Derived: borrower ids, the "
        "8.00% interest rate (assumed), maturities, level-payment schedules, payment rows and the "
        "pre-charge-off recoveries. Broken source values are passed through on purpose (missing "
        "disbursement dates, Term 0, paid-in-full loans with a charge-off). Capital figures are "
        "invented for illustration (synthetic). Industry limits are an illustrative "
        "demonstration set, invented (synthetic), not any lender's. Rules: "
        "docs/data-sources.md and docs/industry-limits.md."
    )
    header = {
        "portfolio_id": PORTFOLIO_ID,
        "portfolio_name": PORTFOLIO_NAME,
        "kind": "portfolio",
        "as_of": as_of.isoformat(),
        "currency": CURRENCY,
        "provenance": "real",
        "delivered_at": f"{(as_of + dt.timedelta(days=1)).isoformat()}T00:00:00Z",
        "notes": notes,
    }
    if as_of in CAPITAL:  # illustrative figures exist for the bundled dates only
        net, tier1, net_prev, tier1_prev = CAPITAL[as_of]
        header["capital"] = {
            "net_capital": net, "net_tier1_capital": tier1,
            "net_capital_prev_quarter": net_prev, "net_tier1_capital_prev_quarter": tier1_prev,
            "provenance": "synthetic",
        }
    tables = {
        "borrowers": borrowers,
        "loans": loan_rows,
        "repayment_schedule": schedule,
        "payments": payments,
        "loan_events": events,
        "guarantees": guarantees,
        "industry_limits": [{
            "scheme": scheme, "code": code, "level": level, "limit_amount": amount,
            "effective_from": effective, "provenance": "synthetic",
        } for scheme, code, level, amount, effective in DEMO_LIMITS if effective <= as_of],
    }
    absent = {
        "collateral": "The source only flags real-estate backing (RealEstate = 1) without any "
                      "collateral value or appraisal date.",
        "industries": "Classification trees come with the industry_reference batch.",
        "industry_indicators": "Indicators come with the industry_reference batch.",
        "classification_overrides": "The source has no manual five-level classifications.",
    }
    return write_batch(out_dir / PORTFOLIO_ID / as_of.isoformat(), header, tables, absent)


def build_batches(source_dir: Path, out_dir: Path,
                  as_of_dates: tuple[dt.date, ...] = AS_OF_DATES) -> list[Path]:
    """Write a full snapshot for each as-of date (by default 2008-12-31 and 2010-12-31) under
    ``out_dir``; return their folders. Any date from the first disbursement to the last date in
    the source can be rebuilt, each snapshot holding only what was known on it."""
    loans = read_source(source_dir)
    data_horizon = horizon(loans)
    first = min(loan.disbursement for loan in loans if loan.disbursement)
    for as_of in as_of_dates:
        if not first <= as_of <= data_horizon:
            raise ValueError(f"SBA snapshot date {as_of} is outside the source's history "
                             f"({first} to {data_horizon})")
    lives = {loan.loan_id: plan_life(loan, data_horizon) for loan in loans}
    ids = _borrower_ids(loans)
    return [_snapshot(loans, lives, ids, as_of, out_dir) for as_of in as_of_dates]
