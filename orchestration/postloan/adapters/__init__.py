"""Adapters that turn the bundled public sources under ``data/sources/`` into landing batches.

Each adapter module exposes ``build_batches(source_dir, out_dir) -> list[Path]``: it reads only its
own folder under ``data/sources/`` and writes one or more batch folders (UTF-8 CSV files plus a
sealed ``manifest.yaml``) under ``out_dir``. Output is deterministic: the same sources give
byte-identical batches. The derivation rules are in each module's docstring and in
``docs/data-sources.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from postloan.adapters import industry, lendingclub, sba

ADAPTERS: dict[str, Callable[[Path, Path], list[Path]]] = {
    "lendingclub_2018q1": lendingclub.build_batches,
    "sba7a_ca": sba.build_batches,
    "industry_reference": industry.build_batches,
}


def build_all(sources_root: Path, out_dir: Path) -> list[Path]:
    """Run every adapter on its folder ``sources_root / <key>``; return all batch folders."""
    folders: list[Path] = []
    for key, build in ADAPTERS.items():
        folders.extend(build(sources_root / key, out_dir))
    return folders
