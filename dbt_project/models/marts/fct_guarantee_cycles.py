"""Grain: one row per portfolio, as-of date, guarantee circle (担保圈) and member obligor.
Key: (portfolio_id, as_of_date, cycle_id, borrower_id). Circles found by
postloan.guarantee_graph over int_guarantee_edges (guarantor -> borrower of the guaranteed
outstanding loan), which the tests check on two-party, three-party and acyclic graphs."""

import pandas as pd

COLUMNS = ["portfolio_id", "as_of_date", "batch_id", "cycle_id", "cycle_size", "borrower_id",
           "guarantees_given", "guarantees_received", "cycle_edges"]


def model(dbt, session):
    dbt.config(materialized="table")
    from postloan.guarantee_graph import find_circles

    edges = dbt.ref("int_guarantee_edges").df()
    rows = []
    for (portfolio_id, as_of_date, batch_id), book in edges.groupby(
            ["portfolio_id", "as_of_date", "batch_id"]):
        pairs = list(zip(book["guarantor_id"], book["borrower_id"], strict=True))
        for circle in find_circles(pairs):
            edge_text = ", ".join(f"{g}->{b}" for g, b in circle.edges)
            for member in circle.members:
                rows.append({
                    "portfolio_id": portfolio_id,
                    "as_of_date": as_of_date,
                    "batch_id": batch_id,
                    "cycle_id": circle.circle_id,
                    "cycle_size": len(circle.members),
                    "borrower_id": member,
                    "guarantees_given": ", ".join(b for g, b in circle.edges if g == member),
                    "guarantees_received": ", ".join(g for g, b in circle.edges if b == member),
                    "cycle_edges": edge_text,
                })
    # Explicit types, so an empty result (no circle anywhere) still has text and date columns.
    types = {column: "string" for column in COLUMNS}
    types.update({"as_of_date": "datetime64[ns]", "cycle_size": "int64"})
    return pd.DataFrame(rows, columns=COLUMNS).astype(types)
