"""ENV_FILE selects the env file (the seed's `.env.production`), and every seed variable does something or is
documented as doing nothing."""

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mnp_chatbot.core import config
from mnp_chatbot.core.config import NO_EFFECT, Environment, MissingEnvFile, Settings, get_settings
from tests.core.test_config import SEED_GUIDE, seed_env_block

PACKAGE = Path(config.__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
STRONG = "k9Qw2xZ-4f1c8e0b7a-Lm3pT6vR8sY1"


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    for name in ("ENV_FILE", "NODE_ENV", "APP_ENV", "ENVIRONMENT", "PORT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def production_file(path: Path, port: int) -> None:
    path.write_text(
        f"NODE_ENV=production\nPORT={port}\nJWT_SECRET={STRONG}1\nSESSION_SECRET={STRONG}2\n"
        f"ENCRYPTION_KEY={STRONG}3\nLOG_LEVEL=warning\n",
        encoding="utf-8",
    )


class TestEnvFile:
    def test_env_file_selects_env_production(
        self, fresh_settings: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (fresh_settings / ".env").write_text("PORT=3100\n", encoding="utf-8")
        production_file(fresh_settings / ".env.production", 3200)
        monkeypatch.setenv("ENV_FILE", ".env.production")
        settings = get_settings()
        assert settings.ENVIRONMENT is Environment.PRODUCTION
        assert settings.PORT == 3200
        assert settings.LOG_LEVEL == "warning"
        assert settings.ENV_FILE == ".env.production"

    def test_bare_settings_read_it_too(self, fresh_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """deploy/gunicorn.conf.py builds `Settings()` itself: the same file is read."""
        production_file(fresh_settings / ".env.production", 3200)
        monkeypatch.setenv("ENV_FILE", ".env.production")
        assert Settings().PORT == 3200
        assert Settings(_env_file=None).PORT == 3000

    def test_default_is_dot_env(self, fresh_settings: Path) -> None:
        (fresh_settings / ".env").write_text("PORT=3100\n", encoding="utf-8")
        production_file(fresh_settings / ".env.production", 3200)
        settings = get_settings()
        assert settings.PORT == 3100
        assert settings.ENVIRONMENT is Environment.DEVELOPMENT
        assert settings.ENV_FILE == ".env"

    def test_no_env_file_at_all_is_development(self, fresh_settings: Path) -> None:
        assert get_settings().ENVIRONMENT is Environment.DEVELOPMENT

    def test_process_environment_wins_over_the_file(
        self, fresh_settings: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        production_file(fresh_settings / ".env.production", 3200)
        monkeypatch.setenv("ENV_FILE", str(fresh_settings / ".env.production"))
        monkeypatch.setenv("PORT", "3300")
        assert get_settings().PORT == 3300

    def test_a_named_file_that_is_missing_is_a_clear_error(
        self, fresh_settings: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ENV_FILE", ".env.prodution")
        with pytest.raises(MissingEnvFile, match=r"ENV_FILE=\.env\.prodution does not exist"):
            get_settings()

    def test_the_cli_reads_the_file_named_by_env_file(self, fresh_settings: Path) -> None:
        production_file(fresh_settings / ".env.production", 3200)
        script = (
            "from mnp_chatbot.core.config import get_settings; "
            "s = get_settings(); print(s.ENVIRONMENT, s.PORT)"
        )
        env = {"ENV_FILE": ".env.production", "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=fresh_settings, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["production", "3200"]


def field_of(variable: str) -> str:
    """The Settings field a seed variable feeds (NODE_ENV feeds ENVIRONMENT)."""
    for name, field in Settings.model_fields.items():
        choices = getattr(field.validation_alias, "choices", ())
        if variable == name or variable in choices:
            return name
    raise AssertionError(f"{variable} is not a setting")


def attributes_read_by_the_package() -> set[str]:
    """Every `x.NAME` attribute read in the package outside core/config.py."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path == Path(config.__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
    return names


@pytest.mark.skipif(SEED_GUIDE is None, reason="the seed deployment guide is not in ../shared/seed")
class TestEverySeedVariable:
    @pytest.mark.parametrize("variable", sorted(seed_env_block()))
    def test_honoured_or_documented_as_having_no_effect(self, variable: str) -> None:
        name = field_of(variable)
        if name in NO_EFFECT:
            readme = (ROOT / "README.md").read_text(encoding="utf-8")
            row = next((line for line in readme.splitlines() if f"`{name}`" in line), "")
            assert "no effect" in row, f"README's settings table must say {name} has no effect"
            return
        # Settings resolves some variables into derived keys (SESSION_SECRET, else a development key).
        derived = {
            "ENVIRONMENT": {"is_production", "ENVIRONMENT"},
            "SESSION_SECRET": {"SESSION_SECRET", "session_key", "rate_limit_key"},
        }
        properties = derived.get(name, {name})
        assert properties & attributes_read_by_the_package(), f"{variable} is read by nothing in the package"

    def test_no_effect_entries_are_seed_variables_or_settings(self) -> None:
        assert set(NO_EFFECT) <= set(Settings.model_fields)
