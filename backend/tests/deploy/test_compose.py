"""docker-compose.production.yml: valid against the Compose specification's JSON schema, and the seed's
defects fixed (pgvector, a Redis password the app uses, one edge nginx, nothing else published, …).

The schema is the Compose specification's `schema/compose-spec.json`, as vendored (with its licence) in the
pinned check-jsonschema wheel (`check_jsonschema/builtin_schemas/vendor/compose-spec.json`).
"""

import json
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.tools import REPO, venv_tool

COMPOSE = REPO / "docker-compose.production.yml"
APPS = ("app1", "app2")


def compose_schema() -> dict[str, Any]:
    text = (resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text(
        "utf-8"
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return document


def test_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = compose_schema()
    assert schema["title"] == "Compose Specification"
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = sorted(validator(schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors)


def test_the_schema_check_can_fail(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["app1"]["depends_on"]["postgres"]["condition"] = "service_ready"
    broken["services"]["nginx"]["portz"] = ["80:80"]
    schema = compose_schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))
    assert len(errors) >= 2


def test_only_the_edge_nginx_publishes_ports(compose: dict[str, Any]) -> None:
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    assert services["nginx"]["ports"] == ["${HTTP_PORT:-80}:80", "${HTTPS_PORT:-443}:443"]
    assert sum(1 for service in services.values() if "nginx" in str(service.get("image", ""))) == 1


def test_two_app_replicas_wait_for_healthy_dependencies_and_the_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in APPS:
        app = services[name]
        assert app["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "db-roles": {"condition": "service_completed_successfully"},
        }
        assert app["read_only"] is True
        assert app["cap_drop"] == ["ALL"]
        assert app["healthcheck"]["test"] == ["CMD", "python", "/app/deploy/docker/healthcheck.py"]
        assert app.get("command") is None  # the image's command: the app, never a migration
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "-m", "mnp_chatbot", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["db-roles"]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["db-roles"]["restart"] == "no"
    nginx = services["nginx"]
    assert nginx["depends_on"] == {name: {"condition": "service_healthy"} for name in APPS}
    for name in ("postgres", "redis", "nginx"):
        assert "test" in services[name]["healthcheck"]


def test_database_has_pgvector_and_redis_a_password_the_app_uses(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "pgvector" in services["postgres"]["image"]
    assert "alpine" not in services["postgres"]["image"]
    assert "requirepass" in " ".join(services["redis"]["command"])
    for name in APPS:
        environment = services[name]["environment"]
        assert environment["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["DATABASE_URL"].startswith("postgresql://mnp_chatbot_app:${APP_DB_PASSWORD:?")
        assert services[name]["env_file"] == ["${ENV_FILE:-.env.production}"]
    assert services["redis"]["environment"]["REDIS_PASSWORD"] == environment["REDIS_PASSWORD"]


def test_named_volumes_only(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith(("${", "./", "/")):
                assert name in ("nginx", "db-roles"), volume
                assert volume.endswith(":ro"), volume  # certificates and roles.sql, read-only
            else:
                assert source in declared, volume


def test_podman_compose_renders_it_with_an_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "compose.env"
    env_file.write_text(
        "DB_PASSWORD=db-secret-for-render\nAPP_DB_PASSWORD=app-secret-for-render\n"
        "REDIS_PASSWORD=redis-secret-for-render\n",
        "utf-8",
    )
    command = [venv_tool("podman-compose"), "-f", str(COMPOSE), "--env-file", str(env_file), "config"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load(done.stdout)
    url = rendered["services"]["app1"]["environment"]["DATABASE_URL"]
    assert url == "postgresql://mnp_chatbot_app:app-secret-for-render@postgres:5432/mnp_chatbot"
    migrate = rendered["services"]["migrate"]["environment"]
    assert (
        migrate["DATABASE_MIGRATION_URL"]
        == "postgresql://mnp_app:db-secret-for-render@postgres:5432/mnp_chatbot"
    )
    roles = rendered["services"]["db-roles"]
    assert roles["environment"]["APP_DB_PASSWORD"] == "app-secret-for-render"
    assert "app-secret-for-render" not in " ".join(roles["command"])  # never on a command line
    missing = subprocess.run(
        [venv_tool("podman-compose"), "-f", str(COMPOSE), "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert missing.returncode != 0
    assert "DB_PASSWORD" in missing.stderr + missing.stdout
