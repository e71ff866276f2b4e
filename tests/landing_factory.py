"""Small, valid, deterministic landing batches for tests, with their true figures.

``write_batch`` writes one sealed batch folder (borrowers, loans, monthly repayment schedules and
payments, some loans overdue, one repaid early, one disbursed after the as-of date). Amounts are
written as exact decimal text with two places.

``expected_figures`` recomputes what ``reporting.portfolio_summary`` must show for a batch from the
CSV files on disk, in plain Python with ``decimal.Decimal`` and ``csv`` only, following the domain
rules in words (not the product's SQL):

* a loan is on the report when it was disbursed on or before the as-of date;
* principal not repaid = total scheduled principal - principal paid on or before the as-of date;
  the loan is closed when that is <= 0, otherwise outstanding;
* an installment is overdue when it fell due strictly before the as-of date and the cumulative
  amount due up to it (principal and interest counted apart) exceeds what was paid by the as-of
  date, payments applying to the oldest amounts first; DPD = days since the oldest such
  installment (0 when none).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import yaml

from postloan.landing.contract import ENTITY_BY_NAME
from postloan.landing.manifest import seal

CENT = Decimal("0.01")
DELIVERED = ("borrowers", "loans", "repayment_schedule", "payments")
FILE_NAMES = {e: f"{e}.csv" for e in DELIVERED}

HEADERS = {
    "borrowers": ["borrower_id", "borrower_name", "borrower_type", "region", "provenance"],
    "loans": ["loan_id", "borrower_id", "product", "currency", "contract_amount",
              "disbursement_date", "maturity_date", "interest_rate", "repayment_method",
              "guarantee_type", "branch"],
    "repayment_schedule": ["loan_id", "installment_no", "due_date", "principal_due",
                           "interest_due"],
    "payments": ["payment_id", "loan_id", "payment_date", "principal_paid", "interest_paid",
                 "penalty_paid"],
}

# How each loan behaves up to the as-of date; cycled through in a seeded order.
#   current  pays every installment on its due date
#   late1    misses the last installment that fell due (DPD 1-30ish)
#   late4    misses the last four installments that fell due (DPD > 90)
#   partial  pays the principal of the last installment due but only part of its interest
#   prepaid  pays the installments then the whole remaining principal: closed
#   future   disbursed after the as-of date: not on the report at all
BEHAVIOURS = ("current", "late1", "late4", "partial", "prepaid", "current", "late1", "future")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, day.day)  # day <= 28 by construction


@dataclass(frozen=True)
class LoanFigure:
    loan_id: str
    status: str  # outstanding | closed
    outstanding_principal: Decimal
    dpd: int


@dataclass(frozen=True)
class Expected:
    """What reporting.portfolio_summary must show for one batch."""

    portfolio_id: str
    as_of: dt.date
    loan_count: int  # outstanding loans
    outstanding_principal: Decimal
    overdue_loan_count: int
    overdue_principal: Decimal
    dpd_over_90_principal: Decimal
    closed_loan_count: int
    loans: dict[str, LoanFigure] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # data records per delivered file

    @property
    def aggregate(self) -> tuple[int, str]:
        """(outstanding loans, outstanding principal as text): what the readers compare."""
        return self.loan_count, money(self.outstanding_principal)


def _generate(portfolio_id: str, as_of: dt.date, n_loans: int, seed: int) -> dict[str, list]:
    rng = random.Random(f"{portfolio_id}|{as_of}|{n_loans}|{seed}")
    behaviours = [BEHAVIOURS[i % len(BEHAVIOURS)] for i in range(n_loans)]
    rng.shuffle(behaviours)
    rows: dict[str, list[list[str]]] = {e: [] for e in DELIVERED}
    n_borrowers = max(1, (n_loans + 1) // 2)
    prefix = f"{portfolio_id}-{seed}"
    for b in range(n_borrowers):
        rows["borrowers"].append([
            f"{prefix}-B{b:03d}", f"Borrower {seed}-{b}",
            ("corporate", "sme", "retail")[b % 3], rng.choice(["Beijing", "Shanghai", "Zhejiang"]),
            "synthetic",
        ])
    payment_no = 0
    for i, behaviour in enumerate(behaviours):
        loan_id = f"{prefix}-L{i:04d}"
        n_inst = rng.choice([12, 18, 24, 36])
        day = rng.randint(1, 28)
        if behaviour == "future":
            disbursed = as_of + dt.timedelta(days=rng.randint(1, 20))
            disbursed = disbursed.replace(day=min(disbursed.day, 28))
            if disbursed <= as_of:
                disbursed = add_months(disbursed, 1)
            months_back = 0
        else:
            # Enough installments due before the as-of date for four to be missed.
            months_back = rng.randint(6, n_inst - 1)
            disbursed = add_months(as_of.replace(day=day), -months_back)
        amount = (Decimal(rng.randint(1_000_000, 50_000_000)) * CENT)
        rate = Decimal(rng.choice(["3.45", "4.35", "4.9", "5.6", "6.125"]))
        maturity = add_months(disbursed, n_inst)
        rows["loans"].append([
            loan_id, f"{prefix}-B{i % n_borrowers:03d}",
            rng.choice(["working_capital", "mortgage"]),
            "", money(amount), disbursed.isoformat(), maturity.isoformat(), str(rate),
            "level_principal", rng.choice(["credit", "guaranteed", "mortgage"]),
            rng.choice(["Head office", "Branch 01"]),
        ])
        # Level principal: equal cents, the last installment takes the remainder.
        part = (amount / n_inst).quantize(CENT, rounding=ROUND_DOWN)
        balance = amount
        installments = []
        for k in range(1, n_inst + 1):
            principal = part if k < n_inst else amount - part * (n_inst - 1)
            interest = (balance * rate / Decimal(1200)).quantize(CENT, rounding=ROUND_DOWN)
            due = add_months(disbursed, k)
            installments.append((k, due, principal, interest))
            rows["repayment_schedule"].append(
                [loan_id, str(k), due.isoformat(), money(principal), money(interest)])
            balance -= principal
        fallen_due = [inst for inst in installments if inst[1] < as_of]
        missed = {"late1": 1, "late4": 4}.get(behaviour, 0)
        to_pay = fallen_due[: len(fallen_due) - missed] if missed else fallen_due
        for k, due, principal, interest in to_pay:
            interest_paid = interest
            if behaviour == "partial" and k == fallen_due[-1][0]:
                interest_paid = (interest / 2).quantize(CENT, rounding=ROUND_DOWN)
            payment_no += 1
            rows["payments"].append([
                f"{prefix}-P{payment_no:06d}", loan_id, due.isoformat(), money(principal),
                money(interest_paid), "0.00"])
        if behaviour == "prepaid":
            remaining = amount - sum((inst[2] for inst in fallen_due), Decimal(0))
            payment_no += 1
            rows["payments"].append([
                f"{prefix}-P{payment_no:06d}", loan_id,
                (as_of - dt.timedelta(days=3)).isoformat(), money(remaining), "0.00", "0.00"])
        if behaviour == "current" and len(installments) > len(fallen_due):
            # A payment dated after the as-of date must not count.
            k, due, principal, interest = installments[len(fallen_due)]
            payment_no += 1
            rows["payments"].append([
                f"{prefix}-P{payment_no:06d}", loan_id, max(due, as_of + dt.timedelta(days=1))
                .isoformat(), money(principal), money(interest), "0.00"])
    return rows


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_batch(root: Path, portfolio_id: str = "demo", as_of: str = "2024-06-30",
                n_loans: int = 16, seed: int = 0, delivered_at: str | None = None, *,
                folder_name: str | None = None, rows: dict[str, int] | None = None,
                sums: dict[str, dict[str, str]] | None = None, control_totals: bool = False,
                **overrides: Any) -> Path:
    """Write one sealed batch under ``root`` and return its folder.

    ``overrides`` replace or add top-level manifest fields (``currency``, ``portfolio_name``,
    ``provenance``, ``notes``, ``capital``...). ``rows`` / ``sums`` put control totals (possibly
    wrong ones, for failure tests) on the listed entities' file entries; ``control_totals=True``
    writes the true row count of every file instead.
    """
    as_of_date = dt.date.fromisoformat(as_of)
    folder = Path(root) / (folder_name or f"{portfolio_id}_{as_of}_s{seed}")
    folder.mkdir(parents=True, exist_ok=False)
    data = _generate(portfolio_id, as_of_date, n_loans, seed)
    files: dict[str, Any] = {}
    for entity in DELIVERED:
        _write_csv(folder / FILE_NAMES[entity], HEADERS[entity], data[entity])
        spec: dict[str, Any] = {"path": FILE_NAMES[entity]}
        if control_totals:
            spec["rows"] = len(data[entity])
        if rows and entity in rows:
            spec["rows"] = rows[entity]
        if sums and entity in sums:
            spec["sums"] = dict(sums[entity])
        files[entity] = spec
    manifest: dict[str, Any] = {
        "portfolio_id": portfolio_id,
        "portfolio_name": f"Test portfolio {portfolio_id}",
        "as_of": as_of,
        "currency": "CNY",
        "provenance": "synthetic",
        "absent": {e: "not delivered by the test factory" for e in ENTITY_BY_NAME
                   if e not in DELIVERED},
        "files": files,
    }
    if delivered_at:
        manifest["delivered_at"] = delivered_at
    manifest.update(overrides)
    (folder / "manifest.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    seal(folder)
    return folder


# --------------------------------------------------------------------------------------------
# Independent expected figures


def _read(path: Path) -> list[dict[str, str]]:
    with path.open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def expected_figures(folder: Path) -> Expected:
    """The true summary figures of a batch written by ``write_batch`` (read back from disk)."""
    manifest = yaml.safe_load((Path(folder) / "manifest.yaml").read_text(encoding="utf-8"))
    as_of = dt.date.fromisoformat(str(manifest["as_of"]))
    tables = {e: _read(Path(folder) / FILE_NAMES[e]) for e in DELIVERED}

    schedule: dict[str, list[tuple[int, dt.date, Decimal, Decimal]]] = {}
    for r in tables["repayment_schedule"]:
        schedule.setdefault(r["loan_id"], []).append(
            (int(r["installment_no"]), dt.date.fromisoformat(r["due_date"]),
             Decimal(r["principal_due"]), Decimal(r["interest_due"])))
    paid_principal: dict[str, Decimal] = {}
    paid_interest: dict[str, Decimal] = {}
    for r in tables["payments"]:
        if dt.date.fromisoformat(r["payment_date"]) <= as_of:
            paid_principal[r["loan_id"]] = paid_principal.get(r["loan_id"], Decimal(0)) + \
                Decimal(r["principal_paid"])
            paid_interest[r["loan_id"]] = paid_interest.get(r["loan_id"], Decimal(0)) + \
                Decimal(r["interest_paid"])

    figures: dict[str, LoanFigure] = {}
    for loan in tables["loans"]:
        if dt.date.fromisoformat(loan["disbursement_date"]) > as_of:
            continue
        lid = loan["loan_id"]
        insts = sorted(schedule.get(lid, []))
        scheduled = sum((i[2] for i in insts), Decimal(0)) if insts else \
            Decimal(loan["contract_amount"])
        not_repaid = scheduled - paid_principal.get(lid, Decimal(0))
        if not_repaid <= 0:
            figures[lid] = LoanFigure(lid, "closed", Decimal("0.00"), 0)
            continue
        oldest: dt.date | None = None
        cum_p = cum_i = Decimal(0)
        for _, due, principal, interest in insts:
            if due >= as_of:
                break
            cum_p += principal
            cum_i += interest
            if cum_p > paid_principal.get(lid, Decimal(0)) or \
                    cum_i > paid_interest.get(lid, Decimal(0)):
                oldest = due
                break
        dpd = (as_of - oldest).days if oldest else 0
        figures[lid] = LoanFigure(lid, "outstanding", not_repaid.quantize(CENT), dpd)

    outstanding = [f for f in figures.values() if f.status == "outstanding"]
    return Expected(
        portfolio_id=str(manifest["portfolio_id"]),
        as_of=as_of,
        loan_count=len(outstanding),
        outstanding_principal=sum((f.outstanding_principal for f in outstanding), Decimal("0.00")),
        overdue_loan_count=sum(1 for f in outstanding if f.dpd > 0),
        overdue_principal=sum((f.outstanding_principal for f in outstanding if f.dpd > 0),
                              Decimal("0.00")),
        dpd_over_90_principal=sum((f.outstanding_principal for f in outstanding if f.dpd > 90),
                                  Decimal("0.00")),
        closed_loan_count=sum(1 for f in figures.values() if f.status == "closed"),
        loans=figures,
        rows={e: len(t) for e, t in tables.items()},
    )
