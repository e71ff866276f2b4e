"""Small builders for hand-written landing batches used across tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from postloan.landing.contract import ENTITY_BY_NAME
from postloan.landing.manifest import seal


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_manifest(folder: Path, *, portfolio_id: str = "demo", as_of: str = "2024-06-30",
                   currency: str = "CNY", provenance: str = "synthetic",
                   files: dict[str, Any] | None = None, delivered_at: str | None = None,
                   **extra: Any) -> Path:
    """A manifest declaring every entity not in ``files`` absent, then sealed."""
    files = files or {}
    data: dict[str, Any] = {
        "portfolio_id": portfolio_id, "as_of": as_of, "currency": currency,
        "provenance": provenance,
        "absent": {e: "not part of this test" for e in ENTITY_BY_NAME if e not in files},
        "files": files,
        **extra,
    }
    if delivered_at:
        data["delivered_at"] = delivered_at
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                          encoding="utf-8")
    seal(folder)
    return folder
