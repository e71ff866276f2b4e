"""The landing contract document and the contract the loader enforces say the same thing."""

from __future__ import annotations

from pathlib import Path

from postloan.landing import contract
from postloan.landing.docgen import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "landing-contract.md"


def test_document_tables_match_the_contract():
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, (
        "docs/landing-contract.md is out of date: run "
        "`python -m postloan.landing.docgen docs/landing-contract.md`")


def test_every_column_is_documented_with_its_chinese_headers():
    text = DOC.read_text(encoding="utf-8")
    for entity in contract.ENTITIES:
        assert f"### `{entity.name}`" in text
        for col in entity.columns:
            assert f"| `{col.name}` |" in text
    assert "贷款编号" in text and "应还日期" in text and "实还本金" in text


def test_aliases_are_unambiguous_within_each_entity():
    for entity in contract.ENTITIES:
        seen: dict[str, str] = {}
        for col in entity.columns:
            for spelling in (col.name, *col.aliases):
                key = contract.normalise_header(spelling)
                assert seen.setdefault(key, col.name) == col.name, (entity.name, spelling)
