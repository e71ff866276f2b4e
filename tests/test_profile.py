"""The dbt profile gives DuckDB its temporary directory once, when the database is opened.

dbt-duckdb SETs every `settings` entry again on each cursor it opens, and DuckDB refuses to set
the temporary directory (even to the same folder) once a query has spilled to it. A build whose
data did not fit in memory (the demonstration bank at 1,000,000 loans) failed in dbt so:
"Cannot switch temporary directory after the current one has been used".
"""

from __future__ import annotations

import duckdb
import pytest
import yaml

from postloan.paths import DBT_PROJECT_DIR


def test_duckdb_refuses_to_set_a_used_temporary_directory_again(tmp_path):
    spill = tmp_path / "spill"
    con = duckdb.connect(str(tmp_path / "x.duckdb"),
                         config={"temp_directory": str(spill), "memory_limit": "64MB",
                                 "threads": 1})
    con.execute("create table t as select range as i, md5(range::varchar) as s "
                "from range(2000000) order by s")
    assert spill.exists()
    with pytest.raises(duckdb.NotImplementedException, match="temporary directory"):
        con.cursor().execute("set temp_directory = ?", [str(spill)])


def test_the_build_profile_opens_the_temporary_directory_once():
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    build = profiles["postloan"]["outputs"]["build"]
    assert "temp_directory" in build["config_options"]
    assert "temp_directory" not in build["settings"]
