"""The adapters: bundled public sources -> landing batches.

Checks here recompute what they assert from the CSV files the adapters wrote and from the bundled
source files, independently of the adapters' own helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from postloan.adapters import ADAPTERS, build_all
from postloan.landing.contract import CODE, DATE, ENTITY_BY_NAME, MONEY, code_lookup
from postloan.landing.manifest import completeness_problems, read_manifest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"
LC_SOURCE = SOURCES / "lendingclub_2018q1" / "loans_full_schema.csv"
SBA_SOURCE = SOURCES / "sba7a_ca" / "SBAcase.11.13.17.csv"
REF = SOURCES / "industry_reference"
LC_AS_OF = dt.date(2018, 6, 30)
OPEN_BUCKETS = {
    "Current": (0, 0),
    "In Grace Period": (1, 15),
    "Late (16-30 days)": (16, 30),
    "Late (31-120 days)": (31, 120),
}
MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")


# --------------------------------------------------------------------------------------------
# Fixtures and small readers


@pytest.fixture(scope="session")
def batches(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("landing")
    folders = build_all(SOURCES, out)
    return {f"{f.parent.name}/{f.name}": f for f in folders}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def table(batches: dict[str, Path], batch: str, entity: str) -> list[dict[str, str]]:
    return read_rows(batches[batch] / f"{entity}.csv")


def by_loan(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row["loan_id"]].append(row)
    return grouped


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def dpd(schedule: list[dict[str, str]], payments: list[dict[str, str]], as_of: dt.date) -> int:
    """Days past due, strictly: the oldest installment due before ``as_of`` whose cumulative
    principal or cumulative interest is not covered by everything paid up to ``as_of``."""
    paid_p = sum((Decimal(p["principal_paid"]) for p in payments
                  if day(p["payment_date"]) <= as_of), Decimal(0))
    paid_i = sum((Decimal(p["interest_paid"]) for p in payments
                  if day(p["payment_date"]) <= as_of), Decimal(0))
    due_p = due_i = Decimal(0)
    for row in sorted(schedule, key=lambda r: int(r["installment_no"])):
        due = day(row["due_date"])
        if due >= as_of:
            break
        due_p += Decimal(row["principal_due"])
        due_i += Decimal(row["interest_due"])
        if due_p > paid_p or due_i > paid_i:
            return (as_of - due).days
    return 0


def lc_source() -> list[dict[str, str]]:
    return read_rows(LC_SOURCE)


def sba_source() -> list[dict[str, str]]:
    with SBA_SOURCE.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def sas(text: str) -> dt.date | None:
    return dt.date(1960, 1, 1) + dt.timedelta(days=int(text)) if text.strip() else None


# --------------------------------------------------------------------------------------------
# Every batch


def test_adapter_registry():
    assert set(ADAPTERS) == {"lendingclub_2018q1", "sba7a_ca", "industry_reference"}
    for key in ADAPTERS:
        assert (SOURCES / key / "SOURCE.txt").is_file()


def test_batches_written(batches):
    assert sorted(batches) == [
        "industry_reference/2026-10-31", "lendingclub_2018q1/2018-06-30",
        "sba7a_ca/2008-12-31", "sba7a_ca/2010-12-31"]


@pytest.mark.parametrize("batch", [
    "lendingclub_2018q1/2018-06-30", "sba7a_ca/2008-12-31", "sba7a_ca/2010-12-31",
    "industry_reference/2026-10-31"])
def test_manifest_complete_and_files_follow_contract(batches, batch):
    folder = batches[batch]
    manifest = read_manifest(folder)
    assert completeness_problems(manifest) == []
    assert set(manifest.files) | set(manifest.absent) == set(ENTITY_BY_NAME)
    assert all(reason.strip() for reason in manifest.absent.values())
    assert manifest.provenance == "real"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", manifest.delivered_at)
    assert manifest.raw.get("notes")
    if manifest.raw.get("kind") != "reference":
        assert manifest.capital_provenance == "synthetic"
        assert all(v is not None for v in manifest.capital.values())
    for entity, entry in manifest.files.items():
        spec = ENTITY_BY_NAME[entity]
        rows = read_rows(entry.path)
        with entry.path.open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == list(spec.column_names)
        assert entry.rows == len(rows) > 0
        for col in spec.columns:
            values = [r[col.name] for r in rows if r[col.name] != ""]
            if col.required:
                assert len(values) == len(rows) or (entity, col.name) in {
                    ("loans", "disbursement_date"), ("loans", "maturity_date")}, col.name
            if col.type == MONEY:
                assert all(MONEY_TEXT.fullmatch(v) for v in values), col.name
                total = sum((Decimal(v) for v in values), Decimal(0))
                if values:
                    assert entry.sums[col.name] == total
            elif col.type == DATE:
                assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values), col.name
            elif col.type == CODE:
                accepted = set(code_lookup(col).values())
                assert set(values) <= accepted, (col.name, set(values) - accepted)
        key_values = Counter(tuple(r[k] for k in spec.key) for r in rows)
        assert max(key_values.values()) == 1, f"duplicate key in {entity}"


@pytest.mark.slow
def test_output_is_deterministic(batches, tmp_path):
    again = {f"{f.parent.name}/{f.name}": f for f in build_all(SOURCES, tmp_path)}
    assert sorted(again) == sorted(batches)
    for name, folder in batches.items():
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(p.name for p in again[name].iterdir())
        match, mismatch, errors = filecmp.cmpfiles(folder, again[name], names, shallow=False)
        assert mismatch == [] and errors == [], (name, mismatch, errors)


def test_references_resolve(batches):
    for batch in ("lendingclub_2018q1/2018-06-30", "sba7a_ca/2008-12-31",
                  "sba7a_ca/2010-12-31"):
        borrowers = {r["borrower_id"] for r in table(batches, batch, "borrowers")}
        loans = table(batches, batch, "loans")
        assert {r["borrower_id"] for r in loans} == borrowers
        loan_ids = {r["loan_id"] for r in loans}
        for entity in ("repayment_schedule", "payments", "loan_events"):
            assert {r["loan_id"] for r in table(batches, batch, entity)} <= loan_ids


# --------------------------------------------------------------------------------------------
# LendingClub


LC = "lendingclub_2018q1/2018-06-30"


def lc_loan_id(row_number: int) -> str:
    return f"LC18Q1-{row_number:05d}"


def test_lc_real_status_counts():
    counts = Counter(r["loan_status"] for r in lc_source())
    assert counts == {"Current": 9375, "In Grace Period": 67, "Late (16-30 days)": 38,
                      "Late (31-120 days)": 66, "Fully Paid": 447, "Charged Off": 7}


def test_lc_every_loan_delivered(batches):
    loans = table(batches, LC, "loans")
    assert len(loans) == 10_000 == len(table(batches, LC, "borrowers"))
    source = lc_source()
    for n, (row, loan) in enumerate(zip(source, loans, strict=True), start=1):
        assert loan["loan_id"] == lc_loan_id(n)
        assert Decimal(loan["contract_amount"]) == Decimal(row["loan_amount"])
        assert Decimal(loan["interest_rate"]) == Decimal(row["interest_rate"])
        issue = dt.datetime.strptime(row["issue_month"], "%b-%Y").date()
        disbursed = day(loan["disbursement_date"])
        assert (disbursed.year, disbursed.month) == (issue.year, issue.month)


def test_lc_principal_due_sums_to_contract_amount(batches):
    schedule = by_loan(table(batches, LC, "repayment_schedule"))
    for loan in table(batches, LC, "loans"):
        rows = schedule[loan["loan_id"]]
        assert sum(Decimal(r["principal_due"]) for r in rows) == Decimal(loan["contract_amount"])
        assert all(Decimal(r["principal_due"]) >= 0 and Decimal(r["interest_due"]) >= 0
                   for r in rows)
        dues = [day(r["due_date"]) for r in sorted(rows, key=lambda r: int(r["installment_no"]))]
        assert dues == sorted(dues) and dues[0] > day(loan["disbursement_date"])
        assert dues[-1] <= day(loan["maturity_date"])


def test_lc_payments_equal_real_totals(batches):
    payments = by_loan(table(batches, LC, "payments"))
    loans = {r["loan_id"]: r for r in table(batches, LC, "loans")}
    for n, row in enumerate(lc_source(), start=1):
        rows = payments[lc_loan_id(n)]
        assert sum((Decimal(p["principal_paid"]) for p in rows), Decimal(0)) == \
            Decimal(row["paid_principal"])
        assert sum((Decimal(p["interest_paid"]) for p in rows), Decimal(0)) == \
            Decimal(row["paid_interest"])
        assert sum((Decimal(p["penalty_paid"] or "0") for p in rows), Decimal(0)) == \
            Decimal(row["paid_late_fees"]).quantize(Decimal("0.01"))
        disbursed = day(loans[lc_loan_id(n)]["disbursement_date"])
        assert all(disbursed < day(p["payment_date"]) <= LC_AS_OF for p in rows)


def test_lc_only_one_source_amount_needs_rounding():
    """The paid totals used are exact cents, except one late fee with float noise."""
    odd = [(n, col, row[col]) for n, row in enumerate(lc_source(), start=1)
           for col in ("loan_amount", "installment", "paid_principal", "paid_interest",
                       "paid_late_fees")
           if Decimal(row[col]).as_tuple().exponent < -2]
    assert [(col, value) for _, col, value in odd] == [("paid_late_fees", "21.100000028")]


def test_lc_days_past_due_match_status(batches):
    """HARD REQUIREMENT: recomputed DPD of every open loan lies in its status's bucket."""
    schedule = by_loan(table(batches, LC, "repayment_schedule"))
    payments = by_loan(table(batches, LC, "payments"))
    checked, wrong = Counter(), []
    for n, row in enumerate(lc_source(), start=1):
        status = row["loan_status"]
        if status not in OPEN_BUCKETS:
            continue
        loan_id = lc_loan_id(n)
        low, high = OPEN_BUCKETS[status]
        value = dpd(schedule[loan_id], payments[loan_id], LC_AS_OF)
        checked[status] += 1
        if not low <= value <= high:
            wrong.append((loan_id, status, value))
    assert wrong == []
    assert checked == {"Current": 9375, "In Grace Period": 67, "Late (16-30 days)": 38,
                       "Late (31-120 days)": 66}


def test_lc_dpd_helper_on_the_domain_rules_example():
    schedule = [{"installment_no": str(i), "due_date": d, "principal_due": "10000.00",
                 "interest_due": "0.00"}
                for i, d in enumerate(("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"), 1)]
    paid = [{"payment_date": "2024-01-31", "principal_paid": "10000.00", "interest_paid": "0"},
            {"payment_date": "2024-02-29", "principal_paid": "6000.00", "interest_paid": "0"}]
    assert dpd(schedule, paid, dt.date(2024, 5, 15)) == 76
    assert dpd(schedule[:1], [], dt.date(2024, 1, 31)) == 0
    assert dpd(schedule[:1], [], dt.date(2024, 2, 1)) == 1


def test_lc_charged_off_loans_are_written_off(batches):
    events = table(batches, LC, "loan_events")
    assert len(events) == 7
    assert {e["event_type"] for e in events} == {"write_off"}
    source = lc_source()
    charged = {lc_loan_id(n): r for n, r in enumerate(source, start=1)
               if r["loan_status"] == "Charged Off"}
    assert {e["loan_id"] for e in events} == set(charged)
    payments = by_loan(table(batches, LC, "payments"))
    for event in events:
        row = charged[event["loan_id"]]
        outstanding = Decimal(row["loan_amount"]) - Decimal(row["paid_principal"])
        assert Decimal(event["amount"]) == outstanding
        assert day(event["event_date"]) <= LC_AS_OF
        assert all(day(p["payment_date"]) <= day(event["event_date"])
                   for p in payments[event["loan_id"]])


def test_lc_fully_paid_loans_close_at_zero(batches):
    schedule = by_loan(table(batches, LC, "repayment_schedule"))
    payments = by_loan(table(batches, LC, "payments"))
    for n, row in enumerate(lc_source(), start=1):
        if row["loan_status"] != "Fully Paid":
            continue
        loan_id = lc_loan_id(n)
        due = sum(Decimal(r["principal_due"]) + Decimal(r["interest_due"])
                  for r in schedule[loan_id])
        paid = sum(Decimal(p["principal_paid"]) + Decimal(p["interest_paid"])
                   for p in payments[loan_id])
        assert due == paid
        assert dpd(schedule[loan_id], payments[loan_id], LC_AS_OF) == 0


def test_lc_borrowers(batches):
    borrowers = table(batches, LC, "borrowers")
    source = lc_source()
    assert borrowers[41]["borrower_name"] == "LendingClub borrower 00042"
    for row, b in zip(source, borrowers, strict=True):
        assert b["borrower_type"] == "retail"
        assert b["region"] == row["state"] and b["internal_rating"] == row["sub_grade"]
        assert b["provenance"] == "derived"


# --------------------------------------------------------------------------------------------
# SBA 7(a) California


SBA_2008 = "sba7a_ca/2008-12-31"
SBA_2010 = "sba7a_ca/2010-12-31"


def test_sba_source_facts():
    rows = sba_source()
    assert Counter(r["MIS_Status"] for r in rows) == {"P I F": 1416, "CHGOFF": 686}
    names = Counter(r["Name"] for r in rows)
    assert sum(1 for c in names.values() if c > 1) == 84


def sba_members(as_of: dt.date) -> list[dict[str, str]]:
    out = []
    for r in sba_source():
        known = sas(r["DisbursementDate"]) or sas(r["ApprovalDate"])
        if known <= as_of:
            out.append(r)
    return out


@pytest.mark.parametrize("batch", [SBA_2008, SBA_2010])
def test_sba_snapshot_holds_what_was_known(batches, batch):
    as_of = day(batch.split("/")[1])
    members = sba_members(as_of)
    loans = table(batches, batch, "loans")
    assert [r["loan_id"] for r in loans] == [r["LoanNr_ChkDgt"] for r in members]
    for row, loan in zip(members, loans, strict=True):
        assert Decimal(loan["contract_amount"]) == Decimal(row["DisbursementGross"])
        disbursed = sas(row["DisbursementDate"])
        assert loan["disbursement_date"] == (disbursed.isoformat() if disbursed else "")
        assert loan["branch"] == row["Bank"].strip()
    for entity, column in (("payments", "payment_date"), ("loan_events", "event_date")):
        assert all(day(r[column]) <= as_of for r in table(batches, batch, entity))
    names = Counter(r["Name"] for r in members)
    borrowers = table(batches, batch, "borrowers")
    assert len(borrowers) == len(names)
    assert {b["borrower_name"] for b in borrowers} == set(names)
    per_borrower = Counter(r["borrower_id"] for r in loans)
    assert sum(1 for c in per_borrower.values() if c > 1) == \
        sum(1 for c in names.values() if c > 1)
    assert all(b["industry_scheme"] == "NAICS 2007" and re.fullmatch(r"\d{6}", b["industry_code"])
               for b in borrowers)


def test_sba_2010_keeps_the_84_multi_loan_borrowers(batches):
    per_borrower = Counter(r["borrower_id"] for r in table(batches, SBA_2010, "loans"))
    assert sum(1 for c in per_borrower.values() if c > 1) == 84


@pytest.mark.parametrize("batch", [SBA_2008, SBA_2010])
def test_sba_write_offs_match_source(batches, batch):
    as_of = day(batch.split("/")[1])
    expected = {r["LoanNr_ChkDgt"]: (sas(r["ChgOffDate"]), Decimal(r["ChgOffPrinGr"]))
                for r in sba_source()
                if r["ChgOffDate"].strip() and sas(r["ChgOffDate"]) <= as_of}
    events = table(batches, batch, "loan_events")
    assert {e["event_type"] for e in events} == {"write_off"}
    got = {e["loan_id"]: (day(e["event_date"]), Decimal(e["amount"])) for e in events}
    assert got == expected
    charged_by_status = sum(1 for r in sba_source() if r["MIS_Status"] == "CHGOFF"
                            and sas(r["ChgOffDate"]) <= as_of)
    assert sum(1 for e in events if not e["note"].startswith("Source status is P I F")) == \
        charged_by_status


def test_sba_2010_write_off_count():
    expected = sum(1 for r in sba_source()
                   if r["ChgOffDate"].strip() and sas(r["ChgOffDate"]) <= dt.date(2010, 12, 31))
    assert expected == 536


def test_sba_charged_off_balances_close_at_zero(batches):
    schedule = by_loan(table(batches, SBA_2010, "repayment_schedule"))
    payments = by_loan(table(batches, SBA_2010, "payments"))
    events = {e["loan_id"]: e for e in table(batches, SBA_2010, "loan_events")}
    source = {r["LoanNr_ChkDgt"]: r for r in sba_source()}
    for loan in table(batches, SBA_2010, "loans"):
        row = source[loan["loan_id"]]
        if row["MIS_Status"] != "CHGOFF" or loan["loan_id"] not in events:
            continue
        if not schedule[loan["loan_id"]]:
            assert int(row["Term"]) == 0
            continue
        paid = sum(Decimal(p["principal_paid"]) for p in payments[loan["loan_id"]])
        written_off = Decimal(events[loan["loan_id"]]["amount"])
        assert Decimal(loan["contract_amount"]) - paid - written_off == 0
        gap = dt.timedelta(days=120)
        charge_off = day(events[loan["loan_id"]]["event_date"])
        regular = [p for p in payments[loan["loan_id"]] if Decimal(p["interest_paid"]) > 0]
        assert all(day(p["payment_date"]) <= charge_off - gap for p in regular)


def test_sba_schedules(batches):
    schedule = by_loan(table(batches, SBA_2010, "repayment_schedule"))
    for loan in table(batches, SBA_2010, "loans"):
        rows = schedule.get(loan["loan_id"], [])
        if not rows:
            continue
        assert sum(Decimal(r["principal_due"]) for r in rows) == Decimal(loan["contract_amount"])
        assert max(day(r["due_date"]) for r in rows) == day(loan["maturity_date"])
        assert loan["interest_rate"] == "8.00"


def test_sba_broken_rows_are_passed_through(batches):
    loans = {r["loan_id"]: r for r in table(batches, SBA_2010, "loans")}
    source = sba_source()
    missing = [r["LoanNr_ChkDgt"] for r in source if not r["DisbursementDate"].strip()]
    assert len(missing) == 3
    in_batch = [m for m in missing if m in loans]
    assert len(in_batch) == 2  # the third was approved in 2011, after both snapshots
    assert all(loans[m]["disbursement_date"] == "" for m in in_batch)
    zero_term = [r["LoanNr_ChkDgt"] for r in source if int(r["Term"]) == 0]
    assert len(zero_term) == 3
    assert all(loans[m]["maturity_date"] == loans[m]["disbursement_date"] != ""
               for m in zero_term)
    odd = [r["LoanNr_ChkDgt"] for r in source
           if r["MIS_Status"] == "P I F" and Decimal(r["ChgOffPrinGr"]) > 0]
    assert len(odd) == 11


def test_sba_guarantees(batches):
    source = {r["LoanNr_ChkDgt"]: r for r in sba_source()}
    for g in table(batches, SBA_2010, "guarantees"):
        assert g["guarantor_id"] == "SBA"
        assert Decimal(g["guaranteed_amount"]) == Decimal(source[g["loan_id"]]["SBA_Appv"])


# --------------------------------------------------------------------------------------------
# Industry reference


REFB = "industry_reference/2026-10-31"


def test_reference_manifest(batches):
    manifest = read_manifest(batches[REFB])
    assert manifest.raw["kind"] == "reference"
    assert set(manifest.files) == {"industries", "industry_indicators"}


def test_industries(batches):
    rows = table(batches, REFB, "industries")
    gbt = [r for r in rows if r["scheme"] == "GB/T 4754-2017"]
    naics = {r["code"]: r for r in rows if r["scheme"] == "NAICS 2017"}
    assert Counter(r["level"] for r in gbt) == {"0": 20, "1": 97, "2": 472, "3": 1382}
    assert next(r for r in gbt if r["code"] == "A")["name"] == "农、林、牧、渔业"
    assert len(naics) == 2196
    assert naics["31-33"]["level"] == "0" and naics["31-33"]["parent_code"] == ""
    assert naics["311"]["parent_code"] == "31-33"
    assert naics["531210"]["parent_code"] == "53121" and naics["531210"]["level"] == "4"
    codes = set(naics)
    for code, r in naics.items():
        digits = 2 if "-" in code else len(code)
        assert int(r["level"]) == digits - 2
        assert r["parent_code"] == "" or r["parent_code"] in codes


def indicators(batches) -> list[dict[str, str]]:
    return table(batches, REFB, "industry_indicators")


def test_chargeoff_indicators(batches):
    rows = [r for r in indicators(batches) if r["indicator"].startswith("sba7a_chargeoff_rate")]
    assert len(rows) == 20
    by_code = {r["code"]: r for r in rows}
    assert by_code["531210"]["value"] == "28.7" and by_code["531210"]["provenance"] == "real"
    derived = read_rows(REF / "DERIVED_chargeoff_by_industry_with_naics.csv")
    manual = {r["naics2017_guess"] for r in derived if r["naics2017_match"] == "manual"}
    assert len(manual) == 5
    assert {r["code"] for r in rows if r["provenance"] == "derived"} == manual
    original = {r["industry"]: r["chargeoff_pct"]
                for r in read_rows(REF / "chargeoff_by_industry.csv")}
    assert {r["industry"]: r["chargeoff_pct"] for r in derived} == original
    titles = {r["naics_code"]: r["title"].replace(",", "")
              for r in read_rows(REF / "naics_2017_codes.csv")}
    for r in derived:
        if r["naics2017_match"] == "exact_title":
            assert titles[r["naics2017_guess"]] == r["industry"]


def test_census_indicators(batches):
    rows = indicators(batches)
    retail = {(r["code"], r["period"]): r for r in rows if r["indicator"] == "retail_sales"}
    assert retail[("441", "2019")]["value"] == "1237744"
    assert retail[("441", "1992")]["value"] == "418393"
    assert retail[("44-45", "2020")]["value"] == "5570393"
    assert retail[("44-45", "2020")]["provenance"] == "derived"
    assert {p for _, p in retail} == {str(y) for y in range(1992, 2021)}
    assert all(r["unit"] == "USD million" for r in retail.values())
    services = {(r["code"], r["period"], r["indicator"]): r for r in rows
                if r["indicator"].startswith("service_revenue")}
    assert services[("531", "2020", "service_revenue_all_firms")]["value"] == "813129"
    assert services[("531", "2020", "service_revenue_employer_firms")]["value"] == "524018"
    assert services[("000000", "2014", "service_revenue_all_firms")]["value"] == ""
    assert services[("000000", "2015", "service_revenue_all_firms")]["value"] == "14758263"
    assert all(re.fullmatch(r"\d*", r["value"]) for r in services.values())


def test_schedules_from_a_month_end_keep_month_ends_and_leap_days():
    """A schedule from 31 January falls due on each month's last day, 29 February in leap years."""
    import datetime as dt

    from postloan.adapters._amortise import add_months

    start = dt.date(2024, 1, 31)
    assert [add_months(start, n) for n in range(1, 5)] == [
        dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30), dt.date(2024, 5, 31)]
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 15), 1, anchor=31) == dt.date(2024, 2, 29)


def test_sba_snapshot_at_any_date_of_its_history(tmp_path):
    """Any month-end of the SBA history can be rebuilt: only loans disbursed by then appear."""
    import csv as csv_module
    import datetime as dt

    from postloan.adapters import sba
    from postloan.paths import SOURCES_DIR

    as_of = dt.date(1999, 6, 30)
    [folder] = sba.build_batches(SOURCES_DIR / "sba7a_ca", tmp_path, (as_of,))
    epoch = dt.date(1960, 1, 1)

    def known_by(row) -> bool:
        # Disbursed by then; a loan without a disbursement date counts from its approval, and is
        # passed through for the warehouse to quarantine.
        day = row["DisbursementDate"] or row["ApprovalDate"]
        return epoch + dt.timedelta(days=int(day)) <= as_of

    with (SOURCES_DIR / "sba7a_ca" / "SBAcase.11.13.17.csv").open(encoding="utf-8-sig") as fh:
        expected = sum(1 for row in csv_module.DictReader(fh) if known_by(row))
    with (folder / "loans.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv_module.DictReader(fh)) == expected == 210
    with pytest.raises(ValueError, match="outside the source's history"):
        sba.build_batches(SOURCES_DIR / "sba7a_ca", tmp_path, (dt.date(1980, 1, 31),))
