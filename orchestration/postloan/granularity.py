"""The Gordy-Lütkebohmert granularity adjustment for name concentration (domain rules H6, H7).

Pure functions over obligor inputs (EAD, PD, expected LGD, asset correlation), used by the dbt
model `fct_granularity_adjustment`. The normal distribution comes from the standard library;
the gamma quantile behind δ is computed here (bisection on the regularised incomplete gamma
function), so no scientific library is needed at run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

NORMAL = NormalDist()
CONFIDENCE = 0.999
GAMMA_LGD = 0.25   # VLGD² = γ · ELGD (1 − ELGD)
XI = 0.25          # precision of the systematic factor's gamma distribution


def corporate_correlation(pd: float) -> float:
    """Basel corporate asset correlation (H6)."""
    w = (1 - math.exp(-50 * pd)) / (1 - math.exp(-50))
    return 0.12 * w + 0.24 * (1 - w)


def retail_correlation(pd: float) -> float:
    """Basel 'other retail' asset correlation (H6, k = 35)."""
    w = (1 - math.exp(-35 * pd)) / (1 - math.exp(-35))
    return 0.03 * w + 0.16 * (1 - w)


def capital_k(pd: float, elgd: float, rho: float) -> float:
    """Unexpected-loss capital per unit of EAD, without maturity adjustment (H6)."""
    z = (NORMAL.inv_cdf(pd) + math.sqrt(rho) * NORMAL.inv_cdf(CONFIDENCE)) / math.sqrt(1 - rho)
    return elgd * (NORMAL.cdf(z) - pd)


def maturity_adjustment(pd: float, maturity_years: float) -> float:
    """Basel maturity adjustment (H6): (1 + (M - 2.5) b) / (1 - 1.5 b)."""
    b = (0.11852 - 0.05478 * math.log(pd)) ** 2
    return (1 + (maturity_years - 2.5) * b) / (1 - 1.5 * b)


def _lower_regularised_gamma(a: float, x: float) -> float:
    """P(a, x) by its series (x < a + 1) or through Q(a, x)'s continued fraction."""
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = 0
        while abs(term) > abs(total) * 1e-16 and n < 10_000:
            n += 1
            term *= x / (a + n)
            total += term
        return total * math.exp(log_front)
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-16:
            break
    return 1.0 - math.exp(log_front) * h


def gamma_quantile(p: float, shape: float, scale: float) -> float:
    """The p-quantile of a gamma distribution (bisection to machine precision)."""
    low, high = 0.0, shape * scale
    while _lower_regularised_gamma(shape, high / scale) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if _lower_regularised_gamma(shape, mid / scale) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def delta(xi: float = XI, alpha: float = CONFIDENCE) -> float:
    """δ = (q_α(X) − 1)(ξ + (1 − ξ)/q_α(X)), X ~ Gamma(mean 1, variance 1/ξ) (H7)."""
    q = gamma_quantile(alpha, xi, 1 / xi)
    return (q - 1) * (xi + (1 - xi) / q)


@dataclass(frozen=True)
class GranularityAdjustment:
    names: int
    effective_names: float
    k_star: float
    ga_full: float
    ga_simplified: float


def granularity_adjustment(ead: Sequence[float], pd: Sequence[float], elgd: Sequence[float],
                           rho: Sequence[float]) -> GranularityAdjustment:
    """GA as a fraction of total EAD, full and simplified forms (H7), one entry per obligor
    (connected exposures already aggregated)."""
    total = sum(ead)
    d = delta()
    shares = [e / total for e in ead]
    k = [capital_k(p, g, r) for p, g, r in zip(pd, elgd, rho, strict=True)]
    r_el = [g * p for p, g in zip(pd, elgd, strict=True)]
    vlgd2 = [GAMMA_LGD * g * (1 - g) for g in elgd]
    c = [(g * g + v) / g for g, v in zip(elgd, vlgd2, strict=True)]
    k_star = sum(s * ki for s, ki in zip(shares, k, strict=True))
    full = simplified = 0.0
    for s, ki, ri, ci, vi, gi in zip(shares, k, r_el, c, vlgd2, elgd, strict=True):
        ratio = vi / (gi * gi)
        full += s * s * (d * ci * (ki + ri) + d * (ki + ri) ** 2 * ratio
                         - ki * (ci + 2 * (ki + ri) * ratio))
        simplified += s * s * ci * (d * (ki + ri) - ki)
    hhi = sum(s * s for s in shares)
    return GranularityAdjustment(len(ead), 1 / hhi, k_star, full / (2 * k_star),
                                 simplified / (2 * k_star))
