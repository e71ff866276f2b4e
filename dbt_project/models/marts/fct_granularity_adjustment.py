"""Grain: one row per portfolio and as-of date. The Gordy-Lütkebohmert granularity adjustment
(H7) over the obligors of int_ga_obligor_inputs, computed by postloan.granularity."""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    from postloan.granularity import (
        corporate_correlation,
        granularity_adjustment,
        retail_correlation,
    )

    # In obligor order: the sums below are in floating point, so rows arriving in another
    # order (DuckDB does not keep one) could change the last digits between two builds.
    inputs = dbt.ref("int_ga_obligor_inputs").df().sort_values(
        ["portfolio_id", "as_of_date", "borrower_id"], kind="stable")
    minimum = float(dbt.config.get("ga_min_effective_names") or 50)
    rows = []
    for (portfolio_id, as_of_date), book in inputs.groupby(["portfolio_id", "as_of_date"]):
        rho = [retail_correlation(p) if retail else corporate_correlation(p)
               for p, retail in zip(book["pd"], book["is_retail"], strict=True)]
        ga = granularity_adjustment(list(book["ead"]), list(book["pd"]), list(book["elgd"]), rho)
        total = float(book["ead"].sum())
        meaningful = ga.effective_names >= minimum
        rows.append({
            "portfolio_id": portfolio_id,
            "as_of_date": as_of_date,
            "names": ga.names,
            "effective_names": ga.effective_names,
            "total_ead": total,
            "k_star": ga.k_star,
            "ga_full": ga.ga_full,
            "ga_simplified": ga.ga_simplified,
            "capital_add_on": ga.ga_simplified * total,
            "meaningful": meaningful,
            "note": "" if meaningful else (
                f"effective number of names {ga.effective_names:.1f} is below {minimum:g}: the "
                "first-order adjustment is not reliable for so few names"),
        })
    columns = ["portfolio_id", "as_of_date", "names", "effective_names", "total_ead", "k_star",
               "ga_full", "ga_simplified", "capital_add_on", "meaningful", "note"]
    return pd.DataFrame(rows, columns=columns)
