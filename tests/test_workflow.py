"""The generated GitHub Actions workflow and Dependabot configuration."""

import json
import re
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Generate, answers_id

ZIZMOR = Path(sysconfig.get_path("scripts")) / "zizmor"

#: The answers the workflow's text depends on.
WORKFLOW_ANSWERS: tuple[dict[str, object], ...] = (
    {},
    {"database": "postgresql"},
    {"database": "postgresql", "pgbouncer": True, "python_version": "3.13"},
)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("answers", WORKFLOW_ANSWERS, ids=answers_id)
def test_zizmor_finds_nothing_in_the_generated_github_directory(
    generate: Generate, answers: dict[str, object]
) -> None:
    github = generate(**answers) / ".github"
    assert (github / "workflows" / "ci.yml").is_file()
    assert (github / "dependabot.yml").is_file()

    audit = subprocess.run(
        # --offline: no GitHub API, no network. --no-config: no configuration file met
        # on the way up from the project can silence an audit. --strict-collection: a
        # file zizmor cannot parse is an error, not a warning and a skipped file.
        [ZIZMOR, "--offline", "--no-config", "--strict-collection", "--format=json", github],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (audit.returncode, json.loads(audit.stdout or "null")) == (0, []), audit.stderr


def test_actions_are_pinned_to_a_commit_with_their_version_beside_it(
    generate: Generate,
) -> None:
    workflow = (generate() / ".github" / "workflows" / "ci.yml").read_text()
    uses = re.findall(r"^\s*- uses: (.*)$", workflow, flags=re.MULTILINE)

    assert uses
    pinned = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+")
    assert [ref for ref in uses if not pinned.fullmatch(ref)] == []


def test_the_workflow_checks_the_project_with_a_read_only_token(generate: Generate) -> None:
    workflow = load(generate() / ".github" / "workflows" / "ci.yml")
    jobs = workflow["jobs"]
    steps = [step for job in jobs.values() for step in job["steps"]]

    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert all("permissions" not in job for job in jobs.values())
    checkouts = [step for step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == len(jobs)
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)
    assert [step["run"] for step in jobs["lint"]["steps"] if "run" in step] == [
        "uv sync",
        "uv run ruff check .",
        "uv run ruff format --check .",
        "uv run mypy",
    ]
    postgresql = jobs["test-postgresql"]
    assert postgresql["services"]["postgres"]["image"] == "postgres:15"
    assert postgresql["env"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert [step["run"] for step in postgresql["steps"] if "run" in step] == [
        "uv sync",
        "uv run --with asyncpg pytest",
        "uv run --with asyncpg alembic upgrade head",
        "uv run --with asyncpg alembic check",
        "uv run --with asyncpg alembic downgrade base",
    ]


def test_dependabot_updates_the_actions_and_the_lock_weekly_after_a_cooldown(
    generate: Generate,
) -> None:
    config = load(generate() / ".github" / "dependabot.yml")
    updates = {update["package-ecosystem"]: update for update in config["updates"]}

    assert config["version"] == 2
    assert sorted(updates) == ["github-actions", "uv"]
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"] == {"interval": "weekly"}
        assert update["cooldown"]["default-days"] >= 7
        # One grouped pull request per ecosystem and week, not one per dependency.
        assert [group["patterns"] for group in update["groups"].values()] == [["*"]]
