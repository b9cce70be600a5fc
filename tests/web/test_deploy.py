"""`thuvienso deploy nginx|systemd` print files for the settings: a site Debian's nginx accepts
(TLS on, with the given certificate), and a unit that runs `init` then `serve` on the socket."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from tests.web.test_nginx import NGINX
from web.cli import main

SETTINGS = {"THUVIENSO_DATA_DIR": "/srv/thuvien", "THUVIENSO_BASE_URL": "https://thuvien.example.vn",
            "THUVIENSO_DATABASE_URL": "postgresql+psycopg://tv:mat-khau@db.local/thuvien",
            "THUVIENSO_SECRET_KEY": ""}


def deploy(*args: str) -> str:
    result = CliRunner().invoke(main, ["deploy", *args], env=SETTINGS)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_nginx_site_is_accepted_by_nginx_with_tls_and_the_given_paths(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=thuvien.example.vn", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site = deploy("nginx", "--certificate", str(cert), "--certificate-key", str(key),
                  "--socket", str(tmp_path / "app.sock"))
    assert "server_name thuvien.example.vn;" in site and f"ssl_certificate {cert};" in site
    assert "root /srv/thuvien/iiif/direct;" in site
    assert "alias /srv/thuvien/iiif/internal/;" in site and "internal;" in site
    assert f"server unix:{tmp_path / 'app.sock'};" in site
    assert "return 301 https://$host$request_uri;" in site
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'pid'}; events {{}} http {{ include /etc/nginx/mime.types; "
        f"include {tmp_path / 'site.conf'}; }}\n")
    check = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-e",
                            str(tmp_path / "error.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert not Path("/srv/thuvien").exists()  # printing made no secret key, no data dir


def test_the_systemd_unit_runs_init_then_serve_on_the_socket_as_its_own_user():
    out = deploy("systemd", "--socket", "/run/thuvienso/app.sock", "--workers", "3")
    unit, env = out.split("# /etc/thuvienso/thuvienso.env")
    lines = set(unit.splitlines())
    assert {"User=thuvienso", "Group=thuvienso", "Restart=on-failure", "UMask=0027",
            "EnvironmentFile=/etc/thuvienso/thuvienso.env", "ReadWritePaths=/srv/thuvien",
            "RuntimeDirectoryMode=0750"} <= lines
    assert any(line.startswith("ExecStartPre=") and line.endswith("thuvienso init")
               for line in lines)
    assert any(line.startswith("ExecStart=") and line.endswith(
        "thuvienso serve --socket /run/thuvienso/app.sock --workers 3") for line in lines)
    assert "After=network-online.target postgresql.service" in lines
    assert 'THUVIENSO_NGINX="true"' in env and 'THUVIENSO_TRUSTED_PROXIES="1"' in env
    assert 'THUVIENSO_BASE_URL="https://thuvien.example.vn"' in env
    assert "mat-khau" not in out  # the password is never printed
    assert 'THUVIENSO_DATABASE_URL="postgresql+psycopg://tv:***@db.local/thuvien"' in env


def test_the_examples_in_deploy_are_what_the_code_renders():
    from deploy.render import HERE, examples

    for name, text in examples().items():
        assert (HERE / name).read_text(encoding="utf-8") == text, f"deploy/{name}: run " \
            "python deploy/render.py"


def test_systemd_accepts_the_unit(tmp_path):
    """`systemd-analyze verify` on the unit as rendered (Debian's systemd; the venv's
    `thuvienso` as the command, so that the paths it checks exist)."""
    unit = deploy("systemd").split("# /etc/thuvienso/thuvienso.env")[0]
    (tmp_path / "thuvienso.service").write_text(unit)
    check = subprocess.run(["systemd-analyze", "verify", "--man=no",
                            str(tmp_path / "thuvienso.service")],
                           capture_output=True, text=True)
    assert check.returncode == 0 and not check.stderr.strip(), check.stderr


def test_the_tls_site_answers_over_https_and_redirects_plain_http(tmp_path):
    """The site with TLS, run by Debian's nginx on loopback ports (the rendered ports 443 and
    80 moved): HTTPS with HSTS, a published tile sent by nginx, plain HTTP redirected."""
    import getpass
    import os
    import re
    import signal
    import time

    import requests

    from tests.web.test_nginx import free_port

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    tls_port, plain_port = free_port(), free_port()
    data = tmp_path / "data"
    site = CliRunner().invoke(main, [
        "deploy", "nginx", "--certificate", str(cert), "--certificate-key", str(key),
        "--listen", f"127.0.0.1:{tls_port}", "--server-name", "127.0.0.1",
        "--socket", str(tmp_path / "app.sock")], env=SETTINGS | {
            "THUVIENSO_DATA_DIR": str(data), "THUVIENSO_BASE_URL": "https://127.0.0.1"}).output
    site = re.sub(r"listen 80;\n\s*listen \[::\]:80;", f"listen 127.0.0.1:{plain_port};", site)
    tile = data / "iiif/direct/iiif/image/sach~p0001/0,0,512,512/512,512/0/default.jpg"
    tile.parent.mkdir(parents=True)
    tile.write_bytes(b"\xff\xd8 a tile")
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""  # workers as the tests
    (tmp_path / "nginx.conf").write_text(
        f"{user} daemon off; pid {tmp_path / 'pid'}; error_log {tmp_path / 'error.log'}; "
        "events {} "
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp} "
        f"include {tmp_path / 'site.conf'}; }}\n")
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-e",
                              str(tmp_path / "error.log")], start_new_session=True)
    try:
        base = f"https://127.0.0.1:{tls_port}"
        for _ in range(100):
            try:
                sent = requests.get(base + str(tile).removeprefix(str(data / "iiif/direct")),
                                    verify=str(cert), timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert sent.status_code == 200 and sent.content == b"\xff\xd8 a tile"
        assert sent.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert sent.headers["Cache-Control"] == "public, max-age=86400"
        app_gone = requests.get(base + "/healthz", verify=str(cert), timeout=5)
        assert app_gone.status_code == 502  # proxied to the (absent) app, over TLS
        assert "Strict-Transport-Security" in app_gone.headers
        moved = requests.get(f"http://127.0.0.1:{plain_port}/oai?verb=Identify",
                             allow_redirects=False, timeout=5)
        assert moved.status_code == 301
        assert moved.headers["Location"] == "https://127.0.0.1/oai?verb=Identify"
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(10)
