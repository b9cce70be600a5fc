"""`thuvienso serve` runs real gunicorn workers that answer /healthz and accept 8 kB GET lines."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(settings_overrides):
    port = _free_port()
    env = dict(os.environ)
    env.update({f"THUVIENSO_{k.upper()}": str(v) for k, v in settings_overrides.items()})
    exe = Path(sys.executable).with_name("thuvienso")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_answers_healthz_from_gunicorn_workers(served):
    response = requests.get(served + "/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_serve_lets_an_8_kb_request_line_reach_the_app(served):
    response = requests.get(served + "/healthz", params={"x": "a" * 8000}, timeout=5)
    assert response.status_code == 200
