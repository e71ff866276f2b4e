"""The granularity adjustment's arithmetic on the H6/H7 check values."""

from __future__ import annotations

import pytest

from postloan.granularity import (
    capital_k,
    corporate_correlation,
    delta,
    granularity_adjustment,
    maturity_adjustment,
    retail_correlation,
)


def test_h6_irb_check_values():
    rho = corporate_correlation(0.01)
    assert round(rho, 6) == 0.192784
    k = capital_k(0.01, 0.45, rho)
    assert round(k, 6) == 0.058623
    assert round(12.5 * k * maturity_adjustment(0.01, 2.5), 4) == 0.9232  # 92.32%
    assert retail_correlation(0.0) == pytest.approx(0.16)
    assert retail_correlation(1.0) == pytest.approx(0.03, abs=1e-12)


def test_delta_from_the_gamma_quantile():
    assert round(delta(), 4) == 4.8336


def test_h7_vector_1_homogeneous_book():
    n = 1000
    ga = granularity_adjustment([1.0] * n, [0.01] * n, [0.45] * n,
                                [corporate_correlation(0.01)] * n)
    assert (round(ga.k_star, 7), round(ga.ga_full, 7), round(ga.ga_simplified, 7)) == \
        (0.0586227, 0.0012660, 0.0012351)
    # For a homogeneous book the simplified GA is proportional to HHI.
    half = granularity_adjustment([1.0] * (n // 2), [0.01] * (n // 2), [0.45] * (n // 2),
                                  [corporate_correlation(0.01)] * (n // 2))
    assert half.ga_simplified == pytest.approx(2 * ga.ga_simplified, rel=1e-12)


def test_h7_vector_2_one_large_name():
    ead = [50.0] + [1.0] * 200
    pd = [0.02] + [0.01] * 200
    ga = granularity_adjustment(ead, pd, [0.45] * 201, [corporate_correlation(p) for p in pd])
    assert (round(ga.k_star, 6), round(ga.ga_full, 6), round(ga.ga_simplified, 6)) == \
        (0.062221, 0.069689, 0.067405)
    assert round(ga.effective_names) == 23
