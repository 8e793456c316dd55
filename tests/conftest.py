"""Fixtures shared by this repository's tests."""

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_copie.plugin import Copie, Result

from tests.helpers import REPO_ROOT, SharedEnvironment, declared_requirements, shared_environment
from tests.installed import InstalledCli, installed_cli

if TYPE_CHECKING:
    from tests.test_generated_projects_postgresql import Databases

#: Answers that make each generated project need every dependency any project can.
_WIDEST_ANSWERS = (
    {"database": "sqlite", "primary_key": "uuid7"},
    {"database": "postgresql", "primary_key": "uuid7"},
)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-copie renders the template named by --template (default "."): make
    # that this repository whatever directory pytest was started from.
    if config.option.template == ".":
        config.option.template = str(REPO_ROOT)


Generate = Callable[..., Path]


@pytest.fixture
def generate(copie: Copie) -> Generate:
    """Copy the template with ``answers`` (the rest default); return the project."""

    def _generate(**answers: Any) -> Path:
        result: Result = copie.copy(extra_answers=answers)
        assert result.exit_code == 0, result.exception
        assert result.project_dir is not None
        return result.project_dir

    return _generate


def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory the whole test run shares (every xdist worker alike)."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers get sibling base dirs: share through their parent.
    return base.parent if base.name.startswith("popen-gw") else base


@pytest.fixture(scope="session")
def dbscaffold(tmp_path_factory: pytest.TempPathFactory) -> InstalledCli:
    """The CLI as users install it: this repository's wheel, built and installed once per run."""
    return installed_cli(session_dir(tmp_path_factory) / "installed-cli")


@pytest.fixture(scope="session")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> SharedEnvironment:
    """The environment generated projects run their tools in (built once per run)."""
    from copier import run_copy

    cache_dir = session_dir(tmp_path_factory) / "shared-env"
    requirements: set[str] = set()
    for index, answers in enumerate(_WIDEST_ANSWERS):
        probe = tmp_path_factory.mktemp(f"requirements-probe-{index}")
        run_copy(
            str(REPO_ROOT),
            str(probe),
            data=dict(answers),
            defaults=True,
            quiet=True,
            vcs_ref="HEAD",
        )
        requirements |= declared_requirements(probe / "pyproject.toml")
    return shared_environment(cache_dir, requirements)


def answers_id(answers: Mapping[str, object]) -> str:
    return ",".join(f"{key}={value}" for key, value in answers.items()) or "defaults"


@pytest.fixture
def databases() -> "Iterator[Databases]":
    """The PostgreSQL databases a test creates (``databases.create()``), dropped after it."""
    from tests.test_generated_projects_postgresql import Databases

    created = Databases()
    yield created
    created.drop_all()
