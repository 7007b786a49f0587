"""DEPLOYMENT.md: linked from the README, names every seed variable, points only at files that exist, and ends
with the heading under which the container/Kubernetes/CI/monitoring chapters are added."""

import re
from pathlib import Path

import pytest

from tests.core.test_config import SEED_GUIDE, seed_env_block

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "DEPLOYMENT.md"
# Built in parallel by the processes/nginx part of the same issue; may land after this guide.
LANDING_WITH_THE_STACK = {"scripts/stack.sh"}


def text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_readme_links_the_guide() -> None:
    assert "](DEPLOYMENT.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(SEED_GUIDE is None, reason="the seed deployment guide is not in ../shared/seed")
@pytest.mark.parametrize("variable", sorted(seed_env_block()))
def test_every_seed_variable_is_described(variable: str) -> None:
    assert f"`{variable}`" in text()


def test_the_files_it_names_exist() -> None:
    named = set(re.findall(r"(?<![\w/.-])((?:scripts|database|backend)/[\w./-]+\.(?:sh|sql|py))", text()))
    assert {"scripts/backup.sh", "scripts/restore.sh", "database/bootstrap.sql"} <= named
    missing = sorted(path for path in named - LANDING_WITH_THE_STACK if not (ROOT / path).exists())
    assert not missing, missing


def test_the_last_chapter_is_left_for_containers_and_monitoring() -> None:
    headings = re.findall(r"^## (.+)$", text(), flags=re.MULTILINE)
    assert headings[-1] == "コンテナ・Kubernetes・CI/CD・監視"
