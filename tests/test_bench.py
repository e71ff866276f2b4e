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
                    "incremental": Measured(80.0, 1_000_000_000, 0, PAYLOAD)}],
                  "postloan bench --sizes L", "2026-12-04T20:00:00+00:00", ("1.0", "2.0"))
    assert "| ingest | 30.0 | 1,000 |" in text  # 30,000 landing rows in 30 s
    assert "| total | 100.0 | 300 |" in text
    assert "Peak memory of the build (process tree): 2.00 GB." in text
    assert "80.0 s, 0.80 of the full build" in text
    assert "| product (dbt models, sum of their times) | 15.00 | 10.00x |" in text
    assert "pandas is not run above 100,000 loans (memory)." in text


def test_tree_rss_counts_this_process():
    assert tree_rss(os.getpid()) > 10_000_000
