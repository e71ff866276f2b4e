"""The run log beside the published warehouse: one JSON line per build, success or failure.

It lives outside the warehouse file so that a failed or killed build, which never touches the
published file, can still be reported (the dashboard reads it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def runlog_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".runs.jsonl")


def append_run(warehouse: Path, record: dict[str, Any]) -> None:
    """Append one record; a single write of one line so concurrent readers never see half."""
    path = runlog_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_runs(warehouse: Path) -> list[dict[str, Any]]:
    """All complete records, oldest first (a torn last line from a crash is ignored)."""
    path = runlog_path(warehouse)
    if not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return runs

