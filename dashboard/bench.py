"""Page render time of the dashboard on a published warehouse (the bundled data by default).

    .venv/bin/python -m dashboard.bench --warehouse warehouse/postloan.duckdb [--runs 5]

For every role (committee, analyst, branch officer) and every page of ``app.PAGES``, each
portfolio: one cold run (empty caches: the first reader after a new build) and ``--runs`` warm
runs (the same page again, caches filled), timed with Streamlit's ``AppTest`` in this process.
That is the server's time to run the page script and produce every element; the browser's own
drawing is not included. Target: under one second per page warm. Prints a table and exits 1 when
a warm median is over the target.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import sys
import time
from pathlib import Path

TARGET_SECONDS = 1.0
APP = Path(__file__).resolve().parent / "app.py"


def page_files() -> list[str]:
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    for node in tree.body:
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if getattr(target, "id", None) == "PAGES":
            sections = ast.literal_eval(node.value)
            return [f"pages_/{file}" for entries in sections.values() for file, *_ in entries]
    raise SystemExit("PAGES not found in dashboard/app.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench")
    parser.add_argument("--warehouse", default="warehouse/postloan.duckdb")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--officer-branch", default="WELLS FARGO BANK NATL ASSOC")
    parser.add_argument("--json", help="also write the timings to this file (postloan bench)")
    args = parser.parse_args(argv)
    os.environ["POSTLOAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())

    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from dashboard.data import VIEWER_KEY

    users = (
        User("bench.committee", "committee"),
        User("bench.analyst", "analyst"),
        User("bench.officer", "branch_officer", (args.officer_branch,)),
    )
    rows = []
    for user in users:
        at = AppTest.from_file(str(APP), default_timeout=300)
        at.session_state[VIEWER_KEY] = user
        at.run()
        for portfolio in _portfolio_values(at):
            at.selectbox(key="portfolio_id").set_value(portfolio).run()
            for page in page_files():
                at.switch_page(page)
                start = time.perf_counter()
                at.run()
                cold = time.perf_counter() - start
                warm = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    at.run()
                    warm.append(time.perf_counter() - start)
                errors = [str(e.value)[:80] for e in at.exception]
                rows.append((user.role, portfolio, page, cold, statistics.median(warm),
                             max(warm), errors))
    if args.json:
        Path(args.json).write_text(json.dumps([
            {"role": role, "portfolio": portfolio, "page": page, "cold": cold, "warm": warm,
             "max": worst, "errors": errors}
            for role, portfolio, page, cold, warm, worst, errors in rows], indent=1),
            encoding="utf-8")
    print(f"{'role':<15} {'portfolio':<20} {'page':<28} {'cold s':>7} {'warm s':>7} {'max s':>7}")
    over = 0
    for role, portfolio, page, cold, warm, worst, errors in rows:
        flag = "" if warm < TARGET_SECONDS else "  over target"
        over += warm >= TARGET_SECONDS or bool(errors)
        print(f"{role:<15} {portfolio:<20} {page:<28} {cold:7.2f} {warm:7.2f} {worst:7.2f}{flag}"
              + (f"  errors: {errors}" if errors else ""))
    return 1 if over else 0


def _portfolio_values(at) -> list[str]:  # noqa: ANN001 - an AppTest
    """The portfolio ids the reader may choose (the selectbox's values, not its labels)."""
    from dashboard.shell import CONTEXT_KEY

    context = at.session_state[CONTEXT_KEY]
    if context.summary is None or context.summary.empty:
        return []
    return sorted(set(context.summary["portfolio_id"]))


if __name__ == "__main__":
    sys.exit(main())
