"""Access by role: the users file and its hashes, the login form, the masked copy for analysts,
the branch scope of officers (every table, through the data layer), and the access log of
unmasked personal data. Fixture: ``tests/dashboard_access_fixtures.py``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, data, scope, tables
from postloan import publish
from tests import dashboard_access_fixtures as ax
from tests import dashboard_fixtures as fx
from tests.dashboard_apptest import checked, metrics, run_app, texts

D = Decimal
BUILT = dt.datetime(2024, 7, 2, 8, 0, 5)
COMMITTEE = auth.User("wang.fang", "committee")
ANALYST = auth.User("li.lei", "analyst")
OFFICER = auth.User("zhao.min", "branch_officer", (ax.SHANGHAI,))


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse" / "postloan.duckdb"
    ax.publish_warehouse(path, "build-A", BUILT)
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(path))
    return path


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.yaml"
    path.write_text(
        "users:\n"
        "  wang.fang:\n    role: committee\n"
        f"    password_hash: \"{auth.hash_password('s3cret!')}\"\n"
        f"  zhao.min:\n    role: branch_officer\n    branches: [{ax.SHANGHAI}]\n"
        f"    password_hash: \"{auth.hash_password('officer pw')}\"\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(auth.USERS_ENV, str(path))
    return path


# --- hashes and the users file ---------------------------------------------------------------


def test_scrypt_hash_round_trip_and_salt() -> None:
    first, second = auth.hash_password("正确的密码"), auth.hash_password("正确的密码")
    assert first != second  # random salt
    assert first.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("正确的密码", first)
    assert not auth.verify_password("正确的密码 ", first)
    assert not auth.verify_password("", first)


def test_pbkdf2_hashes_are_accepted_and_malformed_ones_refused() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", b"pw", salt, 1000)
    b64 = base64.b64encode
    stored = f"pbkdf2_sha256$1000${b64(salt).decode()}${b64(digest).decode()}"
    assert auth.verify_password("pw", stored)
    assert not auth.verify_password("pw2", stored)
    for broken in ("plain-text", "scrypt$x", "md5$abc$def", "scrypt$16384$8$1$!!$!!"):
        assert not auth.verify_password("pw", broken)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("users:\n  a:\n    role: admin\n    password_hash: 'scrypt$1'\n", "role 'admin'"),
        ("users:\n  a:\n    role: analyst\n", "no password_hash"),
        ("users:\n  a:\n    role: branch_officer\n    password_hash: 'scrypt$1'\n", "no branches"),
        ("users: {}\n", "no users"),
    ],
)
def test_users_file_errors(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(auth.ConfigError, match=message):
        auth.load_accounts(path)


def test_demo_users_sign_in_with_their_documented_passwords(monkeypatch) -> None:
    monkeypatch.delenv(auth.USERS_ENV, raising=False)
    path = auth.DEMO_USERS_FILE
    assert auth.authenticate("committee", "committee-demo", path) == auth.User(
        "committee", "committee"
    )
    assert auth.authenticate("analyst", "analyst-demo", path).masked
    officer = auth.authenticate("officer", "officer-demo", path)
    assert officer.branch_scope == ("WELLS FARGO BANK NATL ASSOC",)
    assert auth.authenticate("committee", "analyst-demo", path) is None
    assert auth.authenticate("nobody", "committee-demo", path) is None


# --- the login form ------------------------------------------------------------------------------


def test_login_form_refuses_a_wrong_password_then_signs_in(warehouse, users_file) -> None:
    at = run_app(user=None)
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.metric  # nothing of the warehouse before signing in
    at.text_input(key="login_user").input("wang.fang")
    at.text_input(key="login_password").input("wrong")
    checked(at.button[0].click().run())
    assert "用户名或密码不正确。" in texts(at.error)
    assert not at.metric
    at.text_input(key="login_password").input("s3cret!")
    checked(at.button[0].click().run())
    assert at.session_state[data.VIEWER_KEY] == auth.User("wang.fang", "committee")
    assert "login_password" not in at.session_state  # the password is not kept
    assert metrics(at)["贷款余额（CNY）"][0] == "1,234,567.89"
    assert any("wang.fang" in c for c in texts(at.sidebar.caption))
    at.button(key="logout").click().run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_demo_users_are_announced_on_the_login_page(warehouse, monkeypatch) -> None:
    monkeypatch.delenv(auth.USERS_ENV, raising=False)
    monkeypatch.setattr(auth, "USERS_FILE", Path("/nonexistent/dashboard_users.yaml"))
    at = run_app(user=None)
    assert any("committee-demo" in i for i in texts(at.info))


# --- masked copy for analysts --------------------------------------------------------------------


def _loan_page(user: auth.User, loan_id: str, portfolio: str = fx.WHOLESALE) -> AppTest:
    at = run_app(user)
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    at.switch_page("pages_/loan.py")
    at.query_params["loan_id"] = loan_id
    return checked(at.run())


def _borrower_table(at: AppTest) -> dict[str, str]:
    for frame in at.dataframe:
        table = frame.value
        if list(table.columns) == ["项目", "内容"] and "借款人名称" in set(table["项目"]):
            return dict(zip(table["项目"], table["内容"], strict=True))
    raise AssertionError("no borrower table")


def test_committee_sees_names_and_each_view_is_logged(warehouse) -> None:
    assert auth.read_access_log(warehouse) == []
    at = _loan_page(COMMITTEE, "W04")
    borrower = _borrower_table(at)
    assert (borrower["借款人名称"], borrower["证件号码"]) == ("张三丰", "110101199003071234")
    guarantees = next(f.value for f in at.dataframe if "保证人名称" in f.value.columns)
    assert guarantees["保证人名称"].tolist() == ["王小明"]
    assert guarantees["保证金额"].tolist() == ["25,000.00"]
    log = auth.read_access_log(warehouse)
    views = [r for r in log if r["action"] == "view"]
    assert {(r["user"], r["role"]) for r in views} == {("wang.fang", "committee")}
    assert {tuple(r["columns"]) for r in views} == {("borrower_name", "id_number"),
                                                    ("guarantor_name",)}
    assert all(r["rows"] == 1 for r in views)
    assert any(r["params"][-1] == "B-W04" for r in views)  # what was read: the borrower's key
    stamp = dt.datetime.fromisoformat(views[0]["at"])
    assert stamp.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(
        minutes=5
    )
    count = len(log)
    at.run()  # a second view of the same page is a second record, cache or not
    assert len(auth.read_access_log(warehouse)) > count


def test_analyst_reads_the_masked_copy_and_is_not_logged(warehouse) -> None:
    at = _loan_page(ANALYST, "W04")
    borrower = _borrower_table(at)
    # postloan.publish masks names to their first character, id numbers to their last four.
    assert borrower["借款人名称"] == "张**"
    assert borrower["证件号码"] == "**************1234"
    assert "借款人名称和证件号码已脱敏（当前角色读取脱敏副本）。" in texts(at.caption)
    assert "脱敏副本" in texts(at.info)[0]
    assert metrics(at)["贷款余额（CNY）"][0] == "20,000.00"  # the figures are the same
    assert auth.read_access_log(warehouse) == []
    assert at.session_state[tables.CONTEXT_KEY].snapshot.path.endswith("postloan.masked.duckdb")


def test_analyst_without_a_masked_copy_sees_no_data(tmp_path, monkeypatch) -> None:
    path = tmp_path / "warehouse" / "postloan.duckdb"
    fx.publish_warehouse(path, "build-A", BUILT)  # published without the masked copy
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(path))
    at = run_app(ANALYST)
    assert not at.metric
    assert any("postloan.masked.duckdb" in e for e in texts(at.error))


# --- branch scope --------------------------------------------------------------------------------


def test_scoped_connection_limits_every_kind_of_table(warehouse) -> None:
    con = scope.connect_scoped(str(warehouse), (ax.SHANGHAI,))
    try:
        loans = con.execute(
            "select loan_id from reporting.loans where portfolio_id = ? and as_of_date = ? "
            "order by loan_id", [fx.WHOLESALE, fx.JUNE]).fetchall()
        assert loans == [("W04",), ("W05",), ("W06",)]
        summary = con.execute(
            "select portfolio_id, as_of_date, loan_count, outstanding_principal, "
            "overdue_principal, dpd_over_90_principal from reporting.portfolio_summary "
            "order by portfolio_id, as_of_date").fetchall()
        assert summary == [
            ("SME-USD", fx.JUNE, 2, D("1000000.00"), D("2500.50"), D("2500.50")),
            (fx.WHOLESALE, fx.MAY, 3, D("40000.00"), D("32000.00"), D("12000.00")),
            (fx.WHOLESALE, fx.JUNE, 3, D("40000.00"), D("40000.00"), D("32000.00")),
        ]
        # keyed by loan and batch (no branch column): only W04's
        assert con.execute("select count(*) from intermediate.int_installment_settlement"
                           ).fetchone()[0] == 24
        # a guarantor of a loan in scope is visible, another Beijing borrower is not
        names = con.execute("select distinct borrower_id from staging.stg_landing__borrowers "
                            "where borrower_id in ('B-W01', 'B-W02') order by 1").fetchall()
        assert names == [("B-W01",)]
        # bank-wide figures cannot be scoped: empty, never the whole bank's
        for table in ("reporting.regulatory_ratios", "reporting.large_exposures",
                      "reporting.concentration_indices", "reporting.portfolio_quality"):
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
        # reference data and batch bookkeeping are as they are
        assert con.execute("select count(*) from reference.classification_rules"
                           ).fetchone()[0] > 0
        assert con.execute("select count(*) from reporting.batches").fetchone()[0] > 0
    finally:
        con.close()


def test_branch_names_are_bound_parameters(warehouse) -> None:
    tricky = "O'Brien'); drop table reporting.loans; --"
    con = scope.connect_scoped(str(warehouse), (tricky,))
    try:
        assert con.execute("select count(*) from reporting.loans").fetchone()[0] == 0
    finally:
        con.close()
    snapshot = data.take_snapshot(warehouse)
    unscoped = data.query(snapshot, "select count(*) as n from reporting.loans")
    assert unscoped["n"].iloc[0] == len(fx.loans()) == 22  # nothing was dropped


def test_officer_sees_only_the_branch_in_the_dashboard(warehouse) -> None:
    at = run_app(OFFICER)
    assert at.selectbox(key="portfolio_id").options == [
        "SME loans（SME-USD，USD）", "Wholesale loans（WHOLESALE-CNY，CNY）"]
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    assert "仅显示经办机构 **Shanghai** 的贷款" in texts(at.info)[0]
    shown = metrics(at)
    assert shown["在贷笔数"] == ("3", "0")
    assert shown["贷款余额（CNY）"] == ("40,000.00", "0.00")
    assert shown["逾期90天以上本金（CNY）"] == ("32,000.00", "+20,000.00")
    assert at.dataframe[-1].value["贷款编号"].tolist() == ["W05", "W04", "W06"]
    at.switch_page("pages_/concentration.py")
    checked(at.run())
    assert "没有监管集中度指标。" in texts(at.info)
    # a loan of another branch is not found, even by its address
    at = _loan_page(OFFICER, "W01")
    assert "本次发布的数据中没有贷款 W01。" in texts(at.warning)


def test_officer_exports_are_logged_with_the_reader(warehouse, monkeypatch) -> None:
    at = _loan_page(OFFICER, "W04")
    context = at.session_state[tables.CONTEXT_KEY]
    monkeypatch.setattr(tables, "_context", lambda: context)
    # what export_buttons passes: the personal columns of the exported frame
    exported = pd.DataFrame({"loan_id": ["W04"], "borrower_name": ["张三丰"]})
    made = tables._logged(lambda: b"file", auth.personal_columns_of(exported), 1, "borrower")
    before = len(auth.read_access_log(warehouse))
    assert made() == b"file"
    record = auth.read_access_log(warehouse)[-1]
    assert len(auth.read_access_log(warehouse)) == before + 1
    assert (record["user"], record["action"], record["columns"], record["what"]) == (
        "zhao.min", "export", ["borrower_name"], "borrower")
    # without personal columns nothing is logged
    plain = tables._logged(
        lambda: b"file", auth.personal_columns_of(exported[["loan_id"]]), 1, "loans")
    plain()
    assert len(auth.read_access_log(warehouse)) == before + 1


def test_raw_records_of_rejected_borrowers_count_as_personal_data() -> None:
    borrowers = pd.DataFrame({"entity": ["loans", "borrowers"], "raw_record": ["{}", "{}"]})
    loans_only = pd.DataFrame({"entity": ["loans"], "raw_record": ["{}"]})
    assert auth.personal_columns_of(borrowers) == ["raw_record"]
    assert auth.personal_columns_of(loans_only) == []
    named = pd.DataFrame({"borrower_name": ["张三丰"], "loan_id": ["W04"]})
    assert auth.personal_columns_of(named) == ["borrower_name"]


def test_auth_command_lists_users_and_refuses_a_broken_file(tmp_path, capsys) -> None:
    assert auth.main(["check", str(auth.DEMO_USERS_FILE)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "analyst: analyst (all branches)",
        "committee: committee (all branches)",
        "officer: branch_officer (WELLS FARGO BANK NATL ASSOC)",
    ]
    broken = tmp_path / "users.yaml"
    broken.write_text("users:\n  x:\n    role: cfo\n    password_hash: 'scrypt$1'\n")
    assert auth.main(["check", str(broken)]) == 1
    assert "role 'cfo'" in capsys.readouterr().err


def test_a_user_name_is_locked_after_five_wrong_passwords(users_file, monkeypatch) -> None:
    monkeypatch.setattr(auth, "_FAILURES", {})
    for i in range(auth.MAX_FAILURES):
        assert auth.authenticate("wang.fang", f"guess {i}", users_file, now=100.0 + i) is None
    with pytest.raises(auth.LockedError):  # even the right password, while locked
        auth.authenticate("wang.fang", "s3cret!", users_file, now=104.0 + auth.LOCK_SECONDS - 1)
    assert auth.authenticate("zhao.min", "officer pw", users_file, now=105.0) == OFFICER
    # the lock ends LOCK_SECONDS after the last failure
    user = auth.authenticate("wang.fang", "s3cret!", users_file, now=104.0 + auth.LOCK_SECONDS)
    assert user == COMMITTEE


def test_four_wrong_passwords_then_the_right_one_resets_the_count(users_file, monkeypatch) -> None:
    monkeypatch.setattr(auth, "_FAILURES", {})
    for i in range(auth.MAX_FAILURES - 1):
        assert auth.authenticate("wang.fang", "no", users_file, now=float(i)) is None
    assert auth.authenticate("wang.fang", "s3cret!", users_file, now=10.0) == COMMITTEE
    for i in range(auth.MAX_FAILURES - 1):
        assert auth.authenticate("wang.fang", "no", users_file, now=20.0 + i) is None
    assert auth.authenticate("wang.fang", "s3cret!", users_file, now=30.0) == COMMITTEE


def test_a_new_build_gets_its_own_scoped_catalog(warehouse) -> None:
    con = scope.connect_scoped(str(warehouse), (ax.SHANGHAI,))
    try:
        tables = {r[0] for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'reporting'").fetchall()}
    finally:
        con.close()
    assert "loans" in tables and "branch_targets" not in tables
    build = publish.build_path(warehouse, "build-B")
    shutil.copyfile(warehouse, build)
    extra = duckdb.connect(str(build))
    try:
        extra.execute("create table reporting.branch_targets(branch varchar, target integer)")
        extra.execute("insert into reporting.branch_targets values (?, 1), (?, 2)",
                      [ax.SHANGHAI, ax.BEIJING])
    finally:
        extra.close()
    publish.publish(build, warehouse)
    con = scope.connect_scoped(str(warehouse), (ax.SHANGHAI,))
    try:
        assert con.execute("select target from reporting.branch_targets").fetchall() == [(1,)]
    finally:
        con.close()
