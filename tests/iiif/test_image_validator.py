"""The official IIIF Image API validator (PyPI `iiif-validator`), version 3.0, level 2, run
against the real app on a loopback port. It lives in its own venv, `.iiif-validator/`, made
here if missing (`python3 -m venv .iiif-validator && .iiif-validator/bin/pip install
iiif-validator==1.0.5`), never in the project's environment."""

from __future__ import annotations

import fcntl
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.web.test_image_routes import add_item

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".iiif-validator"
VALIDATE = VENV / "bin" / "iiif-validate.py"


def validator() -> Path:
    """The validator script, installing it into its own venv first if needed."""
    with open(Path(tempfile.gettempdir()) / "thuvienso-iiif-validator.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not VALIDATE.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "iiif-validator==1.0.5"],
                           check=True, timeout=600)
    return VALIDATE


@pytest.mark.slow
def test_official_validator_passes_all_level_2_tests(app, live_server):
    image_id = add_item(app).rsplit("/", 1)[1]
    run = subprocess.run(
        [str(validator()), "--server", f"{live_server.host}:{live_server.port}",
         "--prefix", "iiif/image", "--identifier", image_id, "--version", "3.0", "--level", "2"],
        capture_output=True, text=True, timeout=300)
    report = run.stdout + run.stderr
    failed = [line for line in report.splitlines() if re.search(r"\] test \S+ FAIL", line)]
    assert "Done (33 tests, 0 failures)" in report, "\n".join(failed) or report[-2000:]
    assert run.returncode == 0
