"""Month-end history and its analytics, on the worked examples of domain rules section K.

Each portfolio below is built so that one example is at stake, with amounts chosen so the
example's own numbers come out: K1 (正常类迁徙率 800 / 9,400 = 8.51%), K3 (M1 1,000 -> 250 rolled,
600 cured, 100 stayed, 50 closed: roll 25%, cure 60%), K4 (a Jan-2024 cohort of 200 loans and
20,000,000, 7 loans and 800,000 ever 30+ by MOB 6: 3.5% and 4.0%), K8 (an obligor's first
default on the last day of the 12-month window counts, a month later it does not), and the edges
of the replay (two payments on one day; installments due the day before the as-of date and on
it). A second build adds a later delivery of one portfolio and must leave every closed month
exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from postloan.cli import run_build
from postloan.definitions import resources
from postloan.defs.history import month_end_close, read_register, register_path
from tests.helpers import write_csv, write_manifest

D = dt.date
FAR = D(2025, 12, 31)


@dataclass
class Loan:
    loan_id: str
    amount: str
    disbursed: dt.date
    schedule: list[tuple[dt.date, str]]  # (due date, principal due); interest is zero
    payments: list[tuple[dt.date, str]] = field(default_factory=list)
    borrower: str = ""


def bullet(loan_id: str, amount: str, disbursed: dt.date, due: dt.date,
           paid: dt.date | None = None) -> Loan:
    return Loan(loan_id, amount, disbursed, [(due, amount)],
                [(paid, amount)] if paid else [])


def write_portfolio(root: Path, portfolio: str, as_of: dt.date, loans: list[Loan]) -> None:
    """One batch as known on as_of: loans disbursed by then, payments made by then."""
    folder = root / portfolio / as_of.isoformat()
    known = [ln for ln in loans if ln.disbursed <= as_of]
    borrowers = sorted({ln.borrower or f"B-{ln.loan_id}" for ln in known})
    write_csv(folder / "borrowers.csv", ["borrower_id", "borrower_name", "borrower_type"],
              [[b, f"测试{b}", "retail"] for b in borrowers])
    write_csv(folder / "loans.csv",
              ["loan_id", "borrower_id", "product", "contract_amount", "disbursement_date",
               "maturity_date", "guarantee_type"],
              [[ln.loan_id, ln.borrower or f"B-{ln.loan_id}", "term", ln.amount,
                ln.disbursed.isoformat(), max(d for d, _ in ln.schedule).isoformat(), "credit"]
               for ln in known])
    write_csv(folder / "repayment_schedule.csv",
              ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"],
              [[ln.loan_id, n, d.isoformat(), p, "0.00"] for ln in known
               for n, (d, p) in enumerate(ln.schedule, start=1)])
    write_csv(folder / "payments.csv",
              ["payment_id", "loan_id", "payment_date", "principal_paid", "interest_paid"],
              [[f"{ln.loan_id}-{n}", ln.loan_id, d.isoformat(), p, "0.00"] for ln in known
               for n, (d, p) in enumerate(ln.payments, start=1) if d <= as_of])
    write_manifest(folder, portfolio_id=portfolio, as_of=as_of.isoformat(), files={
        "borrowers": "borrowers.csv", "loans": "loans.csv",
        "repayment_schedule": "repayment_schedule.csv", "payments": "payments.csv"})


def k1_loans() -> list[Loan]:
    """Start of Q2 2024: 正常 10,000 (A 800 slips to 关注, B 600 repaid, C 8,600 stays) and
    关注 1,000 (S, 11 days past due at 03-31, more than 90 at 06-30); N is new in the quarter."""
    start = D(2024, 1, 10)
    return [
        bullet("A", "800.00", start, D(2024, 5, 15)),
        bullet("B", "600.00", start, D(2024, 4, 30), paid=D(2024, 4, 30)),
        bullet("C", "8600.00", start, FAR),
        bullet("S", "1000.00", start, D(2024, 3, 20)),
        bullet("N", "5000.00", D(2024, 5, 1), FAR),
    ]


def k3_loans() -> list[Loan]:
    """Four loans 16 days past due (M1) at 03-31, worth 250 + 600 + 100 + 50 = 1,000."""
    def loan(loan_id: str, amount: int, payments: list[tuple[dt.date, str]]) -> Loan:
        tenth = Decimal(amount) / 10
        schedule = [(D(2024, 3, 15), f"{tenth:.2f}"), (D(2024, 4, 15), f"{tenth:.2f}"),
                    (D(2024, 5, 15), f"{8 * tenth:.2f}")]
        return Loan(loan_id, f"{amount}.00", D(2024, 2, 15), schedule, payments)
    return [
        loan("P", 250, []),                                             # -> M2 (DPD 46)
        loan("Q", 600, [(D(2024, 4, 10), "60.00"), (D(2024, 4, 15), "60.00")]),  # cured
        loan("R", 100, [(D(2024, 4, 20), "10.00")]),                    # stays M1 (DPD 15)
        loan("S", 50, [(D(2024, 4, 10), "50.00")]),                     # repaid: closed
    ]


K4_BAD = ["100000.00"] * 5 + ["150000.00"] * 2            # 7 loans, 800,000
K4_GOOD = ["99000.00"] * 192 + ["192000.00"]              # 193 loans, 19,200,000


def k4_loans() -> list[Loan]:
    """A Jan-2024 cohort: 1.00 of principal due 2024-02-15, the rest at FAR. The 7 bad loans
    never pay (DPD 45 at 03-31: ever 30+ at MOB 2); the others pay on the day. A Mar-2024
    cohort of 10 good loans leaves MOB 5 and 6 of its curve unobserved."""
    loans = []
    for n, amount in enumerate(K4_BAD + K4_GOOD):
        rest = f"{Decimal(amount) - 1:.2f}"
        first = (D(2024, 2, 15), "1.00")
        paid = [] if n < len(K4_BAD) else [(D(2024, 2, 15), "1.00")]
        loans.append(Loan(f"J{n:03d}", amount, D(2024, 1, 10 + n % 20), [first, (FAR, rest)],
                          paid))
    for n in range(10):
        loans.append(Loan(f"M{n:03d}", "1000.00", D(2024, 3, 5), [(FAR, "1000.00")]))
    return loans


def stable_loans() -> list[Loan]:
    """Monthly payers, one that stops paying in May and one disbursed in June."""
    loans = []
    for n, stops in enumerate((None, D(2024, 5, 1), None)):
        due = [D(2024, m, 20) for m in range(2, 12)]
        schedule = [(d, "100.00") for d in due]
        loans.append(Loan(f"T{n}", "1000.00", D(2024, 1, 20), schedule,
                          [(d, "100.00") for d in due if stops is None or d < stops]))
    loans.append(Loan("T9", "500.00", D(2024, 6, 3), [(D(2024, 7, 3), "500.00")],
                      [(D(2024, 7, 3), "500.00")]))
    return loans


def same_day_loans() -> list[Loan]:
    """Two installments due the same day (100 + 200 on 03-15), then 300 on 04-15; only 100
    paid."""
    return [Loan("W", "600.00", D(2024, 2, 1),
                 [(D(2024, 3, 15), "100.00"), (D(2024, 3, 15), "200.00"),
                  (D(2024, 4, 15), "300.00")], [(D(2024, 3, 15), "100.00")])]


def edge_loans() -> list[Loan]:
    """U: two payments on 04-20 (60 + 50) settle the 03-15 installment late, on that day. V: 100
    due 04-29, the day before the as-of date (fallen due at it), and 200 due 04-30, the as-of date
    itself (not yet); 80 paid in March."""
    return [Loan("U", "300.00", D(2024, 2, 1),
                 [(D(2024, 3, 15), "100.00"), (D(2024, 4, 15), "100.00"),
                  (D(2024, 5, 15), "100.00")],
                 [(D(2024, 4, 20), "60.00"), (D(2024, 4, 20), "50.00")]),
            Loan("V", "600.00", D(2024, 2, 1),
                 [(D(2024, 4, 29), "100.00"), (D(2024, 4, 30), "200.00"),
                  (D(2024, 5, 31), "300.00")], [(D(2024, 3, 20), "80.00")])]


def k8_loans() -> list[Loan]:
    """Three obligors on book from August 2023, after the 2023 rules took effect: K8A's bullet
    falls due 2024-05-25 unpaid (98 days past due, bad, first at 2024-08-31: exactly 12 months
    after 2023-08-31), K8B's 2024-06-25 (bad first at 2024-09-30, a month later); K8C pays."""
    start = D(2023, 8, 10)
    return [bullet("K8A", "1000.00", start, D(2024, 5, 25)),
            bullet("K8B", "1000.00", start, D(2024, 6, 25)),
            bullet("K8C", "1000.00", start, FAR)]


def build(root: Path, with_later_delivery: bool) -> duckdb.DuckDBPyConnection:
    landing = root / "landing"
    write_portfolio(landing, "k8", D(2024, 10, 31), k8_loans())
    write_portfolio(landing, "sameday", D(2024, 4, 30), same_day_loans())
    write_portfolio(landing, "edges", D(2024, 4, 30), edge_loans())
    write_portfolio(landing, "k1", D(2024, 6, 30), k1_loans())
    write_portfolio(landing, "k3", D(2024, 4, 30), k3_loans())
    write_portfolio(landing, "k4", D(2024, 7, 31), k4_loans())
    write_portfolio(landing, "stable", D(2024, 4, 30), stable_loans())
    if with_later_delivery:
        write_portfolio(landing, "stable", D(2024, 7, 31), stable_loans())
    warehouse = root / "wh" / "postloan.duckdb"
    assert run_build(landing, warehouse, ephemeral=True, log_level="WARNING") == 0
    return duckdb.connect(str(warehouse), read_only=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("history")
    build(root, with_later_delivery=False).close()
    return root


@pytest.fixture(scope="module")
def con(built) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(built / "wh" / "postloan.duckdb"), read_only=True)


def rows(con, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def balances(con, portfolio: str, loan_id: str | None = None) -> list[tuple]:
    """(date, outstanding principal, overdue principal, DPD) of a portfolio's history, or of one
    of its loans, oldest first."""
    return con.execute(
        "select as_of_date, outstanding_principal, overdue_principal, dpd "
        "from reporting.class_snapshots where portfolio_id = ? "
        "and (?::varchar is null or loan_id = ?) order by as_of_date, loan_id",
        [portfolio, loan_id, loan_id]).fetchall()


# ------------------------------------------------------------------------------------------
# Snapshots

def test_history_dates_are_month_ends_from_the_first_disbursement(con):
    dates = [r[0] for r in con.execute(
        "select distinct as_of_date from reporting.class_snapshots where portfolio_id = 'k1' "
        "order by 1").fetchall()]
    assert dates == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30),
                     D(2024, 5, 31), D(2024, 6, 30)]


def test_loan_history_follows_its_payments(con):
    got = {r["as_of_date"]: r for r in rows(con, """
        select * from reporting.class_snapshots
        where portfolio_id = 'k1' and loan_id in ('A', 'B') order by loan_id, as_of_date""", [])
        if r["loan_id"] == "A"}
    # A: due 05-15 unpaid -> DPD 16 at 05-31 (M1, 关注), 46 at 06-30 (M2, 关注).
    assert [(d.isoformat(), r["dpd"], r["dpd_bucket"], r["five_class"]) for d, r in got.items()
            if d >= D(2024, 4, 30)] == [
        ("2024-04-30", 0, "M0", "pass"), ("2024-05-31", 16, "M1", "special_mention"),
        ("2024-06-30", 46, "M2", "special_mention")]
    assert got[D(2024, 6, 30)]["class_basis"] == "delivered"
    assert got[D(2024, 5, 31)]["class_basis"] == "replayed"
    b = rows(con, "select as_of_date, loan_status, outstanding_principal from "
                  "reporting.class_snapshots where portfolio_id = 'k1' and loan_id = 'B' "
                  "order by as_of_date", [])
    # B repaid on 04-30: on the book until 03-31, its closing row at 04-30, then nothing.
    assert [(r["as_of_date"], r["loan_status"], r["outstanding_principal"]) for r in b] == [
        (D(2024, 1, 31), "outstanding", Decimal("600.00")),
        (D(2024, 2, 29), "outstanding", Decimal("600.00")),
        (D(2024, 3, 31), "outstanding", Decimal("600.00")),
        (D(2024, 4, 30), "repaid", Decimal("0.00"))]


def test_installments_due_the_same_day_fall_due_together(con):
    """Both installments of 03-15 count from the day after: 300 fallen due, 100 paid."""
    assert balances(con, "sameday") == [
        (D(2024, 2, 29), Decimal("600.00"), Decimal("0.00"), 0),
        (D(2024, 3, 31), Decimal("500.00"), Decimal("200.00"), 16),
        (D(2024, 4, 30), Decimal("500.00"), Decimal("500.00"), 46)]


def test_payments_on_one_day_count_together(con):
    """U: 110 paid on 04-20 in two payments. The 03-15 installment (90 of it is enough, the paid
    share) is settled that day, 36 days late; the 04-15 one is still open, 15 days past due at
    04-30. Every history date sees the day's whole 110, whichever payment row it meets."""
    assert balances(con, "edges", "U") == [
        (D(2024, 2, 29), Decimal("300.00"), Decimal("0.00"), 0),
        (D(2024, 3, 31), Decimal("300.00"), Decimal("100.00"), 16),
        (D(2024, 4, 30), Decimal("190.00"), Decimal("90.00"), 15)]
    settled = con.execute(
        "select installment_no, principal_settled_on, days_late_when_settled, principal_open "
        "from intermediate.int_installment_settlement where loan_id = 'U' "
        "order by installment_no").fetchall()
    assert settled == [(1, D(2024, 4, 20), 36, False), (2, None, None, True),
                       (3, None, None, True)]


def test_an_installment_due_on_the_as_of_date_has_not_fallen_due(con):
    """V at its as-of date 04-30: the 100 due 04-29 has fallen due (20 of it unpaid, 1 day past
    due), the 200 due 04-30 has not."""
    assert balances(con, "edges", "V") == [
        (D(2024, 2, 29), Decimal("600.00"), Decimal("0.00"), 0),
        (D(2024, 3, 31), Decimal("520.00"), Decimal("0.00"), 0),
        (D(2024, 4, 30), Decimal("520.00"), Decimal("20.00"), 1)]


def test_dpd_windows_at_the_k5_boundaries(con):
    """S: bullet 1,000 due 2024-03-20, never paid. Month-end DPD 11, 41, 72, 102 and buckets on
    both sides of 90/91 (K5: 90 is M3, 91 is M4); the class turns 次级 above 90 (B4.1)."""
    got = [(r["as_of_date"], r["dpd"], r["dpd_bucket"], r["five_class"]) for r in rows(con, """
        select * from reporting.class_snapshots where portfolio_id = 'k1' and loan_id = 'S'
        order by as_of_date""", [])]
    assert got == [
        (D(2024, 1, 31), 0, "M0", "pass"), (D(2024, 2, 29), 0, "M0", "pass"),
        (D(2024, 3, 31), 11, "M1", "special_mention"),
        (D(2024, 4, 30), 41, "M2", "special_mention"),
        (D(2024, 5, 31), 72, "M3", "special_mention"), (D(2024, 6, 30), 102, "M4", "substandard")]


# ------------------------------------------------------------------------------------------
# K1 and K2

def test_k1_pass_migration_rate_is_the_worked_example(con):
    got = {r["rate_code"]: r for r in rows(con, """
        select * from reporting.migration_rates
        where portfolio_id = 'k1' and horizon = 'quarter' and from_as_of_date = ?""",
        [D(2024, 3, 31)])}
    p = got["pass"]
    assert (p["start_balance"], p["reduced_balance"], p["migrated_balance"]) == (
        Decimal("10000.00"), Decimal("600.00"), Decimal("800.00"))
    assert p["migration_rate"] == Decimal("0.085106")          # 800 / 9,400 = 8.51%
    assert p["to_as_of_date"] == D(2024, 6, 30)
    sm = got["special_mention"]                                # S: 关注 -> 次级
    assert (sm["start_balance"], sm["migrated_balance"], sm["migration_rate"]) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("1.000000"))
    normal = got["normal_loans"]                               # (0 + 1,000) / (9,400 + 1,000)
    assert normal["migrated_balance"] == Decimal("1000.00")
    assert normal["migration_rate"] == Decimal("0.096154")
    # No 次级 or 可疑 loans at the start: no rate rather than zero.
    assert got["substandard"]["migration_rate"] is None


def test_k2_matrix_closed_cohort_and_rows_sum_to_one(con):
    cells = {(r["from_class"], r["to_state"]): r for r in rows(con, """
        select * from reporting.migration_matrix
        where portfolio_id = 'k1' and horizon = 'quarter' and from_as_of_date = ?""",
        [D(2024, 3, 31)])}
    assert len(cells) == 5 * 8
    pass_row = {to: (c["loan_count"], c["from_balance"], c["balance_share"])
                for (frm, to), c in cells.items() if frm == "pass" and c["loan_count"]}
    # N (new in the quarter) is not in the cohort.
    assert pass_row == {
        "pass": (1, Decimal("8600.00"), Decimal("0.860000")),
        "special_mention": (1, Decimal("800.00"), Decimal("0.080000")),
        "repaid": (1, Decimal("600.00"), Decimal("0.060000"))}
    for frm in ("pass", "special_mention"):
        row = [c for (f, _), c in cells.items() if f == frm]
        assert sum(c["balance_share"] for c in row) == Decimal("1")
        assert sum(c["count_share"] for c in row) in (Decimal("0.999999"), Decimal("1"))
    assert cells[("special_mention", "substandard")]["count_share"] == Decimal("1")
    assert cells[("doubtful", "loss")]["count_share"] is None


def test_migration_between_any_two_dates(con):
    """The table macro answers for any pair of dates with the matrix model's own SQL."""
    got = {(r[0], r[1]): (r[2], r[3]) for r in con.execute("""
        select from_class, to_state, loan_count, balance_share
        from reporting.migration_between('k1', date '2024-01-31', date '2024-06-30')
        where loan_count > 0""").fetchall()}
    assert got == {
        ("pass", "pass"): (1, Decimal("0.781818")),            # C 8,600 / 11,000
        ("pass", "special_mention"): (1, Decimal("0.072727")),  # A 800
        ("pass", "substandard"): (1, Decimal("0.090909")),      # S 1,000
        ("pass", "repaid"): (1, Decimal("0.054545"))}           # B 600


# ------------------------------------------------------------------------------------------
# K3

def test_k3_roll_and_cure_rates_are_the_worked_example(con):
    got = {r["rate_kind"]: r for r in rows(con, """
        select * from reporting.roll_rates
        where portfolio_id = 'k3' and from_as_of_date = ? and from_bucket = 'M1'""",
        [D(2024, 3, 31)])}
    roll, cure, flow = got["roll"], got["cure"], got["flow"]
    assert (roll["to_bucket"], roll["numerator_balance"], roll["denominator_balance"]) == (
        "M2", Decimal("250.00"), Decimal("1000.00"))
    assert roll["balance_rate"] == Decimal("0.250000")
    assert cure["balance_rate"] == Decimal("0.600000")
    assert (roll["count_rate"], cure["count_rate"]) == (Decimal("0.25"), Decimal("0.25"))
    # Flow: everything in M2 at 04-30 (P's 250) over everything in M1 at 03-31.
    assert (flow["numerator_balance"], flow["balance_rate"]) == (Decimal("250.00"),
                                                                 Decimal("0.250000"))
    # Current loans (M0, here at 02-29) have a flow rate only: neither roll nor cure is defined.
    assert con.execute("select from_as_of_date, rate_kind, balance_rate from reporting.roll_rates "
                       "where portfolio_id = 'k3' and from_bucket = 'M0'").fetchall() == [
        (D(2024, 2, 29), "flow", Decimal("1.000000"))]


# ------------------------------------------------------------------------------------------
# K4

def vintage(con, cohort: dt.date, metric: str, mob: int) -> dict:
    got = rows(con, """
        select * from reporting.vintage_curves where portfolio_id = 'k4'
        and cohort_granularity = 'month' and cohort = ? and metric = ? and months_on_book = ?""",
        [cohort, metric, mob])
    assert len(got) == 1
    return got[0]


def test_k4_vintage_is_the_worked_example(con):
    at6 = vintage(con, D(2024, 1, 1), "ever_30_plus", 6)
    assert (at6["cohort_loans"], at6["cohort_principal"]) == (200, Decimal("20000000.00"))
    assert (at6["loans_reached"], at6["principal_reached"]) == (7, Decimal("800000.00"))
    assert (at6["count_rate"], at6["amount_rate"]) == (Decimal("0.035"), Decimal("0.04"))
    # DPD 14 at 02-29 (MOB 1), 45 at 03-31 (MOB 2): reached at MOB 2, not before.
    assert vintage(con, D(2024, 1, 1), "ever_30_plus", 1)["loans_reached"] == 0
    assert vintage(con, D(2024, 1, 1), "ever_30_plus", 2)["loans_reached"] == 7
    # 90+ and default (次级, DPD > 90): DPD 75 at 04-30 (MOB 3), 106 at 05-31 (MOB 4).
    assert vintage(con, D(2024, 1, 1), "ever_90_plus", 3)["loans_reached"] == 0
    assert vintage(con, D(2024, 1, 1), "ever_90_plus", 4)["loans_reached"] == 7
    assert vintage(con, D(2024, 1, 1), "default", 3)["loans_reached"] == 0
    assert vintage(con, D(2024, 1, 1), "default", 4)["count_rate"] == Decimal("0.035")


def test_k4_months_on_book_and_unobserved_cells(con):
    mob = con.execute("select months_on_book from reporting.class_snapshots where "
                      "portfolio_id = 'k4' and loan_id = 'J000' and as_of_date = ?",
                      [D(2024, 7, 31)]).fetchone()
    assert mob == (6,)                      # a January loan at the end of July
    observed = vintage(con, D(2024, 3, 1), "ever_30_plus", 4)
    assert (observed["is_observed"], observed["count_rate"]) == (True, Decimal("0"))
    blank = vintage(con, D(2024, 3, 1), "ever_30_plus", 5)
    assert (blank["is_observed"], blank["loans_reached"], blank["count_rate"]) == (
        False, None, None)


# ------------------------------------------------------------------------------------------
# Trends

def test_quality_trends(con):
    got = {r["as_of_date"]: r for r in rows(con, "select * from reporting.quality_trends "
                                                 "where portfolio_id = 'k1'", [])}
    june = got[D(2024, 6, 30)]
    # Book at 06-30: A 800 (DPD 46), C 8,600, S 1,000 (DPD 102, 次级), N 5,000.
    assert june["total_balance"] == Decimal("15400.00")
    assert june["npl_ratio"] == Decimal("0.064935")          # 1,000 / 15,400
    assert june["dpd_1_plus_balance"] == Decimal("1800.00")
    assert june["dpd_91_plus_balance"] == Decimal("1000.00")
    # Allowance: 800 x 2% + 1,000 x 25% + 1% general reserve of 15,400 = 16 + 250 + 154.
    assert june["allowance"] == Decimal("420.00")
    assert june["coverage_ratio"] == Decimal("0.420000")
    # K8: 12 months after 2024-01-31 are not observed yet.
    assert got[D(2024, 1, 31)]["default_rate_12m"] is None
    assert got[D(2024, 1, 31)]["performing_obligors"] == 4


def test_k8_default_rate_counts_a_default_on_the_last_day_of_the_window(con):
    got = {r["as_of_date"]: r for r in rows(con, "select * from reporting.quality_trends "
                                                 "where portfolio_id = 'k8'", [])}
    def k8(day: dt.date) -> tuple:
        r = got[day]
        return (r["performing_obligors"], r["defaulted_obligors_12m"], r["default_rate_12m"])
    # 2023-08-31: the window ends 2024-08-31, the day K8A is first bad; K8B's 2024-09-30 is out.
    assert k8(D(2023, 8, 31)) == (3, 1, Decimal("0.333333"))
    # A month later both are in.
    assert k8(D(2023, 9, 30)) == (3, 2, Decimal("0.666667"))
    # The last observed window ends on the delivered date, 2024-10-31; the next is not observed.
    assert k8(D(2023, 10, 31)) == (3, 2, Decimal("0.666667"))
    assert k8(D(2023, 11, 30)) == (3, None, None)
    # K8A is bad at 2024-08-31 and no longer performing; K8B (67 days) still is.
    assert k8(D(2024, 8, 31))[0] == 2


# ------------------------------------------------------------------------------------------
# Rebuilding a past month changes nothing

CHECKSUM = """
    select count(*), md5(string_agg(
        concat_ws('|', portfolio_id, as_of_date, loan_id, loan_status, outstanding_principal,
                  overdue_principal, dpd, dpd_bucket, five_class, class_basis, batch_id),
        ',' order by portfolio_id, as_of_date, loan_id))
    from reporting.class_snapshots where portfolio_id = ? and as_of_date <= ?"""


@pytest.mark.slow
def test_a_later_delivery_leaves_closed_months_unchanged(con, tmp_path):
    before = {p: con.execute(CHECKSUM, [p, d]).fetchone()
              for p, d in (("stable", D(2024, 4, 30)), ("k1", D(2024, 6, 30)))}
    assert before["stable"][0] == 4 * 3        # three loans x Jan-Apr, T9 not yet disbursed
    later = build(tmp_path, with_later_delivery=True)
    after = {p: later.execute(CHECKSUM, [p, d]).fetchone() for p, d in
             (("stable", D(2024, 4, 30)), ("k1", D(2024, 6, 30)))}
    assert after == before
    # The later months come from the later delivery: T1 stopped paying in May.
    t1 = later.execute("select dpd from reporting.class_snapshots where portfolio_id = 'stable' "
                       "and loan_id = 'T1' and as_of_date = ?", [D(2024, 7, 31)]).fetchone()
    assert t1 == (72,)                          # oldest unpaid due 05-20


# ------------------------------------------------------------------------------------------
# Month-end close (monthly partitions)

def close(root: Path, start: str, end: str):
    from dagster import DagsterInstance, materialize

    tags = {"dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end}
    return materialize([month_end_close], instance=DagsterInstance.ephemeral(), tags=tags,
                       resources=resources(str(root / "landing"), str(root / "wh" /
                                                                      "postloan.duckdb")),
                       raise_on_error=False)


def check_passed(result) -> bool:
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation.passed


@pytest.mark.slow
def test_month_end_close_is_one_run_and_flags_a_restated_month(built, con):
    warehouse = built / "wh" / "postloan.duckdb"
    register_path(warehouse).unlink(missing_ok=True)
    first = close(built, "2024-01-01", "2024-06-01")          # six months, one run
    assert first.success and check_passed(first)
    register = read_register(warehouse)
    assert sorted(m for p, m in register if p == "k1") == [
        "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"]
    assert register[("k1", "2024-03-31")]["loans"] == 4        # A, B, C, S
    assert register[("k4", "2024-01-31")]["loans"] == 200
    # Closing March again gives the same checksums.
    again = close(built, "2024-03-01", "2024-03-01")
    assert again.success and check_passed(again)
    # A register that disagrees (the month was restated since) is named by the check.
    path = register_path(warehouse)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.replace(register[("k1", "2024-03-31")]["checksum"], "0" * 32)
                              for line in lines) + "\n", encoding="utf-8")
    restated = close(built, "2024-03-01", "2024-03-01")
    assert restated.success and not check_passed(restated)
    [evaluation] = restated.get_asset_check_evaluations()
    assert '"month_end": "2024-03-31"' in evaluation.metadata["restated"].value
    # A month the warehouse does not reach is an error, not an empty success.
    assert not close(built, "2030-01-01", "2030-01-01").success
