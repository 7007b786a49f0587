"""Linters over the deployment files: hadolint (Dockerfile), actionlint (workflows), shellcheck (scripts)."""

from pathlib import Path

import pytest

from tests.deploy.tools import REPO, run, system_tool, venv_tool

SHELL_SCRIPTS = sorted(
    [*REPO.glob("scripts/*.sh"), *REPO.glob("deploy/docker/*.sh")],
)


def test_hadolint_passes_the_dockerfile() -> None:
    output = run(venv_tool("hadolint"), "--no-color", "--config", ".hadolint.yaml", "Dockerfile")
    assert output.strip() == ""


def test_hadolint_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get install curl\n", encoding="utf-8")
    output = run(venv_tool("hadolint"), "--no-color", "--config", ".hadolint.yaml", str(bad), check=False)
    assert "DL3006" in output
    assert "DL3014" in output


def test_actionlint_passes_the_workflows() -> None:
    workflows = sorted(str(path.relative_to(REPO)) for path in (REPO / ".github/workflows").glob("*.yml"))
    assert workflows, "no workflow under .github/workflows"
    shellcheck = system_tool("shellcheck", "shellcheck")
    output = run(venv_tool("actionlint"), "-no-color", "-shellcheck", shellcheck, *workflows)
    assert output.strip() == ""


def test_actionlint_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.issue.title }}\n"
        "      - uses: actions/checkout@v4\n        with: {nonsense: 1}\n",
        encoding="utf-8",
    )
    output = run(venv_tool("actionlint"), "-no-color", "-shellcheck=", str(bad), check=False)
    assert "nonsense" in output
    assert "untrusted" in output


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda path: path.name)
def test_shellcheck_passes_the_scripts(script: Path) -> None:
    run(system_tool("shellcheck", "shellcheck"), "--severity=warning", str(script))
