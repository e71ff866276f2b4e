"""The product's DPD and classification models run alone, one at a time, by ``postloan bench``.

``python -m postloan.bench.alone WAREHOUSE WORK RESULT.json`` copies a published warehouse into
WORK and runs dbt on the copy for the models on the path from the raw rows to the five classes
(``DPD_CLASSIFICATION_MODELS``) and nothing else: one model at a time (dbt with one thread),
DuckDB with the build's settings (2 threads, 4 GB). The yardsticks run alone on the machine; in a
full build dbt runs two models at a time, so a model's time there includes waiting for the
other's core. This gives the product the yardsticks' conditions. Writes as JSON each model's
execution time (dbt's ``run_results.json``), their sum and dbt's wall time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    from postloan.bench import DPD_CLASSIFICATION_MODELS
    from postloan.operations import load_operations
    from postloan.paths import DBT_PROJECT_DIR

    warehouse, work, result_path = Path(argv[0]), Path(argv[1]), Path(argv[2])
    # The copy keeps the warehouse's file name: DuckDB names the catalog after it, and the
    # published views name that catalog.
    folder = work / "dpd_alone"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy, target = folder / warehouse.name, folder / "target"
    shutil.copyfile(warehouse, copy)
    settings = load_operations().duckdb_config(copy)
    env = {**os.environ, "POSTLOAN_BUILD_DB": str(copy), "POSTLOAN_DBT_THREADS": "1",
           "POSTLOAN_DUCKDB_MEMORY": settings["memory_limit"],
           "POSTLOAN_DUCKDB_THREADS": settings["threads"],
           "POSTLOAN_DUCKDB_TEMP": settings["temp_directory"]}
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [dbt, "run", "--select", *DPD_CLASSIFICATION_MODELS, "--project-dir",
               str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path",
               str(target), "--log-path", str(target / "logs")]
    clock = time.perf_counter()
    code = subprocess.call(command, env=env, cwd=DBT_PROJECT_DIR)
    wall = time.perf_counter() - clock
    models: dict[str, float] = {}
    results = target / "run_results.json"
    if code == 0 and results.exists():
        for r in json.loads(results.read_text(encoding="utf-8"))["results"]:
            if r["unique_id"].startswith("model."):  # not the on-run-start hook
                models[r["unique_id"].split(".")[-1]] = r.get("execution_time") or 0.0
    shutil.rmtree(folder, ignore_errors=True)
    complete = code == 0 and set(models) == set(DPD_CLASSIFICATION_MODELS)
    result_path.write_text(json.dumps({
        "success": complete, "seconds": sum(models.values()) if complete else None,
        "dbt_wall_seconds": wall, "models": models}, indent=1), encoding="utf-8")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
