"""The benchmark harness still runs end to end (its smoke mode: tiny sizes, every code path)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT


@pytest.mark.slow
def test_benchmark_smoke_run_writes_every_result(tmp_path: Path) -> None:
    out = tmp_path / "results"
    command = [sys.executable, "benchmarks/run.py", "--smoke", "--out", str(out)]
    if os.environ.get("DBSCAFFOLD_TEST_POSTGRES_URL"):
        command.append("--require-postgres")  # CI provides a server: measure it, never skip
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["DBSCAFFOLD_BENCH_CACHE"] = str(tmp_path / "cache")
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr

    for name in ("latest.md", "latest.json", "latest.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "latest.png").read_bytes().startswith(b"\x89PNG")
    data = json.loads((out / "latest.json").read_text())
    databases = {group["database"] for group in data["results"]["datalayer"]}
    expected = {"sqlite", "postgresql"} if "--require-postgres" in command else {"sqlite"}
    assert expected <= databases
    every_operation = {"add_many", "insert_many", "get", "update", "list", "page"}
    for group in data["results"]["datalayer"]:
        assert {op["name"] for op in group["operations"]} == every_operation, group["database"]
    assert data["results"]["tooling"] is not None
    assert "## Data layer" in (out / "latest.md").read_text()


@pytest.mark.slow
def test_online_migration_smoke_run_measures_both_variants(tmp_path: Path) -> None:
    """Tiny table, the whole path: project, rows, writers, both migrations, the report."""
    if not os.environ.get("DBSCAFFOLD_TEST_POSTGRES_URL"):
        pytest.skip("needs a PostgreSQL server (CI sets DBSCAFFOLD_TEST_POSTGRES_URL)")
    out = tmp_path / "results"
    command = [sys.executable, "benchmarks/online_migration.py", "--smoke", "--out", str(out)]
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr

    data = json.loads((out / "online_migration.json").read_text())
    results = {result["variant"]: result for result in data["results"]}
    assert set(results) == {"online", "plain"}
    for result in results.values():
        assert result["operations"] > 0
        assert result["migration_seconds"] > 0
    online, plain = "\n".join(results["online"]["upgrade"]), "\n".join(results["plain"]["upgrade"])
    assert "online.create_index(" in online
    assert "online.create_foreign_key(" in online
    assert "online.backfill(" in online
    assert "online." not in plain
    assert results["online"]["errors"] == 0
    assert "| online |" in (out / "online_migration.md").read_text()
