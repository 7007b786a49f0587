"""The Dockerfile, built with podman and run: non-root, ready against a PostgreSQL on the host, answers a
chat, stops cleanly on SIGTERM within 10 s; no build tools and no trace of the build secret in the image.

The base image (Debian bookworm) is made from Debian's packages by scripts/build-base-image.sh, since base
images cannot be pulled here. The machine's CA bundle is passed as the optional `extra_ca` build secret,
which is what HTTPS to the package registries needs on this machine. Podman runs with runc, explicit ulimits
and the host's network. The build, its duration and the image size are printed (`-s` shows them).
"""

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.deploy.postgres import tcp_postgres
from tests.deploy.tools import REPO, REPORT, run, system_tool
from tests.fixtures.server import free_port

IMAGE = "localhost/mnp-chatbot:test"
BASE_TAG = "localhost/debian:bookworm-slim"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
RUN_OPTIONS = (
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
    "--network",
    "host",
)
SECRETS = {
    "NODE_ENV": "production",
    "JWT_SECRET": "image-test-jwt-secret-0123456789abcdef",
    "SESSION_SECRET": "image-test-session-secret-0123456789ab",
    "ENCRYPTION_KEY": "image-test-encryption-key-0123456789ab",
}


def _podman_runs(podman: str) -> str | None:
    """None when podman can run a container here, else why not."""
    probe = subprocess.run(
        [podman, "run", "--rm", *RUN_OPTIONS, BASE_TAG, "true"], capture_output=True, text=True, check=False
    )
    return None if probe.returncode == 0 else f"podman cannot run a container here: {probe.stderr.strip()}"


@pytest.fixture(scope="module")
def image() -> str:
    podman = system_tool("podman", "podman")
    system_tool("debootstrap", "debootstrap")
    started = time.monotonic()
    REPORT.append(run("bash", "scripts/build-base-image.sh", timeout=900).strip())
    base_seconds = time.monotonic() - started
    reason = _podman_runs(podman)
    if reason is not None:
        pytest.skip(reason)
    command = [podman, "build", "--pull=never", "--format", "docker", *RUN_OPTIONS[:6], "--network", "host"]
    command += ["--build-arg", f"BASE_IMAGE={BASE_TAG}", "-t", IMAGE, "."]
    if CA_BUNDLE.is_file():
        command[2:2] = ["--secret", f"id=extra_ca,src={CA_BUNDLE}"]
    started = time.monotonic()
    run(*command, timeout=1500)
    build_seconds = time.monotonic() - started
    size = int(run(podman, "image", "inspect", "--format", "{{.Size}}", IMAGE).strip())
    REPORT.append(
        f"image {IMAGE}: {size / 1e6:.0f} MB; base image {base_seconds:.0f} s, build {build_seconds:.0f} s"
    )
    return IMAGE


def _podman(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"podman {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def test_image_config(image: str) -> None:
    inspected = json.loads(_podman("image", "inspect", image).stdout)[0]
    config = inspected["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["/usr/bin/tini", "-e", "143", "--"]
    assert config["StopSignal"] == "SIGTERM"
    # exec form, on /health/live (podman shows it beside Config; docker inside it)
    healthcheck = inspected.get("Healthcheck") or config["Healthcheck"]
    assert healthcheck["Test"] == ["CMD", "python", "/app/deploy/docker/healthcheck.py"]
    assert set(config["Volumes"]) == {"/var/lib/mnp-chatbot", "/var/log/mnp-chatbot"}


def test_no_build_tools_and_no_secret_left(image: str) -> None:
    tools = "gcc cc make node npm pip pip3 uv with-build-ca"
    probe = f"for tool in {tools}; do command -v $tool; done; ls -A /run/secrets 2>/dev/null; true"
    found = _podman("run", "--rm", *RUN_OPTIONS, "--entrypoint", "sh", image, "-c", probe).stdout
    assert found.strip() == ""
    history = _podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
    assert "BEGIN CERTIFICATE" not in history
    # with-build-ca's merged bundle and apt configuration lived in /tmp only for their RUN step.
    leftovers = _podman(
        "run", "--rm", *RUN_OPTIONS, "--entrypoint", "sh", image, "-c", "find /tmp /var/tmp -mindepth 1"
    ).stdout
    assert leftovers.split() == []


def test_runs_read_only_answers_and_stops_on_sigterm(image: str) -> None:
    port = free_port()
    with tcp_postgres() as database_url:
        env = [f"--env=DATABASE_URL={database_url}"]
        env += [f"--env={name}={value}" for name, value in SECRETS.items()]
        # Migrations and the knowledge are one-off commands, never a side effect of starting the app.
        _podman(
            "run", "--rm", *RUN_OPTIONS, "--read-only", *env, image, "python", "-m", "mnp_chatbot", "migrate"
        )
        _podman(
            "run", "--rm", *RUN_OPTIONS, "--read-only", *env, image, "python", "-m", "mnp_chatbot", "seed"
        )
        env += [f"--env=PORT={port}", "--env=RETENTION_PURGE_INTERVAL_SECONDS=0"]
        name = f"mnp-image-test-{os.getpid()}"
        _podman("run", "-d", "--name", name, *RUN_OPTIONS, "--read-only", "--cap-drop=ALL", *env, image)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, name)
            user = _podman("exec", name, "id", "-u").stdout.strip()
            assert user == "10001"
            pid1_user = _podman("top", name, "user").stdout.split()[1:]
            assert "root" not in pid1_user
            health = _podman("healthcheck", "run", name, check=False)
            assert health.returncode == 0, health.stdout + health.stderr
            reply = httpx.post(
                f"{base}/api/chat", json={"message": "MNPの転出手数料はいくらですか？"}, timeout=30
            )
            assert reply.status_code == 200, reply.text
            body = reply.json()
            assert body["reply"]["text"]
            assert body["reply"]["mode"] in {"faq", "llm", "clarify", "no_answer", "navigator", "handoff"}
            started = time.monotonic()
            _podman("stop", "--time", "10", name)
            stopped_in = time.monotonic() - started
            state = json.loads(_podman("inspect", name).stdout)[0]["State"]
            REPORT.append(f"image: stopped on SIGTERM in {stopped_in:.1f} s, exit code {state['ExitCode']}")
            assert state["ExitCode"] == 0, _podman("logs", name).stderr[-3000:]
            assert stopped_in < 10
            logs = _podman("logs", name)
            output = logs.stdout + logs.stderr
            assert '"event"' in output  # JSON lines on stdout
            assert "Application shutdown complete" in output, output[-2000:]
        finally:
            _podman("rm", "-f", name, check=False)


def _wait_ready(base: str, name: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready", timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        state = json.loads(_podman("inspect", name).stdout)[0]["State"]
        if not state["Running"]:
            pytest.fail(f"the container exited {state['ExitCode']}:\n{_podman('logs', name).stderr[-3000:]}")
        time.sleep(1)
    pytest.fail(f"/health/ready did not answer 200 in 180 s:\n{_podman('logs', name).stderr[-3000:]}")


def test_dockerfile_is_the_one_tested() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG BASE_IMAGE=debian:bookworm-slim" in text
    assert 'CMD ["python", "-m", "mnp_chatbot", "serve"]' in text
