"""Where things live: the project folder, the dbt project, the default warehouse."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("POSTLOAN_PROJECT_DIR", PACKAGE_DIR.parents[1]))
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
DATA_DIR = PROJECT_DIR / "data"
SOURCES_DIR = DATA_DIR / "sources"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "postloan.duckdb"
DEFAULT_LANDING = PROJECT_DIR / "warehouse" / "landing"
DAGSTER_HOME = PROJECT_DIR / ".dagster"


def warehouse_path() -> Path:
    """The published warehouse file, from POSTLOAN_WAREHOUSE or the project default."""
    return Path(os.environ.get("POSTLOAN_WAREHOUSE", DEFAULT_WAREHOUSE)).resolve()
