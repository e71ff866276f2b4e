"""The benchmark's arithmetic and report, on hand-made measurements (the runs themselves are
`make bench`, not part of the test suite)."""

from __future__ import annotations

import os

from postloan.bench import Measured, product_dpd_seconds, report, stages, tree_rss

PAYLOAD = {
    "success": True, "build_seconds": 90.0,
    "steps": {"ingest_landing": 30.0, "warehouse_dbt_assets": 50.0, "published_warehouse": 5.0},
    "dbt_nodes": [
        {"id": "model.postloan.int_installment_settlement", "seconds": 12.0},
        {"id": "model.postloan.fct_loan_classification", "seconds": 3.0},
        {"id": "model.postloan.concentration_lorenz", "seconds": 4.0},
        {"id": "test.postloan.unique_loans_loan_id.abc", "seconds": 6.5},
        {"id": "test.postloan.not_null_loans_dpd.def", "seconds": 3.5},
    ],
    "loaded_rows": {"loans": 1_000, "repayment_schedule": 29_000, "payments": 0},
}


def test_stages_split_dbt_time_into_models_and_tests():
    m = Measured(100.0, 2_000_000_000, 0, PAYLOAD)
    assert stages(m) == {"ingest": 30.0, "dbt build": 40.0, "checks": 10.0, "publish": 5.0,
                         "total": 100.0}
    # Only the models on the DPD and classification path count for the product's time.
    assert product_dpd_seconds(m) == 15.0


def test_report_has_rates_ratios_and_the_skipped_pandas():
    full = Measured(100.0, 2_000_000_000, 0, PAYLOAD)
    sql = Measured(2.0, 500_000_000, 0, {"seconds": 1.5, "cpu_seconds": 2.5, "figures": {}})
    text = report([{"size": "L", "generate_seconds": 60.0, "full": full, "sql": sql,
                    "incremental": Measured(80.0, 1_000_000_000, 0,
                                            {**PAYLOAD, "delta_rows": 1_234})}],
                  "postloan bench --sizes L", "2026-12-04T20:00:00+00:00", ("1.0", "2.0"))
    assert "| ingest | 30.0 | 1,000 |" in text  # 30,000 landing rows in 30 s
    assert "| total | 100.0 | 300 |" in text
    assert "Peak memory of the build (process tree): 2.00 GB." in text
    assert ("delivered as a delta of 1,234 rows on the as-of batch and built with `--as-of` "
            "that day): 80.0 s, 0.80 of the full build") in text
    assert ("| product in the build (its dbt models' times, two models at a time) | 15.00 | "
            "10.00x |") in text
    assert "pandas is not run above 100,000 loans (memory)." in text
    # No publication profile measured: no sentence about it.
    assert "Publication of" not in text


def test_report_profiles_publication_and_the_next_days_models():
    parts = {"checks": 1.25, "checkpoint": 2.0, "masked_copy": 30.5, "swap": 4.0}
    full = Measured(100.0, 2_000_000_000, 0, {**PAYLOAD, "publish_seconds": parts})
    next_day = {**PAYLOAD, "publish_seconds": {**parts, "masked_copy": 28.0}, "dbt_nodes": [
        {"id": "model.postloan.int_installment_settlement", "seconds": 5.0},
        {"id": "model.postloan.fct_loan_classification", "seconds": 3.5},
        {"id": "test.postloan.unique_loans_loan_id.abc", "seconds": 6.5}]}
    text = report([{"size": "L", "generate_seconds": 60.0, "full": full,
                    "incremental": Measured(80.0, 1_000_000_000, 0, next_day)}],
                  "postloan bench --sizes L", "2026-12-04T20:00:00+00:00", ("1.0", "2.0"))
    assert ("Publication of the full build: reporting checks and build records 1.2 s, "
            "checkpointing the build 2.0 s, writing the masked copy 30.5 s, the two atomic "
            "renames with their checkpoints and fsyncs 4.0 s.") in text
    assert "Publication of the next day: reporting checks and build records 1.2 s, " \
           "checkpointing the build 2.0 s, writing the masked copy 28.0 s" in text
    assert ("Slowest dbt models of the next day (seconds; in the full build): "
            "int_installment_settlement 5.0 (12.0), fct_loan_classification 3.5 (3.0).") in text


def test_tree_rss_counts_this_process():
    assert tree_rss(os.getpid()) > 10_000_000


def test_report_states_each_target_and_whether_it_is_met():
    full = Measured(700.0, 7_500_000_000, 0, PAYLOAD)
    sql = Measured(2.0, 500_000_000, 0, {"seconds": 10.0, "cpu_seconds": 2.5, "figures": {}})
    pandas = Measured(5.0, 500_000_000, 0, {"seconds": 200.0, "cpu_seconds": 190.0,
                                             "load_seconds": 3.0, "figures": {}})
    pages = [{"role": "committee", "portfolio": "p", "page": "pages_/overview.py", "cold": 2.5,
              "warm": 0.4, "max": 0.5, "errors": []},
             {"role": "analyst", "portfolio": "p", "page": "pages_/history.py", "cold": 3.0,
              "warm": 1.2, "max": 1.3, "errors": []}]
    text = report([{"size": "L", "generate_seconds": 60.0, "full": full, "sql": sql,
                    "pandas": pandas, "dashboard": Measured(30.0, 1, 0, pages),
                    "incremental": Measured(100.0, 1_000_000_000, 0, PAYLOAD)}],
                  "postloan bench --sizes L", "2026-12-04T20:00:00+00:00", ("1.0", "2.0"))
    assert "| L full build within 10 minutes | 700 s | no |" in text
    assert "| L peak memory within 8 GB | 7.50 GB | yes |" in text
    assert "| L: next day's build at most a fifth of the full one | 0.14 | yes |" in text
    # 15 s of product models against 10 s of plain SQL and 200 s of pandas.
    assert "| L: DPD and classification within 1.5x of plain SQL | 1.50x | yes |" in text
    assert "| L: at least 10x faster than pandas | 13.33x pandas's speed | yes |" in text
    assert "| L: dashboard pages under one second once warm | slowest 1.20 s | no |" in text
    assert "slowest warm median 1.20 s (pages_/history.py, analyst)" in text
    assert "pages_/history.py (analyst, 1.20 s)" in text


def test_each_unmet_target_states_its_bound_from_the_run():
    payload = {**PAYLOAD, "cpu_seconds": 1300.0}
    full = Measured(700.0, 5_000_000_000, 0, payload)
    sql = Measured(2.0, 500_000_000, 0, {"seconds": 4.0, "cpu_seconds": 2.5, "figures": {}})
    pandas = Measured(5.0, 500_000_000, 0, {"seconds": 20.0, "cpu_seconds": 19.0,
                                             "load_seconds": 3.0, "figures": {}})
    pages = [{"role": "committee", "portfolio": "p", "page": "pages_/monitoring.py",
              "cold": 2.5, "warm": 0.4, "max": 0.5, "errors": []}]
    text = report([{"size": "L", "generate_seconds": 60.0, "full": full, "sql": sql,
                    "pandas": pandas, "dashboard": Measured(30.0, 1, 0, pages),
                    "incremental": Measured(690.0, 1_000_000_000, 0, payload)}],
                  "postloan bench --sizes L", "2026-12-04T20:00:00+00:00", ("1.0", "2.0"))
    cores = os.cpu_count()
    assert (f"| L full build within 10 minutes | 700 s | no | the work: 1,300 CPU seconds, "
            f"{1300 / 700:.2f} of the {cores} cores busy on average; {cores} cores need at "
            f"least {1300 / cores:,.0f} s for that work |") in text
    # dbt 40 s + tests 10 s + publish 5 s of the next day's build = 0.08 of the 700 s build.
    assert ("| L: next day's build at most a fifth of the full one | 0.99 | no | "
            "the day is delivered as a delta (ingest 30 s, composing it with its base); dbt "
            "copies the settlement of installments and the earlier month-end history of the "
            "loans it leaves unchanged but rebuilds the other tables from the whole book "
            "(40 s, tests 10 s) and publish (checks, the masked copy, names restored: 5 s): "
            "those alone are 0.08 of the full build |") in text
    # Settlement 12 s against 4 s of plain SQL and 20 s of pandas (product 15 s).
    assert ("| L: DPD and classification within 1.5x of plain SQL | 3.75x | no | dating every "
            "installment's settlement (`int_installment_settlement`, for B10, B12 and the "
            "history) alone took 12.0 s, 3.00x the plain SQL, which sums payments per loan; "
            "1.5x is 6.00 s for the whole path |") in text
    assert ("| L: at least 10x faster than pandas | 1.33x pandas's speed | no | the settlement "
            "dates alone took 12.0 s, 0.6 times pandas's whole time; 10x faster is 2.00 s for the "
            "whole path. The plain SQL, the least work the job can be done with, is itself "
            "5.00x pandas's speed |") in text
    # Met targets name no bound.
    assert "| L peak memory within 8 GB | 5.00 GB | yes |  |" in text
    assert "| L: dashboard pages under one second once warm | slowest 0.40 s | yes |  |" in text


def test_targets_read_the_product_alone_when_it_was_measured():
    full = Measured(500.0, 5_000_000_000, 0, PAYLOAD)  # 15 s of path models in the build
    sql = Measured(2.0, 500_000_000, 0, {"seconds": 10.0, "cpu_seconds": 2.5, "figures": {}})
    pandas = Measured(5.0, 500_000_000, 0, {"seconds": 40.0, "cpu_seconds": 39.0,
                                             "load_seconds": 3.0, "figures": {}})
    models = {"int_installment_settlement": 6.0, "fct_loan_classification": 2.0}
    alone = Measured(20.0, 1_500_000_000, 0, {"success": True, "seconds": 8.0,
                                              "models": models})
    run = {"size": "M", "generate_seconds": 6.0, "full": full, "sql": sql, "pandas": pandas,
           "alone": alone}
    text = report([run], "postloan bench --sizes M", "2026-12-04T20:00:00+00:00",
                  ("1.0", "2.0"))
    assert ("| product in the build (its dbt models' times, two models at a time) | 15.00 | "
            "1.50x | (in the build) |") in text
    assert ("| product alone (the same models one at a time, on a copy of the warehouse) | "
            "8.00 | 0.80x | 1.50 GB |") in text
    assert "the product (alone) takes 0.2 times pandas's time" in text
    assert "| M: DPD and classification within 1.5x of plain SQL | 0.80x | yes |  |" in text
    # 40 s of pandas against 8 s alone: 5x; the bound is the settlement's time alone (6 s).
    assert ("| M: at least 10x faster than pandas | 5.00x pandas's speed | no | the settlement "
            "dates alone took 6.0 s, 0.1 times pandas's whole time; 10x faster is 4.00 s for "
            "the whole path. The plain SQL, the least work the job can be done with, is itself "
            "4.00x pandas's speed |") in text

    # When the run alone failed, the report says so and the targets fall back to the build.
    failed = {**run, "alone": Measured(3.0, 1, 1, {"success": False, "seconds": None,
                                                    "models": {}})}
    text = report([failed], "postloan bench --sizes M", "2026-12-04T20:00:00+00:00",
                  ("1.0", "2.0"))
    assert "| product alone | FAILED (exit 1; dpd_alone.log) | | |" in text
    assert "| M: DPD and classification within 1.5x of plain SQL | 1.50x | yes |  |" in text
    assert "the product (in the build) takes 0.4 times pandas's time" in text
