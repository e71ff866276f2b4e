"""``postloan generate``: a synthetic Chinese bank (CNY) as sealed landing batches, at any size.

``generate(size, seed, out)`` writes one batch per as-of date for portfolio ``demo_bank_<size>``
(corporate, SME and retail books; every file, row and manifest marked ``synthetic``) and, unless
told not to, the ``industry_reference`` batch its GB/T 4754 codes are named in. The same size,
seed and dates always give byte-identical files. What the bank looks like and what it is
calibrated to: ``docs/demo-bank.md``; the arrays behind it: ``bank.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (registers pa.compute)

from postloan.adapters._write import money
from postloan.generate import bank as bk
from postloan.generate import calibration
from postloan.generate.files import EntityWriter, cents, concat, dates, ids
from postloan.landing.manifest import seal, write_manifest

DEFAULT_AS_OF = dt.date(2026, 11, 30)
# CSV where people open the files (tests, the bundled S bank); Parquet for the benchmark sizes:
# a fifth of the bytes, typed columns, and the loader's fast path (docs/benchmarks.md).
DEFAULT_FORMAT = {"XS": "csv", "S": "csv", "M": "parquet", "L": "parquet"}
CHUNK_LOANS = 100_000
SCHEME = "GB/T 4754-2017"
# [P] Capital figures: net capital 13.5% of the loans outstanding (a Chinese bank's net capital
# over loans is about 13-15%), net tier-1 capital 86% of net capital, each 97% of it a quarter
# earlier. Rounded to 10,000 yuan.
NET_CAPITAL_SHARE = 135
TIER1_SHARE = 86
PREVIOUS_QUARTER = 97
PORTFOLIO_ENTITIES = ("borrowers", "loans", "repayment_schedule", "payments", "loan_events",
                      "collateral", "guarantees", "industry_limits")
ABSENT = {
    "industries": "GB/T 4754-2017 trees come with the industry_reference batch.",
    "industry_indicators": "Indicators come with the industry_reference batch.",
    "classification_overrides": "The generator approves no manual classifications.",
}


def portfolio_id(size: str) -> str:
    return f"demo_bank_{size.lower()}"


@dataclass
class Snapshot:
    as_of: dt.date
    day: int
    folder: Path
    known: int  # loans disbursed on or before the date (a prefix: loans are sorted by date)
    writers: dict[str, EntityWriter]
    paid_principal: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    oldest_unpaid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    figures: dict = field(default_factory=dict)


def generate(size: str, seed: int, out: Path, as_of: tuple[dt.date, ...] = (DEFAULT_AS_OF,),
             fmt: str | None = None, reference: bool = True,
             sources: Path | None = None, delta: bool = False) -> list[Path]:
    """Write the batches; return their folders (the portfolio's, then the reference one).

    With ``delta``, every date after the first is written as a delta on the date before it (only
    the rows new or changed since then: what a daily feed delivers), not as a full snapshot.
    """
    from postloan.paths import SOURCES_DIR

    size = size.upper()
    if size not in bk.SIZES:
        raise ValueError(f"size {size!r} is not one of {', '.join(bk.SIZES)}")
    sources = Path(sources or SOURCES_DIR)
    fmt = fmt or DEFAULT_FORMAT[size]
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format {fmt!r} is not csv or parquet")
    dates_sorted = sorted(set(as_of))
    earliest = dt.date.fromisoformat(str(bk.BOOK_END)) - dt.timedelta(days=365 * 5)
    for d in dates_sorted:
        if not earliest <= d <= dt.date.fromisoformat(str(bk.BOOK_END)):
            raise ValueError(f"as-of date {d} is outside the demonstration bank's history "
                             f"({earliest} to {bk.BOOK_END})")
    cal = calibration.load(sources)
    bank = bk.build(cal, size, seed)
    loans, borrowers = bank.loans, bank.borrowers
    pid = portfolio_id(size)
    prefix = f"D{size}-"
    loan_ids = ids(prefix + "L", np.arange(1, loans.count + 1), 7)
    borrower_ids = ids(prefix + "B", np.arange(1, len(borrowers.segment) + 1), 7)
    snapshots = []
    for d in dates_sorted:
        folder = Path(out) / pid / d.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            if stale.is_file():
                stale.unlink()
        day = bk.days(d)
        known = int(np.searchsorted(loans.disbursed, day, side="right"))
        snapshots.append(Snapshot(
            d, day, folder, known,
            {e: EntityWriter(folder, e, fmt) for e in PORTFOLIO_ENTITIES},
            np.zeros(known, dtype=np.int64), np.full(known, bk.NEVER, dtype=np.int64)))

    for lo in range(0, loans.count, CHUNK_LOANS):
        hi = min(lo + CHUNK_LOANS, loans.count)
        rows = bk.installments(loans, lo, hi)
        events = _events(bank, rows, lo, hi, loan_ids)
        for snap in snapshots:
            _write_chunk(snap, rows, events, loan_ids, lo)

    guarantees = bk.guarantees(bank)
    collateral = _collateral(bank)
    for snap in snapshots:
        snap.figures = _figures(bank, snap)
    limits = _industry_limits(bank)
    folders = []
    for snap in snapshots:
        _write_static(bank, snap, loan_ids, borrower_ids, guarantees, collateral, limits)
        folders.append(_manifest(bank, snap, pid, cal))
    if delta:
        _to_deltas(folders)
    if reference:
        from postloan.adapters import industry

        folders.extend(industry.build_batches(sources / "industry_reference", Path(out)))
    return folders


def _to_deltas(folders: list[Path]) -> None:
    """Rewrite every snapshot folder after the first as the delta on the one before it."""
    import shutil

    from postloan.landing.delta import write_delta

    staged = []
    for before, after in zip(folders, folders[1:], strict=False):
        tmp = after.with_name(after.name + ".delta")
        shutil.rmtree(tmp, ignore_errors=True)
        staged.append((write_delta(before, after, tmp), after))
    for tmp, after in staged:
        shutil.rmtree(after)
        tmp.rename(after)


# --------------------------------------------------------------------------------------------
# Installment-level rows: schedule, payments, and the events that come from them


@dataclass
class Events:
    loan: np.ndarray
    date: np.ndarray
    type: np.ndarray  # event type code (object array of str)
    code: np.ndarray  # event id suffix
    amount: np.ndarray  # cents, -1 = none
    new_maturity: np.ndarray  # day number, -1 = none
    note: np.ndarray


def _events(bank: bk.Bank, rows: bk.Installments, lo: int, hi: int, loan_ids) -> Events:
    loans = bank.loans
    idx = np.arange(lo, hi)
    parts = []

    def add(loan, date, type_, code, amount=None, new_maturity=None, note=""):
        n = len(loan)
        parts.append((
            loan, date, np.full(n, type_, dtype=object), code,
            np.full(n, -1, dtype=np.int64) if amount is None else amount,
            np.full(n, -1, dtype=np.int64) if new_maturity is None else new_maturity,
            np.full(n, note, dtype=object) if isinstance(note, str) else note))

    # Restructurings and extensions.
    shifted = idx[loans.shift_from[idx] > 0]
    if len(shifted):
        restr = loans.restructured[shifted]
        months = loans.shift_months[shifted].astype(str)
        notes = np.where(restr,
                         "借款人经营困难，剩余期次顺延" + months.astype(object) + "个月",
                         "到期前展期" + months.astype(object) + "个月")
        add(shifted, loans.shift_event[shifted],
            "restructuring", np.full(len(shifted), "R01", dtype=object),
            new_maturity=loans.maturity[shifted], note=notes)
        parts[-1][2][~restr] = "extension"
        parts[-1][3][~restr] = "X01"
    # Write-offs (outstanding principal at the time) and recoveries six months later.
    wo = idx[loans.write_off[idx] < bk.NEVER]
    if len(wo):
        before_k = rows.inst < loans.default_k[rows.loan]
        paid_principal = np.bincount(rows.loan[before_k] - lo,
                                     weights=rows.principal[before_k], minlength=hi - lo)
        outstanding = loans.amount[wo] - paid_principal[wo - lo].astype(np.int64)
        add(wo, loans.write_off[wo], "write_off", np.full(len(wo), "W01", dtype=object),
            amount=outstanding, note="逾期超过360天，经审批核销")
        rec = wo[loans.recovery_share[wo] > 0]
        share = loans.recovery_share[rec]
        rec_amount = np.floor(outstanding[loans.recovery_share[wo] > 0] * share).astype(np.int64)
        add(rec, loans.write_off[rec] + 182, "recovery", np.full(len(rec), "V01", dtype=object),
            amount=rec_amount, note="核销后清收")
    # Collection demands: every installment still unpaid 15 days after it fell due.
    late = rows.paid_on - rows.due > bk.COLLECTION_AFTER_DAYS
    demand = rows.due + bk.COLLECTION_AFTER_DAYS
    late &= demand < loans.write_off[rows.loan]
    if late.any():
        code = pa.compute.binary_join_element_wise(
            "C", pa.compute.utf8_lpad(pa.array(rows.inst[late]).cast(pa.string()), 3, "0"), "")
        add(rows.loan[late], demand[late], "collection_demand",
            np.array(code.to_pylist(), dtype=object), note="逾期催收通知")
    # Post-loan checks: corporate quarterly, SME and retail business loans half-yearly.
    seg = bk.SEGMENTS
    product = loans.product[idx]
    segment = np.array([bk.SEGMENTS.index(p[1]) for p in bk.PRODUCTS])[product]
    step = np.where(segment == seg.index("corporate"), 3,
                    np.where((segment == seg.index("sme"))
                             | (product == bk.PRODUCT_NAMES.index("retail_business")), 6, 0))
    checked = idx[step > 0]
    step = step[step > 0]
    end = np.minimum(np.minimum(loans.maturity[checked], loans.write_off[checked]),
                     bank.horizon)
    end_month = bk.month_index(end)
    count = np.maximum((end_month - loans.first_month[checked] - 1) // step + 1, 0)
    loan = np.repeat(checked, count)
    number = np.arange(len(loan)) - np.repeat(np.cumsum(count) - count, count) + 1
    step_rep = np.repeat(step, count)
    when = bk.on_day(loans.first_month[loan] + number * step_rep,
                     np.minimum(loans.anchor[loan] + 5, 28))
    keep = when <= np.minimum(loans.maturity[loan], bank.horizon)
    code = pa.compute.binary_join_element_wise(
        "K", pa.compute.utf8_lpad(pa.array(number[keep]).cast(pa.string()), 3, "0"), "")
    add(loan[keep], when[keep], "post_loan_check", np.array(code.to_pylist(), dtype=object),
        note=np.where(step_rep[keep] == 3, "季度贷后检查", "半年度贷后检查").astype(object))

    merged = [np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
              for i in range(7)]
    order = np.lexsort((merged[3], merged[1], merged[0]))
    return Events(*(m[order] for m in merged))


def _write_chunk(snap: Snapshot, rows: bk.Installments, events: Events, loan_ids,
                 lo: int) -> None:
    known = rows.loan < snap.known
    if known.any():
        sel = np.flatnonzero(known)
        loan_id = loan_ids.take(pa.array(rows.loan[sel]))
        snap.writers["repayment_schedule"].write({
            "loan_id": loan_id, "installment_no": rows.inst[sel],
            "due_date": dates(rows.due[sel]), "principal_due": cents(rows.principal[sel]),
            "interest_due": cents(rows.interest[sel]), "provenance": _synthetic(len(sel)),
        })
        paid = np.flatnonzero(known & (rows.paid_on <= snap.day))
        loan_id = loan_ids.take(pa.array(rows.loan[paid]))
        number = pa.compute.utf8_lpad(pa.array(rows.inst[paid]).cast(pa.string()), 3, "0")
        penalty = rows.penalty[paid]
        snap.writers["payments"].write({
            "payment_id": concat(loan_id, pa.scalar("-P"), number), "loan_id": loan_id,
            "payment_date": dates(rows.paid_on[paid]),
            "principal_paid": cents(rows.principal[paid]),
            "interest_paid": cents(rows.interest[paid]),
            "penalty_paid": cents(penalty, penalty > 0), "provenance": _synthetic(len(paid)),
        })
        # Figures for the notes and the limits: principal paid, oldest unpaid installment.
        snap.paid_principal += np.bincount(
            rows.loan[paid], weights=rows.principal[paid],
            minlength=snap.known)[:snap.known].astype(np.int64)
        open_ = np.flatnonzero(known & (rows.due < snap.day) & (rows.paid_on > snap.day))
        first_loan, first = np.unique(rows.loan[open_], return_index=True)
        snap.oldest_unpaid[first_loan] = np.minimum(snap.oldest_unpaid[first_loan],
                                                    rows.due[open_][first])
    keep = np.flatnonzero((events.loan < snap.known) & (events.date <= snap.day))
    if len(keep):
        loan_id = loan_ids.take(pa.array(events.loan[keep]))
        amount = events.amount[keep]
        new_maturity = events.new_maturity[keep]
        snap.writers["loan_events"].write({
            "event_id": concat(loan_id, pa.scalar("-"), pa.array(events.code[keep].tolist())),
            "loan_id": loan_id, "event_date": dates(events.date[keep]),
            "event_type": pa.array(events.type[keep].tolist()),
            "amount": cents(np.maximum(amount, 0), amount >= 0),
            "new_maturity_date": dates(np.maximum(new_maturity, 0), new_maturity >= 0),
            "note": pa.array(events.note[keep].tolist()), "provenance": _synthetic(len(keep)),
        })


def _synthetic(n: int) -> pa.Array:
    return pa.array(np.full(n, "synthetic", dtype=object), pa.string())


# --------------------------------------------------------------------------------------------
# Loan- and borrower-level files


@dataclass
class Collateral:
    loan: np.ndarray
    number: np.ndarray
    type: np.ndarray
    value: np.ndarray  # cents
    date: np.ndarray


def _collateral(bank: bk.Bank) -> Collateral:
    """One item per mortgage- or pledge-secured loan, appraised at disbursement and yearly.

    Loan-to-value at origination 45-70%; values move each year by -4% to +2% (property, land:
    Chinese house prices have fallen since 2022), -12% (equipment), -2% (receivables), 0
    (deposits) or -10% to +10% (securities); rounded to 100 yuan."""
    loans = bank.loans
    idx = np.flatnonzero(np.isin(loans.security, (bk.GUARANTEE_TYPES.index("mortgage"),
                                                  bk.GUARANTEE_TYPES.index("pledge"))))
    u1, u2, u3 = (bk.unit_hash(idx, s) for s in (1, 2, 3))
    pledge = loans.security[idx] == bk.GUARANTEE_TYPES.index("pledge")
    retail = np.isin(loans.product[idx], (bk.PRODUCT_NAMES.index("retail_mortgage"),
                                          bk.PRODUCT_NAMES.index("retail_business")))
    kind = np.where(pledge, np.where(u1 < 0.5, "receivables",
                                     np.where(u1 < 0.75, "deposit", "securities")),
                    np.where(retail | (u1 < 0.6), "property",
                             np.where(u1 < 0.8, "land", "equipment"))).astype(object)
    drift = np.select(
        [np.isin(kind, ("property", "land")), kind == "equipment", kind == "receivables",
         kind == "deposit"],
        [-0.04 + 0.06 * u2, np.full(len(idx), -0.12), np.full(len(idx), -0.02),
         np.zeros(len(idx))], -0.10 + 0.20 * u2)
    v0 = loans.amount[idx] / (0.45 + 0.25 * u3)
    first = loans.disbursed[idx] - 7
    end = np.minimum(np.minimum(loans.maturity[idx], loans.write_off[idx]), bank.horizon)
    count = (end - first) // 365 + 1
    count = np.maximum(count, 1)
    rep = np.repeat(np.arange(len(idx)), count)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
    value = np.round(v0[rep] * (1 + drift[rep]) ** k / 10000) * 10000
    return Collateral(idx[rep], k, kind[rep], value.astype(np.int64), first[rep] + 365 * k)


def _figures(bank: bk.Bank, snap: Snapshot) -> dict:
    """The snapshot's book by the rules in words (for the notes, limits and capital): outstanding
    = disbursed, not written off, principal left; DPD from the oldest unpaid installment; NPL =
    DPD > 90, spread to every loan of a non-retail obligor whose NPL share is above 10%."""
    loans, b = bank.loans, bank.borrowers
    n = snap.known
    balance = loans.amount[:n] - snap.paid_principal
    outstanding = (loans.write_off[:n] > snap.day) & (balance > 0)
    balance = np.where(outstanding, balance, 0)
    dpd = np.where(outstanding & (snap.oldest_unpaid < bk.NEVER),
                   snap.day - snap.oldest_unpaid, 0)
    npl = outstanding & (dpd > 90)
    borrower = loans.borrower[:n]
    retail = b.segment[borrower] == bk.SEGMENTS.index("retail")
    nb = len(b.segment)
    share = np.bincount(borrower, weights=np.where(npl, balance, 0), minlength=nb) / \
        np.maximum(np.bincount(borrower, weights=balance, minlength=nb), 1)
    npl_b7 = npl | (outstanding & ~retail & (share[borrower] > 0.10))
    total = int(balance.sum())
    return {
        "outstanding_loans": int(outstanding.sum()), "outstanding_principal": total,
        "overdue_loans": int((dpd > 0).sum()),
        "npl_principal": int(balance[npl_b7].sum()),
        "npl_ratio": float(balance[npl_b7].sum()) / total if total else 0.0,
        "dpd_over_90_principal": int(balance[npl].sum()),
        "balance": balance, "outstanding": outstanding,
    }


def _industry_limits(bank: bk.Bank) -> list[tuple[str, int, int, int]]:
    """(code, level, limit in cents, effective from) rows, sized on the book at DEFAULT_AS_OF.

    Exposure here is the contract amount of corporate and SME loans live on DEFAULT_AS_OF
    (disbursed by then, maturing later), so the limits do not depend on the snapshots asked for.
    Section limits: a first version three years before DEFAULT_AS_OF at 0.6-1.0 times that
    exposure, revised ten months before it by 0.9-1.15 (drawn balances run well below contract
    amounts, so most limits have room and a few sit near or over their use); division limits on
    房地产业 (70) and the two largest divisions at 0.6-0.85 times, from the same date. Rounded to a
    million yuan (at least one); the multipliers come from a fixed sequence."""
    loans, b = bank.loans, bank.borrowers
    d0 = bk.days(DEFAULT_AS_OF)
    live = (loans.disbursed <= d0) & (loans.maturity > d0) & \
        (b.section[loans.borrower] != "")
    sec = b.section[loans.borrower][live]
    div = np.array([code[:2] for code in b.industry[loans.borrower][live].tolist()], dtype=object)
    amount = loans.amount[live]
    v1, v2 = d0 - 3 * 365, d0 - 300
    out = []
    for i, s in enumerate(sorted(set(sec.tolist()))):
        exposure = int(amount[sec == s].sum())
        f1 = 0.6 + 0.4 * bk.unit_hash(np.array([i]), 7)[0]
        f2 = f1 * (0.9 + 0.25 * bk.unit_hash(np.array([i]), 8)[0])
        for when, f in ((v1, f1), (v2, f2)):
            out.append((s, 0, max(1, round(exposure * f / 1e8)) * 100_000_000, when))
    by_div = {d: int(amount[div == d].sum()) for d in sorted(set(div.tolist()))}
    chosen = sorted(by_div, key=lambda k: (-by_div[k], k))[:2]
    if "70" in by_div and "70" not in chosen:
        chosen.append("70")
    for i, d in enumerate(sorted(chosen)):
        f = 0.6 + 0.25 * bk.unit_hash(np.array([i]), 9)[0]
        out.append((d, 1, max(1, round(by_div[d] * f / 1e8)) * 100_000_000, v2))
    return out


def _write_static(bank: bk.Bank, snap: Snapshot, loan_ids, borrower_ids, guarantees,
                  collateral: Collateral, limits) -> None:
    loans, b = bank.loans, bank.borrowers
    n = snap.known
    w = snap.writers
    idx = np.arange(n)
    product = np.array(bk.PRODUCT_NAMES, dtype=object)[loans.product[:n]]
    branch_city = np.array([c for c, _ in bk.BRANCHES], dtype=object)[b.branch]
    shifted = loans.shift_from[:n] > 0
    w["loans"].write({
        "loan_id": loan_ids.slice(0, n), "borrower_id": borrower_ids.take(
            pa.array(loans.borrower[:n])),
        "product": pa.array(product.tolist()), "currency": pa.array(["CNY"] * n),
        "contract_amount": cents(loans.amount[:n]),
        "credit_limit": cents(loans.credit_limit[:n], loans.credit_limit[:n] > 0),
        "disbursement_date": dates(loans.disbursed[:n]),
        "maturity_date": dates(loans.due_day(idx, loans.term[:n])),
        "original_maturity_date": dates(loans.original_maturity[:n], shifted),
        "interest_rate": cents(loans.rate_bp[:n], None, pa.decimal128(8, 2)),
        "repayment_method": pa.array(np.array(bk.METHODS, dtype=object)[
            loans.method[:n]].tolist()),
        "guarantee_type": pa.array(np.array(bk.GUARANTEE_TYPES, dtype=object)[
            loans.security[:n]].tolist()),
        "purpose": pa.array([bk.PURPOSES[p] for p in product.tolist()]),
        "branch": pa.array(("合成银行" + branch_city[loans.borrower[:n]] + "分行").tolist()),
        "officer": pa.array((branch_city[loans.borrower[:n]] + "分行客户经理" + np.char.zfill(
            b.officer[loans.borrower[:n]].astype(str), 3).astype(object)).tolist()),
        "provenance": _synthetic(n),
    })

    # Borrowers: those with a loan on the books, and the guarantee companies.
    members = np.unique(np.concatenate([loans.borrower[:n],
                                        np.flatnonzero(b.is_guarantee_company)]))
    seg = b.segment[members]
    retail = seg == bk.SEGMENTS.index("retail")
    gc = b.is_guarantee_company[members]
    number = np.char.zfill((members + 1).astype(str), 7).astype(object)
    city = branch_city[members]
    name = np.where(retail, "合成客户" + number,
                    np.where(gc, city + "合成融资担保有限公司" + number,
                             city + "合成企业" + number + "有限公司"))
    id_number = np.where(retail, "SYN-P" + number, "SYN-C" + number)
    province = np.array([p for _, p in bk.BRANCHES], dtype=object)[b.branch[members]]
    group = b.group[members]
    live = (loans.write_off[:n] > snap.day) & (loans.due_day(idx, loans.term[:n]) > snap.day)
    debt = np.bincount(loans.borrower[:n], weights=np.where(live, loans.amount[:n], 0),
                       minlength=len(b.segment))[members]
    w["borrowers"].write({
        "borrower_id": borrower_ids.take(pa.array(members)),
        "borrower_name": pa.array(name.tolist()), "id_number": pa.array(id_number.tolist()),
        "borrower_type": pa.array(np.array(bk.SEGMENTS, dtype=object)[seg].tolist()),
        "group_id": pa.array([f"D{bank.size}-G{g:05d}" if g >= 0 else None
                              for g in group.tolist()], pa.string()),
        "industry_scheme": pa.array([None if r else SCHEME for r in retail.tolist()],
                                    pa.string()),
        "industry_code": pa.array([c or None for c in b.industry[members].tolist()],
                                  pa.string()),
        "region": pa.array(province.tolist()),
        "internal_rating": pa.array(bk.rating_label(b)[members].tolist()),
        "is_related_party": pa.array(b.related[members]),
        "net_assets": cents(b.net_assets[members], b.net_assets[members] > 0),
        "bureau_total_debt": cents((debt * 8 // 5).astype(np.int64), ~retail),
        "bureau_debt_over_90dpd": cents(np.zeros(len(members), dtype=np.int64), ~retail),
        "bureau_npl_elsewhere": pa.compute.if_else(
            pa.array(~retail), pa.array(b.npl_elsewhere[members]), pa.scalar(None, pa.bool_())),
        "provenance": _synthetic(len(members)),
    })

    sel = np.flatnonzero((collateral.loan < n) & (collateral.date <= snap.day))
    w["collateral"].write({
        "collateral_id": concat(pa.scalar(f"D{bank.size}-C"), ids("", collateral.loan[sel] + 1,
                                                                  7)),
        "loan_id": loan_ids.take(pa.array(collateral.loan[sel])),
        "collateral_type": pa.array(collateral.type[sel].tolist(), pa.string()),
        "appraised_value": cents(collateral.value[sel]),
        "appraisal_date": dates(collateral.date[sel]), "provenance": _synthetic(len(sel)),
    })
    g = np.flatnonzero(guarantees.loan < n)
    loan_id = loan_ids.take(pa.array(guarantees.loan[g]))
    w["guarantees"].write({
        "guarantee_id": concat(loan_id, pa.scalar("-G1")), "loan_id": loan_id,
        "guarantor_id": borrower_ids.take(pa.array(guarantees.guarantor[g])),
        "guaranteed_amount": cents(guarantees.amount[g]), "provenance": _synthetic(len(g)),
    })
    rows = [r for r in limits if r[3] <= snap.day]
    w["industry_limits"].write({
        "scheme": pa.array([SCHEME] * len(rows), pa.string()),
        "code": pa.array([r[0] for r in rows], pa.string()),
        "level": pa.array([r[1] for r in rows], pa.int32()),
        "limit_amount": cents(np.array([r[2] for r in rows], dtype=np.int64)),
        "effective_from": dates(np.array([r[3] for r in rows], dtype=np.int64)),
        "provenance": _synthetic(len(rows)),
    })


def _round_to(value: int, step_cents: int) -> int:
    return (value + step_cents // 2) // step_cents * step_cents


def _manifest(bank: bk.Bank, snap: Snapshot, pid: str, cal: calibration.Calibration) -> Path:
    files = {e: snap.writers[e].close() for e in PORTFOLIO_ENTITIES}
    f = snap.figures
    total = f["outstanding_principal"]
    step = 1_000_000  # 10,000 yuan
    net = _round_to(total * NET_CAPITAL_SHARE // 1000, step)
    tier1 = _round_to(net * TIER1_SHARE // 100, step)

    def yuan(c: int) -> str:
        return money(f"{c // 100}.{c % 100:02d}")

    grades = ", ".join(f"{g} {float(s) * 100:.2f}%" for g, s in cal.grade_delinquency.items())
    notes = (
        f"SYNTHETIC demonstration bank (postloan generate --size {bank.size} --seed "
        f"{bank.seed}): invented borrowers, loans, payments and events, calibrated to bundled "
        "public data (LendingClub 2018 Q1 amounts, terms, rates and delinquency by grade: "
        f"{grades}; SBA 7(a) charge-off rates by industry mapped to GB/T 4754 sections). "
        f"As generated: {f['outstanding_loans']} loans outstanding, principal "
        f"{yuan(total)} CNY, NPL by DPD > 90 and the obligor 10% rule "
        f"{f['npl_ratio'] * 100:.2f}%. Capital figures are synthetic (13.5% of loans). "
        "Rules and calibration: docs/demo-bank.md."
    )
    header = {
        "portfolio_id": pid,
        "portfolio_name": f"合成演示银行 Synthetic demonstration bank ({bank.size}, seed "
                          f"{bank.seed})",
        "kind": "portfolio",
        "as_of": snap.as_of.isoformat(),
        "currency": "CNY",
        "provenance": "synthetic",
        "delivered_at": f"{(snap.as_of + dt.timedelta(days=1)).isoformat()}T00:00:00Z",
        "capital": {
            "net_capital": yuan(net), "net_tier1_capital": yuan(tier1),
            "net_capital_prev_quarter": yuan(_round_to(net * PREVIOUS_QUARTER // 100, step)),
            "net_tier1_capital_prev_quarter": yuan(
                _round_to(tier1 * PREVIOUS_QUARTER // 100, step)),
            "provenance": "synthetic",
        },
        "notes": notes,
    }
    data = dict(header)
    data["files"] = files
    data["absent"] = dict(ABSENT)
    write_manifest(snap.folder, data)
    seal(snap.folder)
    return snap.folder
