"""Great Expectations data docs: rendered beside the published warehouse by every build."""

from __future__ import annotations

from pathlib import Path


def docs_root(warehouse: Path) -> Path:
    """The GX project folder of a warehouse: ``<warehouse dir>/<name>.gx/``."""
    return Path(warehouse).with_name(Path(warehouse).stem + ".gx")


def data_docs_index(warehouse: Path) -> Path | None:
    """The data docs' start page, once a build has rendered it."""
    index = docs_root(warehouse) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return index if index.exists() else None
