"""What the demonstration bank is calibrated to, read from the bundled public data.

Everything here comes from ``data/sources/`` (read at generation time, so the calibration moves
with the data) or is a stated parameter of the generator ([P]: a design choice, documented in
``docs/demo-bank.md``):

* LendingClub 2018 Q1 (``lendingclub_2018q1/loans_full_schema.csv``): the joint distribution of
  grade, loan amount, term and interest rate of retail consumer loans (each synthetic retail loan
  copies one real row, drawn with replacement), and the delinquency share per grade: loans In
  Grace Period, Late or Charged Off / all loans of the grade. The shares, relative to the
  book-wide share, scale the default probability of a borrower of that grade.
* SBA 7(a) charge-off rates by industry (``industry_reference/DERIVED_chargeoff_by_industry_
  with_naics.csv``), taken to GB/T 4754-2017 sections through the bundled crosswalks (NAICS 2017
  -> ISIC 4 -> GB/T 4754-2017): the loan-weighted charge-off rate of each section, relative to the
  all-industry rate, scales the default probability of corporate and SME borrowers in it.
* GB/T 4754-2017 (``industry_reference/gbt4754_2017_industry_classification.csv``): the 小类
  (level 3) codes borrowers are given, and their 门类 (level 0) and 大类 (level 1) parents.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

LC_FILE = Path("lendingclub_2018q1") / "loans_full_schema.csv"
SBA_FILE = Path("industry_reference") / "DERIVED_chargeoff_by_industry_with_naics.csv"
GBT_FILE = Path("industry_reference") / "gbt4754_2017_industry_classification.csv"
NAICS_ISIC = Path("industry_reference") / "crosswalks" / "naics2017_to_isic4_census.csv"
GB_ISIC = Path("industry_reference") / "crosswalks" / "gb2017_to_isic4_GB2ISIC.csv"
GRADES = ("A", "B", "C", "D", "E", "F", "G")
DELINQUENT = ("In Grace Period", "Late (16-30 days)", "Late (31-120 days)", "Charged Off")

# [P] Share of corporate and SME lending by GB/T 4754 section (门类), roughly the structure of
# Chinese banks' corporate loans (PBOC loan statistics by industry, rounded): manufacturing,
# leasing and business services, transport, wholesale and retail, real estate, utilities,
# water and environment, construction lead. Sections not listed get a small equal share.
SECTION_WEIGHTS = {
    "C": 0.20, "L": 0.15, "G": 0.11, "F": 0.10, "K": 0.09, "D": 0.08, "N": 0.08,
    "E": 0.06, "A": 0.03, "I": 0.02, "H": 0.02, "M": 0.01, "B": 0.01,
}
OTHER_SECTION_WEIGHT = 0.005


@dataclass(frozen=True)
class RetailSample:
    """The real LendingClub rows a retail consumer loan copies: grade index 0-6, sub-grade
    1-5, amount in USD cents, term in months, rate in hundredths of a percent."""

    grade: np.ndarray
    sub_grade: np.ndarray
    amount_cents: np.ndarray
    term: np.ndarray
    rate_bp: np.ndarray


@dataclass(frozen=True)
class Calibration:
    retail: RetailSample
    grade_delinquency: dict[str, Decimal]  # share of delinquent loans per grade (LendingClub)
    grade_relative: np.ndarray  # per grade index: delinquency share / book-wide share
    section_relative: dict[str, float]  # GB/T 4754 section -> SBA charge-off rate / overall
    section_chargeoff: dict[str, Decimal]  # the loan-weighted charge-off rate (%) per section
    classes: dict[str, np.ndarray] = field(default_factory=dict)  # section -> its 小类 codes
    section_weights: dict[str, float] = field(default_factory=dict)
    divisions: dict[str, str] = field(default_factory=dict)  # 小类 -> 大类
    names: dict[str, str] = field(default_factory=dict)  # code -> Chinese name


def _lendingclub(path: Path) -> tuple[RetailSample, dict[str, Decimal], np.ndarray]:
    grade, sub, amount, term, rate, bad = [], [], [], [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            grade.append(GRADES.index(row["grade"].strip()))
            sub.append(int(row["sub_grade"].strip()[1:]))
            amount.append(int(Decimal(row["loan_amount"]) * 100))
            term.append(int(row["term"]))
            rate.append(int(Decimal(row["interest_rate"]) * 100))
            bad.append(row["loan_status"].strip() in DELINQUENT)
    g = np.array(grade, dtype=np.int64)
    b = np.array(bad, dtype=bool)
    shares = {}
    relative = np.ones(len(GRADES))
    overall = b.mean()
    for i, name in enumerate(GRADES):
        members = b[g == i]
        share = Decimal(int(members.sum())) / Decimal(len(members)) if len(members) else Decimal(0)
        shares[name] = share
        # Few F and G loans: their shares are noisy but still the data's own ordering.
        relative[i] = float(share) / overall if overall else 1.0
    sample = RetailSample(g, np.array(sub), np.array(amount, dtype=np.int64),
                          np.array(term, dtype=np.int64), np.array(rate, dtype=np.int64))
    return sample, shares, relative


def _gbt(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str], dict[str, str]]:
    classes: dict[str, list[str]] = {}
    divisions: dict[str, str] = {}
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].strip()
            names[code] = row["name"].strip()
            parents[code] = row["parent_code"].strip()
            if row["level"].strip() == "3":
                classes.setdefault(row["section"].strip(), []).append(code)
    for codes in classes.values():
        for code in codes:
            divisions[code] = parents[parents[code]]
    return ({k: np.array(sorted(v)) for k, v in sorted(classes.items())}, divisions, names)


def _sections_by_isic(sources: Path) -> dict[str, str]:
    """ISIC 4 class -> the GB/T 4754 section of the first GB/T class mapped to it."""
    out: dict[str, str] = {}
    section = ""
    with (sources / GB_ISIC).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["GB"].strip()
            if code.isalpha():
                section = code
            isic = row["isic4"].strip()
            if isic and isic not in out:
                out[isic] = section
    return out


def _industry(sources: Path) -> tuple[dict[str, float], dict[str, Decimal]]:
    isic_section = _sections_by_isic(sources)
    naics_isic: dict[str, str] = {}
    with (sources / NAICS_ISIC).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            naics_isic.setdefault(row["naics2017"].strip(), row["isic4"].strip())
    resolved: dict[str, int] = {}
    charged: dict[str, int] = {}
    total_r = total_c = 0
    with (sources / SBA_FILE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            r, co = int(row["resolved_loans"]), int(row["charged_off"])
            total_r += r
            total_c += co
            section = isic_section.get(naics_isic.get(row["naics2017_guess"].strip(), ""))
            if section:
                resolved[section] = resolved.get(section, 0) + r
                charged[section] = charged.get(section, 0) + co
    overall = total_c / total_r
    relative = {s: (charged[s] / resolved[s]) / overall for s in sorted(resolved)}
    rates = {s: (Decimal(charged[s] * 100) / Decimal(resolved[s])).quantize(Decimal("0.1"))
             for s in sorted(resolved)}
    return relative, rates


def load(sources: Path) -> Calibration:
    retail, shares, relative = _lendingclub(sources / LC_FILE)
    section_relative, section_rates = _industry(sources)
    classes, divisions, names = _gbt(sources / GBT_FILE)
    weights = {s: SECTION_WEIGHTS.get(s, OTHER_SECTION_WEIGHT) for s in classes}
    total = sum(weights.values())
    return Calibration(
        retail=retail, grade_delinquency=shares, grade_relative=relative,
        section_relative=section_relative, section_chargeoff=section_rates, classes=classes,
        section_weights={s: w / total for s, w in weights.items()}, divisions=divisions,
        names=names,
    )
