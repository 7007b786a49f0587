"""HTTPS served directly: `mnp-chatbot serve` with SSL_CERT_PATH/SSL_KEY_PATH, on a self-signed certificate
made with `cryptography`, answers over TLS with HSTS."""

import datetime as dt
import ipaddress
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fixtures.server import free_port


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@pytest.fixture
def https_server(database_url: str, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "NODE_ENV": "test",
        "LOG_LEVEL": "warning",
        "SSL_CERT_PATH": str(cert),
        "SSL_KEY_PATH": str(key),
        "HTTPS_PORT": str(port),
        "HOST": "127.0.0.1",
        "RETENTION_PURGE_INTERVAL_SECONDS": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "mnp_chatbot", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield port, cert
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until_up(port: int, context: ssl.SSLContext) -> httpx.Response:
    deadline = time.monotonic() + 90
    while True:
        try:
            return httpx.get(f"https://127.0.0.1:{port}/health/live", verify=context, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serves_https_with_hsts_on_the_configured_port(https_server: tuple[int, Path]) -> None:
    port, cert = https_server
    context = ssl.create_default_context(cafile=str(cert))
    response = wait_until_up(port, context)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    api = httpx.get(f"https://127.0.0.1:{port}/api/faqs/search", params={"q": "予約番号"}, verify=context)
    assert api.status_code == 200
    assert api.headers["strict-transport-security"].startswith("max-age=31536000")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"https://127.0.0.1:{port}/health/live", verify=ssl.create_default_context(), timeout=5)
