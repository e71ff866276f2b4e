"""Industry classification trees and public industry indicators as one reference batch.

Portfolio ``industry_reference`` (manifest ``kind: reference``), as of 2026-10-31, currency USD.
Only ``industries`` and ``industry_indicators`` are delivered; every loan entity is declared
absent. The rules:

industries
    * GB/T 4754-2017: every row of the bundled table (门类, 大类, 中类, 小类 as levels 0-3),
      Chinese name, parent code as given. No English names.
    * NAICS 2017: every code of the bundled Census list, 2 to 6 digits, level = digits - 2. The
      sector ranges 31-33, 44-45 and 48-49 are codes of their own at level 0 and are the parents
      of their three-digit subsectors (311 -> 31-33); any longer code's parent is the code less
      its last digit. ``name`` and ``name_en`` both hold the English title.

industry_indicators (all values exactly as published, thousands separators removed)
    * SBA 7(a) charge-off rates (Finance Clearly 2026, CC BY 4.0): per industry, the share of
      loans resolved over FY1992-2026 that were charged off (%), with the resolved and
      charged-off loan counts. The publisher keys industries by NAICS title; the code comes from
      the bundled DERIVED file. Rows whose code was matched to the official title are ``real``;
      the five rows whose code was chosen by hand are ``derived``. The figures cover the whole
      window, so ``period`` is 2026, the last fiscal year in it, and the indicator names carry
      ``fy1992_2026``.
    * US Census Annual Retail Trade Survey (sales, USD million, 1992-2020; cp1252, three title
      rows, dot leaders in the labels, ``r`` = revised, stripped from the year). The table's
      "Retail sales, total" row has no code; it is given the sector code 44-45 and marked
      ``derived``. The two other uncoded aggregates (total excluding motor vehicles, GAFO) have no
      NAICS equivalent and are left out.
    * US Census Service Annual Survey Table 1 (revenue, USD million, 2013-2020; latin-1, three
      title rows): one indicator for all firms and one for employer firms. ``S`` (does not meet
      publication standards) becomes an empty value. The Census aggregate codes 000000 (services
      total), 00000A (selected services total) and 4849y (transportation and warehousing, partly)
      are kept as published; they match no NAICS code.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from postloan.adapters._write import write_batch

PORTFOLIO_ID = "industry_reference"
AS_OF = dt.date(2026, 10, 31)
DELIVERED_AT = "2026-11-01T00:00:00Z"
GBT_FILE = "gbt4754_2017_industry_classification.csv"
NAICS_FILE = "naics_2017_codes.csv"
CHARGEOFF_FILE = "DERIVED_chargeoff_by_industry_with_naics.csv"
RETAIL_FILE = "retail_trade__sales.csv"
SERVICES_FILE = "services__Table1.csv"
GBT = "GB/T 4754-2017"
NAICS = "NAICS 2017"
TITLE_ROWS = 3

CHARGEOFF_SOURCE = ("Finance Clearly (2026), SBA 7(a) Charge-Off Rates by Franchise Brand, "
                    "Industry and State, FY1992-2026 (CC BY 4.0)")
CHARGEOFF_INDICATORS = (
    ("chargeoff_pct", "sba7a_chargeoff_rate_fy1992_2026", "%"),
    ("resolved_loans", "sba7a_resolved_loans_fy1992_2026", "loans"),
    ("charged_off", "sba7a_charged_off_loans_fy1992_2026", "loans"),
)
CHARGEOFF_PERIOD = "2026"
RETAIL_SOURCE = ("US Census Bureau, Annual Retail Trade Survey: Estimated Annual Sales of U.S. "
                 "Retail Firms by Kind of Business, 1992-2020")
RETAIL_TOTAL_LABEL = "Retail sales, total"
RETAIL_TOTAL_CODE = "44-45"
SERVICES_SOURCE = ("US Census Bureau, Service Annual Survey 2020, Table 1: Estimated Revenue "
                   "for Employer and Nonemployer Firms, 2013-2020")
SERVICES_INDICATORS = {
    "Employer and Nonemployer Firms": "service_revenue_all_firms",
    "Employer Firms": "service_revenue_employer_firms",
}
USD_MILLION = "USD million"
SUPPRESSED = {"S"}


def _number(text: str) -> str:
    """A published figure without thousands separators; empty when suppressed or missing."""
    text = text.strip()
    if text in SUPPRESSED or not text:
        return ""
    cleaned = text.replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(f"unexpected figure {text!r}")
    return cleaned


def _label(text: str) -> str:
    """A Census row label without its dot leaders (periods and ellipses) and footnote marks."""
    return re.sub(r"[\s.\u2026]+$", "", text).strip()


def gbt_industries(source_dir: Path) -> list[dict[str, object]]:
    with (source_dir / GBT_FILE).open(encoding="utf-8", newline="") as fh:
        return [{
            "scheme": GBT, "code": row["code"].strip(), "name": row["name"].strip(),
            "parent_code": row["parent_code"].strip(), "level": int(row["level"]),
            "provenance": "real",
        } for row in csv.DictReader(fh)]


def _naics_parent(code: str, ranges: dict[str, str], codes: set[str]) -> str:
    if "-" in code or len(code) == 2:
        return ""
    if len(code) == 3:
        sector = code[:2]
        return sector if sector in codes else ranges[sector]
    return code[:-1]


def naics_industries(source_dir: Path) -> list[dict[str, object]]:
    with (source_dir / NAICS_FILE).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = {row["naics_code"].strip() for row in rows}
    ranges = {}
    for code in codes:
        if "-" in code:
            low, high = code.split("-")
            for sector in range(int(low), int(high) + 1):
                ranges[str(sector)] = code
    out = []
    for row in rows:
        code = row["naics_code"].strip()
        digits = 2 if "-" in code else len(code)
        out.append({
            "scheme": NAICS, "code": code, "name": row["title"].strip(),
            "name_en": row["title"].strip(), "parent_code": _naics_parent(code, ranges, codes),
            "level": digits - 2, "provenance": "real",
        })
    return out


def chargeoff_indicators(source_dir: Path) -> list[dict[str, object]]:
    out = []
    with (source_dir / CHARGEOFF_FILE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            provenance = "real" if row["naics2017_match"].strip() == "exact_title" else "derived"
            for column, indicator, unit in CHARGEOFF_INDICATORS:
                out.append({
                    "scheme": NAICS, "code": row["naics2017_guess"].strip(),
                    "period": CHARGEOFF_PERIOD, "indicator": indicator,
                    "value": _number(row[column]), "unit": unit, "source": CHARGEOFF_SOURCE,
                    "provenance": provenance,
                })
    return out


def _census_rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a Census table, after its title rows, up to its first blank
    row (the footnotes follow that)."""
    with path.open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    body = rows[TITLE_ROWS:]
    if body and not any(c.strip() for c in body[0]):
        body = body[1:]
    header, data = body[0], []
    for row in body[1:]:
        if not any(c.strip() for c in row) or row[0].strip().lower().startswith("footnote"):
            break
        data.append(row)
    return header, data


def retail_indicators(source_dir: Path) -> list[dict[str, object]]:
    header, data = _census_rows(source_dir / RETAIL_FILE, "cp1252")
    years = [(j, h.strip().rstrip("r")) for j, h in enumerate(header)
             if re.fullmatch(r"\d{4}r?", h.strip())]
    out = []
    for row in data:
        code, label = row[0].strip(), row[1]
        provenance = "real"
        if not code:
            if _label(label) != RETAIL_TOTAL_LABEL:
                continue
            code, provenance = RETAIL_TOTAL_CODE, "derived"
        for j, year in years:
            out.append({
                "scheme": NAICS, "code": code, "period": year, "indicator": "retail_sales",
                "value": _number(row[j]), "unit": USD_MILLION, "source": RETAIL_SOURCE,
                "provenance": provenance,
            })
    return out


def services_indicators(source_dir: Path) -> list[dict[str, object]]:
    header, data = _census_rows(source_dir / SERVICES_FILE, "latin-1")
    years = [(j, h.split()[0]) for j, h in enumerate(header)
             if re.fullmatch(r"\d{4} Estimate", h.strip())]
    status_col = header.index("Employer Status")
    out = []
    for row in data:
        indicator = SERVICES_INDICATORS[row[status_col].strip()]
        for j, year in years:
            out.append({
                "scheme": NAICS, "code": row[0].strip(), "period": year, "indicator": indicator,
                "value": _number(row[j]), "unit": USD_MILLION, "source": SERVICES_SOURCE,
                "provenance": "real",
            })
    return out


def build_batches(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write the reference batch under ``out_dir`` and return its folder."""
    industries = gbt_industries(source_dir) + naics_industries(source_dir)
    indicators = (chargeoff_indicators(source_dir) + retail_indicators(source_dir)
                  + services_indicators(source_dir))
    header = {
        "portfolio_id": PORTFOLIO_ID,
        "portfolio_name": "Industry classifications and public industry indicators",
        "kind": "reference",
        "as_of": AS_OF.isoformat(),
        "currency": "USD",
        "provenance": "real",
        "delivered_at": DELIVERED_AT,
        "notes": (
            "Reference data, not a loan book. Real: GB/T 4754-2017 and NAICS 2017 code lists, "
            "SBA 7(a) charge-off rates (Finance Clearly 2026, CC BY 4.0), US Census retail "
            "sales and service revenue (USD million; S = suppressed, left empty). Derived: "
            "NAICS codes chosen by hand for five charge-off industries, and the 44-45 code "
            "given to the retail total. Rules: docs/data-sources.md."
        ),
    }
    reason = "Reference batch: industry classifications and indicators only, no loan book."
    absent = {name: reason for name in (
        "borrowers", "loans", "repayment_schedule", "payments", "loan_events", "collateral",
        "guarantees", "industry_limits")}
    absent["industry_limits"] = ("Industry limits are the bank's own decisions; no public "
                                 "source publishes them.")
    folder = out_dir / PORTFOLIO_ID / AS_OF.isoformat()
    return [write_batch(folder, header, {"industries": industries,
                                         "industry_indicators": indicators}, absent)]
