"""The two yardsticks the product's days past due and classification are measured against.

Both read the same rows the product built from: the ``raw`` tables of one batch in a published
warehouse (schedule, payments, loans, write-off events), and compute, for the batch's as-of date,
per loan: principal not repaid, days past due (domain rules A1-A3: the oldest installment due
strictly before the as-of date whose cumulative principal or interest due exceeds what was paid
by then, payments applied oldest first, strict method), and the class from the China 2023 DPD
floors alone (B3-B6: > 0 关注, > 90 次级, > 270 可疑, > 360 损失). Written-off loans and loans
with nothing left to repay are not outstanding. Both return the loan count and balance per class,
so they can be checked against each other.

* ``plain_sql``: one DuckDB query, the least work the job can be done with.
* ``pandas``: what a team might write instead: load the tables into DataFrames, then groupby,
  cumsum, merge and numpy select. Money arrives as float (DuckDB's DataFrame export), so the
  comparison of cumulative amounts is rounded to the cent.

``python -m postloan.bench.baselines WAREHOUSE BATCH_ID AS_OF sql|pandas RESULT.json`` runs one
of them in its own process and writes its seconds and figures.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import duckdb

CLASS_SQL = """
    case when dpd > 360 then 'loss' when dpd > 270 then 'doubtful'
         when dpd > 90 then 'substandard' when dpd > 0 then 'special_mention' else 'pass' end
"""

PLAIN_SQL = f"""
create or replace temp table baseline_classification as
with
schedule as (
    select loan_id, due_date,
           sum(principal_due) over by_installment as principal_cumulative,
           sum(interest_due) over by_installment as interest_cumulative,
    from raw.repayment_schedule
    where batch_id = $batch
    window by_installment as (partition by loan_id order by installment_no)
),
paid as (
    select loan_id, sum(principal_paid) as principal_paid, sum(interest_paid) as interest_paid,
    from raw.payments
    where batch_id = $batch and payment_date <= $as_of
    group by loan_id
),
oldest_unpaid as (
    select schedule.loan_id, min(due_date) as due_date,
    from schedule
    left join paid using (loan_id)
    where due_date < $as_of
      and (principal_cumulative > coalesce(principal_paid, 0)
           or interest_cumulative > coalesce(interest_paid, 0))
    group by schedule.loan_id
),
scheduled as (
    select loan_id, sum(principal_due) as principal_due,
    from raw.repayment_schedule
    where batch_id = $batch
    group by loan_id
),
written_off as (
    select distinct loan_id from raw.loan_events
    where batch_id = $batch and event_type = 'write_off' and event_date <= $as_of
),
loans as (
    select loans.loan_id,
           coalesce(scheduled.principal_due, loans.contract_amount)
               - coalesce(paid.principal_paid, 0) as balance,
           coalesce(date_diff('day', oldest_unpaid.due_date, $as_of), 0) as dpd,
    from raw.loans as loans
    left join scheduled using (loan_id)
    left join paid using (loan_id)
    left join oldest_unpaid using (loan_id)
    where loans.batch_id = $batch and loans.disbursement_date <= $as_of
      and loans.loan_id not in (select loan_id from written_off)
)
select loan_id, balance, dpd, {CLASS_SQL} as five_class,
from loans
where balance > 0
"""


def plain_sql(warehouse: Path, batch: str, as_of: dt.date, threads: int = 2,
              memory_limit: str = "4GB") -> tuple[float, float, dict[str, tuple[int, str]]]:
    """Wall and CPU seconds of the query (result written to a table, like a dbt model), and its
    figures."""
    con = duckdb.connect(str(warehouse), read_only=True,
                         config={"threads": threads, "memory_limit": memory_limit})
    clock, cpu = time.perf_counter(), time.process_time()
    con.execute(PLAIN_SQL, {"batch": batch, "as_of": as_of})
    seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
    figures = {row[0]: (row[1], str(row[2])) for row in con.execute(
        "select five_class, count(*), sum(balance) from baseline_classification group by all"
    ).fetchall()}
    con.close()
    return seconds, cpu, figures


def pandas_frames(warehouse: Path, batch: str, as_of: dt.date):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        def frame(sql: str):
            return con.execute(sql, [batch]).df()

        return (
            frame("select loan_id, installment_no, due_date, principal_due, interest_due "
                  "from raw.repayment_schedule where batch_id = ?"),
            frame("select loan_id, payment_date, principal_paid, interest_paid "
                  "from raw.payments where batch_id = ?"),
            frame("select loan_id, contract_amount, disbursement_date from raw.loans "
                  "where batch_id = ?"),
            frame("select loan_id, event_type, event_date from raw.loan_events "
                  "where batch_id = ?"),
        )
    finally:
        con.close()


def pandas_classify(schedule, payments, loans, events, as_of: dt.date):
    import numpy as np
    import pandas as pd

    day = pd.Timestamp(as_of)
    schedule = schedule.sort_values(["loan_id", "installment_no"])
    schedule["principal_cumulative"] = schedule.groupby("loan_id")["principal_due"].cumsum()
    schedule["interest_cumulative"] = schedule.groupby("loan_id")["interest_due"].cumsum()
    paid = payments[payments["payment_date"] <= day].groupby("loan_id")[
        ["principal_paid", "interest_paid"]].sum()
    merged = schedule.merge(paid, left_on="loan_id", right_index=True, how="left")
    merged[["principal_paid", "interest_paid"]] = merged[
        ["principal_paid", "interest_paid"]].fillna(0.0)
    unpaid = merged[(merged["due_date"] < day) & (
        ((merged["principal_cumulative"] - merged["principal_paid"]).round(2) > 0)
        | ((merged["interest_cumulative"] - merged["interest_paid"]).round(2) > 0))]
    oldest = unpaid.groupby("loan_id")["due_date"].min()
    scheduled = schedule.groupby("loan_id")["principal_due"].sum()
    written_off = set(events.loc[(events["event_type"] == "write_off")
                                 & (events["event_date"] <= day), "loan_id"])
    book = loans[(loans["disbursement_date"] <= day) & ~loans["loan_id"].isin(written_off)]
    book = book.set_index("loan_id")
    principal_due = scheduled.reindex(book.index).fillna(book["contract_amount"])
    balance = (principal_due - paid["principal_paid"].reindex(book.index).fillna(0.0)).round(2)
    dpd = (day - oldest.reindex(book.index)).dt.days.fillna(0).astype(int)
    result = pd.DataFrame({"balance": balance, "dpd": dpd})
    result = result[result["balance"] > 0]
    result["five_class"] = np.select(
        [result["dpd"] > 360, result["dpd"] > 270, result["dpd"] > 90, result["dpd"] > 0],
        ["loss", "doubtful", "substandard", "special_mention"], "pass")
    return result


def main(argv: list[str]) -> int:
    warehouse, batch = Path(argv[0]), argv[1]
    as_of = dt.date.fromisoformat(argv[2])
    which, out = argv[3], Path(argv[4])
    if which == "sql":
        seconds, cpu, figures = plain_sql(warehouse, batch, as_of)
        payload = {"seconds": seconds, "cpu_seconds": cpu, "figures": figures}
    else:
        clock = time.perf_counter()
        frames = pandas_frames(warehouse, batch, as_of)
        load = time.perf_counter() - clock
        clock, cpu = time.perf_counter(), time.process_time()
        result = pandas_classify(*frames, as_of)
        seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
        grouped = result.groupby("five_class")["balance"].agg(["count", "sum"])
        payload = {"seconds": seconds, "cpu_seconds": cpu, "load_seconds": load, "figures": {
            k: (int(v["count"]), f"{v['sum']:.2f}") for k, v in grouped.iterrows()}}
    out.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
