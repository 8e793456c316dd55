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
