"""Wall time of ``dbscaffold add-model`` (no --migration) as a fresh process.

Run by hand: ``uv run python benchmarks/add_model.py [--runs N]``. It generates a
project in a temporary directory, then times N fresh processes that each add a
model (the files are removed between runs), and prints min / median / max.
The target is a median under 0.5 s, interpreter start-up included.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIELDS = ["title:str{200}", "body:text?", "views:int=0", "status:enum:draft:live=draft"]


def time_add_model(project: Path, runs: int) -> list[float]:
    package = project / "src" / "my_service"
    created = [
        package / "models" / "widget.py",
        package / "repositories" / "widget.py",
        project / "tests" / "models" / "test_widget.py",
    ]
    command = [sys.executable, "-m", "dbscaffold", "add-model", "Widget", *FIELDS]
    timings = []
    for _ in range(runs + 1):  # the first run warms the OS cache and Jinja's bytecode cache
        for path in created:
            path.unlink(missing_ok=True)
        start = time.perf_counter()
        subprocess.run(command, cwd=project, check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    return timings[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dbscaffold-bench-"))
    try:
        project = workdir / "project"
        subprocess.run(
            [sys.executable, "-m", "dbscaffold", "new", str(project), "--defaults"],
            check=True,
            capture_output=True,
        )
        timings = time_add_model(project, args.runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"add-model, fresh process, {args.runs} runs after a warm-up:")
    print(
        f"  min {min(timings):.3f} s   median {statistics.median(timings):.3f} s   "
        f"max {max(timings):.3f} s   (target: median < 0.5 s)"
    )


if __name__ == "__main__":
    main()
