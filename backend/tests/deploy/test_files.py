"""The shipped deployment files, checked by their own tools: `nginx -t` and `systemd-analyze verify`."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy import stack

SYSTEMD = stack.REPO / "deploy" / "systemd"


class TestNginx:
    def test_the_shipped_site_passes_nginx_t(self, tmp_path: Path) -> None:
        reason = stack.nginx_missing_reason()
        if reason:
            print(f"SKIP: {reason}")  # noqa: T201 - the printed reason CI keeps
            pytest.skip(reason)
        done = subprocess.run(
            ["bash", str(stack.STACK), "check-nginx"],
            env={"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "STACK_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "syntax is ok" in done.stderr
        assert "[emerg]" not in done.stderr
        site = (tmp_path / "nginx" / "sites" / "mnp-chatbot.conf").read_text()
        assert "include snippets/mnp-chatbot-locations.conf;" in site  # the shipped site, only moved


def unit_copies(target: Path) -> list[str]:
    """The units with this checkout as /opt/mnp-chatbot and root as their user (both must exist for
    verify), and the template as its instance 1."""
    names = []
    for unit in sorted(SYSTEMD.iterdir()):
        if unit.suffix not in (".service", ".target", ".timer"):
            continue
        text = unit.read_text().replace("/opt/mnp-chatbot", str(stack.REPO))
        text = text.replace("User=mnp-chatbot", "User=root").replace("Group=mnp-chatbot", "Group=root")
        name = unit.name.replace("@.service", "@1.service")
        (target / name).write_text(text)
        names.append(name)
    return names


class TestSystemd:
    def test_the_units_pass_systemd_analyze_verify(self, tmp_path: Path) -> None:
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            reason = "systemd-analyze is not installed (Debian's systemd package)"
            print(f"SKIP: {reason}")  # noqa: T201 - the printed reason CI keeps
            pytest.skip(reason)
        names = unit_copies(tmp_path)
        assert {"mnp-chatbot@1.service", "mnp-chatbot.target", "mnp-chatbot-backup.timer"} <= set(names)
        done = subprocess.run(
            [analyze, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        # verify only warns about unknown or misplaced settings: any line about these files is a failure.
        complaints = [line for line in done.stderr.splitlines() if "mnp-chatbot" in line]
        assert done.returncode == 0, done.stderr
        assert complaints == []

    def test_the_app_unit_is_hardened_and_restarts(self) -> None:
        unit = (SYSTEMD / "mnp-chatbot@.service").read_text()
        for setting in (
            "Restart=always",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "User=mnp-chatbot",
            "ReadWritePaths=",
            "CapabilityBoundingSet=",
            "KillMode=mixed",
        ):
            assert setting in unit
