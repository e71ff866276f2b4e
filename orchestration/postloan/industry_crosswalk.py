"""NAICS -> GB/T 4754-2017 大类 (division) through the bundled concordances, by a stated rule.

The warehouse files a loan to a borrower with a NAICS code under the GB/T 4754 tree so that one
set of industry limits covers the whole book. The bundled concordances
(``data/sources/industry_reference/crosswalks/``) chain as follows; the rule is the one
recommended in ``docs/data-sources.md`` section 6 and is restated in ``docs/industry-limits.md``:

1. NAICS 2007 -> NAICS 2012 -> NAICS 2017 (Census vintage concordances, read backwards: every
   2017 code that contains a piece of the older code). NAICS 2017 codes start at step 2.
2. NAICS 2017 -> ISIC Rev.4 (Census concordance): every ISIC class linked.
3. ISIC Rev.4 -> GB/T 4754-2017 小类 (the standard's appendix, read backwards): every class linked.
4. The 小类 reached are counted per 大类 (first two digits); the 大类 with the most votes wins, a
   tie going to the lowest code. The 门类 is that 大类's parent in the delivered tree.
5. A reviewed override (``DERIVED_isic4_to_gbt_division_overrides.csv``) sends an ISIC class to a
   大类 outright when the vote is known to be wrong (ISIC 6810, lessors of real estate: the appendix
   links three 土地管理业 classes against two 房地产业 ones, yet a landlord is 7040 房地产租赁经营).
   An overridden ISIC class casts all its votes (one per 小类 it reaches, at least one) for its
   override 大类.

Only six-digit codes are mapped; a code the chain does not reach is left out, and the warehouse
reports its loans as unmapped. The result is the dbt seed ``naics_gbt4754_crosswalk.csv``
(``python -m postloan.industry_crosswalk`` rewrites it; a test checks it is current).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from postloan.paths import SOURCES_DIR

CROSSWALKS = SOURCES_DIR / "industry_reference" / "crosswalks"
SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "naics_gbt4754_crosswalk.csv"
SEED_COLUMNS = ["naics_scheme", "naics_code", "gbt_division", "isic4_codes", "gbt_classes",
                "votes", "rule", "provenance"]


@dataclass(frozen=True)
class CrosswalkRow:
    naics_scheme: str
    naics_code: str
    gbt_division: str
    isic4_codes: tuple[str, ...]
    gbt_classes: tuple[str, ...]
    votes: str  # "70:3 79:2"
    rule: str  # vote | override

    def row(self) -> dict[str, str]:
        return {
            "naics_scheme": self.naics_scheme, "naics_code": self.naics_code,
            "gbt_division": self.gbt_division, "isic4_codes": " ".join(self.isic4_codes),
            "gbt_classes": " ".join(self.gbt_classes), "votes": self.votes, "rule": self.rule,
            "provenance": "derived",
        }


def _links(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        key, value = key.strip(), value.strip()
        if key and value:
            out[key].add(value)
    return out


def map_code(naics2017: set[str], to_isic: Mapping[str, set[str]],
             isic_to_gbt: Mapping[str, set[str]],
             overrides: Mapping[str, str]) -> tuple[str, tuple, tuple, str, str] | None:
    """The 大类 for a set of NAICS 2017 codes: (division, ISIC classes, 小类, votes, rule), or None
    when the chain reaches no 小类 (rule in the module doc)."""
    isic = sorted({i for code in naics2017 for i in to_isic.get(code, ())})
    if not isic:
        return None
    votes: Counter[str] = Counter()
    classes: set[str] = set()
    for i in isic:
        reached = isic_to_gbt.get(i, set())
        classes |= reached
        if i in overrides:
            votes[overrides[i]] += len(reached) or 1
    for g in classes:
        if not any(i in overrides and g in isic_to_gbt.get(i, ()) for i in isic):
            votes[g[:2]] += 1
    if not votes:
        return None
    best = max(votes.values())
    division = min(d for d, n in votes.items() if n == best)
    text = " ".join(f"{d}:{n}" for d, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])))
    rule = "override" if any(i in overrides for i in isic) else "vote"
    return division, tuple(isic), tuple(sorted(classes)), text, rule


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def build(crosswalks: Path = CROSSWALKS) -> list[CrosswalkRow]:
    """Every six-digit NAICS 2007 and 2017 code the chain maps, sorted by scheme and code."""
    n17_to_n12 = _read(crosswalks / "naics2017_to_naics2012_census.csv")
    n12_to_n07 = _read(crosswalks / "naics2012_to_naics2007_census.csv")
    from_2012 = _links((r[2], r[0]) for r in n17_to_n12)   # 2012 code -> 2017 codes
    from_2007 = _links((r[2], r[0]) for r in n12_to_n07)   # 2007 code -> 2012 codes
    to_isic = _links((r[1], r[4]) for r in _read(crosswalks / "naics2017_to_isic4_census.csv")
                     if len(r[1].strip()) == 6)
    isic_to_gbt = _links((r[2], r[0]) for r in _read(crosswalks / "gb2017_to_isic4_GB2ISIC.csv")
                         if len(r[0].strip()) == 4)
    overrides = {r[0].strip(): r[1].strip()
                 for r in _read(crosswalks / "DERIVED_isic4_to_gbt_division_overrides.csv")}
    out = []
    for code in sorted(to_isic):
        found = map_code({code}, to_isic, isic_to_gbt, overrides)
        if found:
            out.append(CrosswalkRow("NAICS 2017", code, *found))
    for code in sorted(from_2007):
        n2017 = {c17 for c12 in from_2007[code] for c17 in from_2012.get(c12, ())}
        found = map_code(n2017, to_isic, isic_to_gbt, overrides)
        if found:
            out.append(CrosswalkRow("NAICS 2007", code, *found))
    return sorted(out, key=lambda m: (m.naics_scheme, m.naics_code))


def write_seed(mappings: list[CrosswalkRow], path: Path = SEED) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, SEED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(m.row() for m in mappings)
    return path


if __name__ == "__main__":
    print(write_seed(build()))
