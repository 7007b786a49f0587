"""scripts/production-readiness-check.sh (`mnp-chatbot check-production`): a ready configuration passes every
check; a misconfigured one fails, one line per failure, and exits non-zero. Real PostgreSQL (the machine's,
through the role made by bootstrap.sql), a real Redis with a password started here, a self-signed certificate
and the local OpenAI server."""

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mnp_chatbot.operations.readiness import disk_verdict, memory_verdict, secret_problem
from tests.fixtures.database import admin_execute
from tests.fixtures.openai_server import FakeOpenAI
from tests.production.conftest import unique
from tests.production.test_bootstrap_sql import Bootstrapped, bootstrap

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "production-readiness-check.sh"
CLI = Path(sys.executable).parent / "mnp-chatbot"
REDIS_PASSWORD = "rP4s-9x7Q2w-Lm3pT6vR8sY1-zZ0"
SECRETS = {
    "JWT_SECRET": "jW4t-k9Qw2xZ-4f1c8e0b7a-Lm3pT6vR8sY1",
    "SESSION_SECRET": "sE5s-k9Qw2xZ-4f1c8e0b7a-Lm3pT6vR8sY2",
    "ENCRYPTION_KEY": "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def redis_with_password() -> Iterator[str]:
    """A redis-server of this test's own, on a free port, with requirepass."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (the tests' Redis is required)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--requirepass", REDIS_PASSWORD], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def certificate(path: Path, days: float) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chat.example.jp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture
async def migrated(machine_server_url: str, tmp_path: Path) -> AsyncIterator[Bootstrapped]:
    db = Bootstrapped(machine_server_url, unique("mnp_ready"))
    assert bootstrap(machine_server_url, db.name).returncode == 0
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db.app_url().replace("+asyncpg", "")}
    done = subprocess.run([str(CLI), "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    yield db
    await admin_execute(
        machine_server_url,
        f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)',
        f'DROP ROLE IF EXISTS "{db.name}"',
    )


def env_file(directory: Path, values: dict[str, str]) -> None:
    lines = [f"{name}={value}" for name, value in values.items()]
    (directory / ".env.production").write_text("\n".join(lines) + "\n", encoding="utf-8")


def ready_values(db: Bootstrapped, redis_url: str, openai: FakeOpenAI, cert: Path) -> dict[str, str]:
    return {
        "NODE_ENV": "production",
        "DATABASE_URL": db.app_url().replace("+asyncpg", ""),
        "REDIS_URL": redis_url,
        "REDIS_PASSWORD": REDIS_PASSWORD,
        **SECRETS,
        "OPENAI_API_KEY": "sk-test-k9Qw2xZ4f1c8e0b7a",
        "OPENAI_BASE_URL": openai.url,
        "CORS_ORIGIN": "https://chat.example.jp",
        "SSL_CERT_PATH": str(cert),
        "ENABLE_AUDIT_LOGS": "true",
        "DATA_RETENTION_DAYS": "30",
    }


def check(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "ENV_FILE": ".env.production"}
    return subprocess.run([str(SCRIPT), *args], env=env, cwd=directory, capture_output=True, text=True)


class TestReadinessCheck:
    async def test_a_ready_server_passes_every_check(
        self, migrated: Bootstrapped, redis_with_password: str, openai_server: FakeOpenAI, tmp_path: Path
    ) -> None:
        cert = certificate(tmp_path / "fullchain.pem", days=60)
        env_file(tmp_path, ready_values(migrated, redis_with_password, openai_server, cert))
        done = check(tmp_path, "--json")
        report = json.loads(done.stdout)
        failed = [c for c in report["checks"] if not c["ok"]]
        assert done.returncode == 0, failed
        assert report["ok"] is True
        assert report["envFile"] == ".env.production"
        names = [c["name"] for c in report["checks"]]
        assert names == [
            *("environment", "secrets", "database", "redis", "cors", "tls"),
            *("disk", "memory", "llm", "retention-audit"),
        ]
        assert openai_server.chat_requests(), "the LLM endpoint was asked"
        text = check(tmp_path)
        assert text.returncode == 0
        assert text.stdout.strip().splitlines()[-1] == "ready for production"

    async def test_a_misconfigured_server_fails_with_one_line_per_problem(
        self, machine_server_url: str, openai_server: FakeOpenAI, tmp_path: Path
    ) -> None:
        fresh = Bootstrapped(machine_server_url, unique("mnp_ready"))
        assert bootstrap(machine_server_url, fresh.name).returncode == 0  # bootstrapped, never migrated
        try:
            cert = certificate(tmp_path / "fullchain.pem", days=5)
            env_file(
                tmp_path,
                {
                    "NODE_ENV": "production",
                    "DATABASE_URL": fresh.app_url().replace("+asyncpg", ""),
                    "REDIS_URL": "redis://127.0.0.1:6379/4",
                    "JWT_SECRET": "mnp-chatbot-development-session-key",
                    "SESSION_SECRET": "short-K9q",
                    "ENCRYPTION_KEY": "your-encryption-key",
                    "OPENAI_API_KEY": "sk-test-k9Qw2xZ4f1c8e0b7a",
                    "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
                    "CORS_ORIGIN": "*",
                    "SSL_CERT_PATH": str(cert),
                    "ENABLE_AUDIT_LOGS": "false",
                    "RETENTION_PURGE_INTERVAL_SECONDS": "0",
                },
            )
            done = check(tmp_path)
        finally:
            await admin_execute(
                machine_server_url,
                f'DROP DATABASE IF EXISTS "{fresh.name}" WITH (FORCE)',
                f'DROP ROLE IF EXISTS "{fresh.name}"',
            )
        assert done.returncode == 1
        lines = {line.split(":", 1)[0]: line for line in done.stdout.strip().splitlines()[:-1]}
        assert lines["FAIL settings"].endswith(
            "ENCRYPTION_KEY must be set to a real secret when NODE_ENV=production"
        )
        assert "PASS environment" in lines
        secrets = lines["FAIL secrets"]
        assert "JWT_SECRET is the development key" in secrets
        assert "SESSION_SECRET has 9 characters, fewer than 32" in secrets
        assert "ENCRYPTION_KEY is still a placeholder" in secrets
        assert "migrations at none, not at head" in lines["FAIL database"]
        assert "no Redis password" in lines["FAIL redis"]
        assert "not *" in lines["FAIL cors"]
        assert "renew: certbot renew" in lines["FAIL tls"]
        assert "did not answer a 1-token request" in lines["FAIL llm"]
        assert "ENABLE_AUDIT_LOGS is false" in lines["FAIL retention-audit"]
        assert "RETENTION_PURGE_INTERVAL_SECONDS=0" in lines["FAIL retention-audit"]
        assert done.stdout.strip().splitlines()[-1] == "NOT ready: 8 of 11 checks failed"

    async def test_wrong_redis_password_and_missing_certificate(
        self, migrated: Bootstrapped, redis_with_password: str, openai_server: FakeOpenAI, tmp_path: Path
    ) -> None:
        values = ready_values(migrated, redis_with_password, openai_server, tmp_path / "missing.pem")
        env_file(tmp_path, {**values, "REDIS_PASSWORD": "wrong-password-k9Qw2xZ4f1c8"})
        done = check(tmp_path, "--json")
        assert done.returncode == 1
        failed = {c["name"]: c["message"] for c in json.loads(done.stdout)["checks"] if not c["ok"]}
        assert set(failed) == {"redis", "tls"}
        assert "does not answer with the password" in failed["redis"]
        assert failed["tls"].endswith("missing.pem does not exist")

    def test_a_missing_env_file_is_reported(self, tmp_path: Path) -> None:
        done = check(tmp_path)
        assert done.returncode == 1
        assert "FAIL settings: ENV_FILE=.env.production does not exist" in done.stdout


class TestVerdicts:
    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            (None, "X is not set"),
            ("$(openssl rand -base64 32)", "X is still a placeholder"),
            ("mnp-chatbot-development-encryption-key", "X is the development key"),
            ("a" * 40, "X repeats too few distinct characters"),
            ("Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5", None),
        ],
    )
    def test_secret(self, value: str | None, problem: str | None) -> None:
        assert secret_problem("X", value) == problem

    def test_disk_and_memory_thresholds(self) -> None:
        gib = 1024**3
        assert disk_verdict(Path("/"), 50 * gib, 100 * gib).ok
        assert not disk_verdict(Path("/"), 5 * gib, 100 * gib).ok  # 5 %
        assert not disk_verdict(Path("/"), gib, 5 * gib).ok  # 1 GiB
        assert memory_verdict(4 * gib, 8 * gib).ok
        assert not memory_verdict(gib // 2, 8 * gib).ok
