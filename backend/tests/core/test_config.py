import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mnp_chatbot.core.config import Environment, Settings
from tests.fixtures.shared import SEED_DIR

SEED_GUIDE = next(SEED_DIR.glob("*.txt"), None) if SEED_DIR.is_dir() else None


def seed_env_block() -> dict[str, str]:
    """The NAME=value lines of the seed guide's `.env.production` heredoc (none without the guide)."""
    if SEED_GUIDE is None:
        return {}
    text = SEED_GUIDE.read_text(encoding="utf-8")
    block = text.split("cat << EOF > .env.production", 1)[1].split("\nEOF", 1)[0]
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", block, flags=re.MULTILINE))


def accepted_names() -> set[str]:
    names = set(Settings.model_fields)
    for field in Settings.model_fields.values():
        choices = getattr(field.validation_alias, "choices", ())
        names.update(choice for choice in choices if isinstance(choice, str))
    return names


@pytest.mark.skipif(SEED_GUIDE is None, reason=f"the seed deployment guide is not in {SEED_DIR}")
class TestSeedVariables:
    def test_seed_block_is_found_and_complete(self) -> None:
        names = seed_env_block()
        assert len(names) == 29
        assert {"NODE_ENV", "DATABASE_URL", "LINE_CHANNEL_SECRET"} <= names.keys()

    @pytest.mark.parametrize("name", sorted(seed_env_block()))
    def test_every_seed_variable_is_a_setting(self, name: str) -> None:
        assert name in accepted_names()

    def test_seed_values_are_read_under_their_names(self, monkeypatch: pytest.MonkeyPatch) -> None:
        values = seed_env_block()
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        for name in ("JWT_SECRET", "SESSION_SECRET", "ENCRYPTION_KEY"):
            monkeypatch.setenv(name, "s3cr3t-" + name.lower() + "-k9Qw2xZ")
        settings = Settings(_env_file=None)
        assert settings.ENVIRONMENT is Environment.PRODUCTION
        assert settings.DATABASE_POOL_MAX == 20
        assert settings.RATE_LIMIT_WINDOW_MS == 900_000
        assert settings.CORS_ORIGIN == ["https://yourdomain.com", "https://www.yourdomain.com"]
        assert settings.MASK_PERSONAL_DATA is True
        assert settings.LOG_PERSONAL_DATA is False
        assert settings.OPENAI_MODEL == "gpt-4"
        assert settings.HTTPS_PORT == 443


class TestProductionSecrets:
    @pytest.mark.parametrize("name", ["JWT_SECRET", "SESSION_SECRET", "ENCRYPTION_KEY"])
    def test_missing_secret_stops_start_up_naming_the_variable(self, name: str) -> None:
        values: dict[str, Any] = {
            "JWT_SECRET": "a" * 32,
            "SESSION_SECRET": "b" * 32,
            "ENCRYPTION_KEY": "c" * 32,
        }
        del values[name]
        with pytest.raises(ValidationError, match=name):
            Settings(_env_file=None, NODE_ENV="production", **values)

    def test_placeholder_secret_is_rejected(self) -> None:
        with pytest.raises(ValidationError, match="JWT_SECRET"):
            Settings(
                _env_file=None,
                NODE_ENV="production",
                JWT_SECRET="$(openssl rand -base64 32)",
                SESSION_SECRET="b" * 32,
                ENCRYPTION_KEY="c" * 32,
            )

    def test_development_needs_no_configuration(self) -> None:
        settings = Settings(_env_file=None)
        assert settings.uses_embedded_database
        assert settings.PORT == 3000

    def test_app_env_is_read_as_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("APP_ENV", "staging")
        assert Settings(_env_file=None).ENVIRONMENT is Environment.STAGING


def test_env_template_lists_every_setting() -> None:
    template = (Path(__file__).resolve().parents[3] / ".env.template").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", template, flags=re.MULTILINE))
    assert set(seed_env_block()) <= listed
    assert {"DATA_DIR", "OPENAI_BASE_URL", "APP_ENV"} <= listed
