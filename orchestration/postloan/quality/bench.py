"""Timing the data-quality suites, for the scale benchmark (issue 10) and docs/data-quality.md.

``time_checks(path)`` opens a build file (raw schema loaded, and the reporting schema when dbt
has run) and returns the seconds the landing and reporting suites take, so the benchmark can show
their share of a build. ``make_synthetic(path, loans, installments)`` writes a raw schema of the
given size straight in DuckDB (no files), for measuring the checks alone:

    python -m postloan.quality.bench /tmp/large.duckdb 1000000 30
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import duckdb

from postloan.landing.load import ensure_raw_schema
from postloan.quality.record import ensure_quality_schema
from postloan.quality.suites import run_landing_suites, run_reporting_suites


def make_synthetic(path: Path, loans: int = 1_000_000, installments: int = 30,
                   as_of: dt.date = dt.date(2024, 6, 30)) -> dict[str, int]:
    """A valid raw schema: ``loans`` loans of ``installments`` monthly installments each, half
    as many borrowers, one payment per installment fallen due. Returns the row counts."""
    con = duckdb.connect(str(path))
    try:
        ensure_raw_schema(con)
        batch = f"bench@{as_of.isoformat()}#000000000000"
        absent = {e: "not in the benchmark" for e in (
            "loan_events", "collateral", "guarantees", "industries", "industry_indicators",
            "industry_limits", "classification_overrides")}
        con.execute("insert into raw.batches (batch_id, kind, portfolio_id, as_of_date, "
                    "currency, provenance, batch_status, absent_entities) values "
                    "(?, 'portfolio', 'bench', ?, 'CNY', 'synthetic', 'published', ?)",
                    [batch, as_of, json.dumps(absent)])
        b = loans // 2
        con.execute(f"""
            insert into raw.borrowers (borrower_id, borrower_name, borrower_type, provenance,
                                       batch_id, source_file, line_number)
            select 'B' || i, 'Borrower ' || i, 'retail', 'synthetic', '{batch}',
                   'borrowers.csv', i + 2
            from range({b}) t(i)""")
        con.execute(f"""
            insert into raw.loans (loan_id, borrower_id, product, currency, contract_amount,
                                   disbursement_date, maturity_date, guarantee_type, provenance,
                                   batch_id, source_file, line_number)
            select 'L' || i, 'B' || (i % {b}), 'consumer', 'CNY',
                   ({installments} * 1000 + i % 997)::decimal(18,2),
                   date '{as_of}' - interval ({installments // 2} * 30 + 1) day,
                   date '{as_of}' + interval ({installments - installments // 2} * 30 + 5) day,
                   'credit', 'synthetic', '{batch}', 'loans.csv', i + 2
            from range({loans}) t(i)""")
        con.execute(f"""
            insert into raw.repayment_schedule (loan_id, installment_no, due_date,
                   principal_due, interest_due, provenance, batch_id, source_file, line_number)
            select 'L' || (r // {installments}), (r % {installments} + 1)::integer,
                   date '{as_of}' - interval ({installments // 2} * 30 + 1) day
                       + interval ((r % {installments} + 1) * 30) day,
                   1000.00, 12.50, 'synthetic', '{batch}', 'repayment_schedule.csv', r + 2
            from range({loans * installments}) t(r)""")
        con.execute(f"""
            insert into raw.payments (payment_id, loan_id, payment_date, principal_paid,
                   interest_paid, penalty_paid, provenance, batch_id, source_file, line_number)
            select 'P' || loan_id || '-' || installment_no, loan_id, due_date, principal_due,
                   interest_due, 0, 'synthetic', batch_id, 'payments.csv', line_number
            from raw.repayment_schedule where due_date < date '{as_of}'""")
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                  for t in ("borrowers", "loans", "repayment_schedule", "payments")}
        con.executemany(
            "insert into raw.load_log (batch_id, entity, source_file, encoding, data_lines, "
            "loaded_rows, rejected_rows, skipped_rows, seconds) "
            "values (?, ?, ?, 'utf-8', ?, ?, 0, 0, 0)",
            [(batch, t, f"{t}.csv", n, n) for t, n in counts.items()])
        ensure_quality_schema(con)
        con.execute("checkpoint")
        return counts
    finally:
        con.close()


def time_checks(path: Path, today: dt.date | None = None, threads: int = 2,
                memory_limit: str = "4GB") -> dict[str, float | int]:
    """Seconds the landing suites (and the reporting suites, when reporting.loans exists) take
    on the build file ``path``."""
    con = duckdb.connect(str(path), config={"threads": str(threads),
                                            "memory_limit": memory_limit})
    con.execute("set enable_progress_bar = false")
    try:
        started = time.perf_counter()
        landing = run_landing_suites(con, today=today)
        landing_seconds = time.perf_counter() - started
        has_reporting = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'reporting' "
            "and table_name = 'loans'").fetchone()[0]
        reporting_seconds, reporting = 0.0, []
        if has_reporting:
            started = time.perf_counter()
            reporting = run_reporting_suites(con)
            reporting_seconds = time.perf_counter() - started
        return {"landing_seconds": round(landing_seconds, 2),
                "reporting_seconds": round(reporting_seconds, 2),
                "rules": len(landing) + len(reporting),
                "failed": sum(o.status in ("failed", "errored") for o in landing + reporting)}
    finally:
        con.close()


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    loans = int(argv[1]) if len(argv) > 1 else 1_000_000
    installments = int(argv[2]) if len(argv) > 2 else 30
    if not path.exists():
        started = time.perf_counter()
        counts = make_synthetic(path, loans, installments)
        print(f"synthetic raw schema {counts} in {time.perf_counter() - started:.1f}s")
    print(time_checks(path, today=dt.date(2024, 7, 2)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
