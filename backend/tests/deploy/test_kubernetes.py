"""k8s/: both overlays render with `kubectl kustomize` and every manifest (and the Secret example) passes
kubernetes-validate --strict offline; the seed's defects stay fixed."""

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from mnp_chatbot.core.config import Settings
from tests.deploy.tools import REPO, run, system_tool, venv_tool

OVERLAYS = ("staging", "production")


def render(overlay: str) -> str:
    return run(system_tool("kubectl", "kubernetes-client"), "kustomize", f"k8s/overlays/{overlay}")


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    overlay: str = request.param
    path = tmp_path_factory.mktemp("k8s") / f"{overlay}.yaml"
    path.write_text(render(overlay), encoding="utf-8")
    return overlay, path


def documents(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        found[(document["kind"], document["metadata"]["name"])] = document
    return found


def test_every_manifest_passes_kubernetes_validate(rendered: tuple[str, Path]) -> None:
    _, path = rendered
    output = run(venv_tool("kubernetes-validate"), "--strict", "--quiet", str(path))
    assert "fail" not in output.lower(), output
    assert "error" not in output.lower(), output
    assert len(documents(path)) == 14


def test_the_secret_example_passes_and_names_every_secret_the_app_reads() -> None:
    example = REPO / "k8s/base/secret.example.yaml"
    run(venv_tool("kubernetes-validate"), "--strict", "--quiet", str(example))
    keys = set(yaml.safe_load(example.read_text(encoding="utf-8"))["stringData"])
    secret_settings = {
        name for name, field in Settings.model_fields.items() if field.annotation == SecretStr | None
    }
    assert secret_settings <= keys, secret_settings - keys
    assert {"DATABASE_URL", "REDIS_URL"} <= keys
    migration = REPO / "k8s/base/migration-secret.example.yaml"
    run(venv_tool("kubernetes-validate"), "--strict", "--quiet", str(migration))
    owner_keys = set(yaml.safe_load(migration.read_text(encoding="utf-8"))["stringData"])
    assert owner_keys == {"DATABASE_MIGRATION_URL"}


def test_validation_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: two\n"
        "  selector: {matchLabels: {a: b}}\n"
        "  template: {metadata: {labels: {a: b}}, spec: {containers: []}}\n",
        encoding="utf-8",
    )
    output = run(venv_tool("kubernetes-validate"), "--strict", str(bad), check=False)
    assert "replicas" in output


def test_deployment_probes_security_and_spread(rendered: tuple[str, Path]) -> None:
    overlay, path = rendered
    found = documents(path)
    namespace = "mnp-chatbot" if overlay == "production" else "mnp-chatbot-staging"
    assert all(doc["metadata"].get("namespace", namespace) == namespace for doc in found.values())
    pod = found[("Deployment", "mnp-chatbot")]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
    assert container["resources"]["limits"]
    assert container["resources"]["requests"]
    assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
    }
    assert container["image"].startswith("registry.example.jp/mnp-chatbot:")
    assert {"secretRef": {"name": "mnp-chatbot-secrets"}} in container["envFrom"]
    job = found[("Job", "mnp-chatbot-migrate")]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["python", "-m", "mnp_chatbot", "migrate"]
    assert job["image"] == container["image"]
    assert "command" not in container  # the app never migrates on start
    # Only the migration Job reads the tables' owner; the app connects as the runtime login of roles.sql.
    migration_secret = {"secretRef": {"name": "mnp-chatbot-migration-secrets"}}
    assert migration_secret in job["envFrom"]
    assert migration_secret not in container["envFrom"]


def test_socketio_ingress_is_sticky_with_websocket_timeouts(rendered: tuple[str, Path]) -> None:
    _, path = rendered
    found = documents(path)
    socketio = found[("Ingress", "mnp-chatbot-socketio")]
    annotations = socketio["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) > 45
    path_rule = socketio["spec"]["rules"][0]["http"]["paths"][0]
    assert path_rule["path"] == "/socket.io/"
    assert path_rule["backend"]["service"]["name"] == "mnp-chatbot"  # the app, not a front-end server
    main = found[("Ingress", "mnp-chatbot")]
    assert main["metadata"]["annotations"]["cert-manager.io/cluster-issuer"].startswith("letsencrypt-")
    assert main["spec"]["tls"][0]["secretName"] == "mnp-chatbot-tls"
    kinds = {kind for kind, _ in found}
    assert {"HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Namespace"} <= kinds


def test_deploy_script_renders_the_release_with_the_commit_tag(tmp_path: Path) -> None:
    system_tool("kubectl", "kubernetes-client")
    done = subprocess.run(
        ["bash", "scripts/deploy.sh", "k8s-render", "staging", "0123abcd"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "IMAGE_REPOSITORY": "registry.example.jp/team/mnp-chatbot"},
    )
    assert done.returncode == 0, done.stderr
    path = tmp_path / "release.yaml"
    path.write_text(done.stdout, encoding="utf-8")
    run(venv_tool("kubernetes-validate"), "--strict", "--quiet", str(path))
    found = documents(path)
    images = {
        container["image"]
        for kind, name in (("Deployment", "mnp-chatbot"), ("Job", "mnp-chatbot-migrate"))
        for container in found[(kind, name)]["spec"]["template"]["spec"]["containers"]
    }
    assert images == {"registry.example.jp/team/mnp-chatbot:0123abcd"}
