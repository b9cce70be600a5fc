"""Debian's nginx in front of `thuvienso serve --socket`, with the site `thuvienso deploy nginx`
renders (plain HTTP on loopback): open tiles are sent by nginx alone, readers' tiles after the
app's check through X-Accel-Redirect, with the app's own headers and 304s on both paths."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from tests.web.accounts_helpers import TOKEN, add
from tests.web.test_image_routes import add_item
from web.app import create_app
from web.cli import main
from web.context import context_of

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's nginx (.ci/run installs it)
pytestmark = pytest.mark.usefixtures("light_argon2")
TILE = "0,0,512,512/512,512/0/default.jpg"
SAME = ("Cache-Control", "Content-Type", "Access-Control-Allow-Origin", "Last-Modified",
        "X-Content-Type-Options")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, **kwargs: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5, **kwargs).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@dataclass
class Front:
    url: str
    app: subprocess.Popen
    settings: dict[str, Any]
    socket: Path


def env_of(settings: dict[str, Any]) -> dict[str, str]:
    return dict(os.environ) | {f"THUVIENSO_{k.upper()}": str(v) for k, v in settings.items()}


@pytest.fixture
def front(settings_overrides, tmp_path) -> Iterator[Front]:
    """The app on a Unix socket, and nginx on a loopback port with the rendered site."""
    settings = settings_overrides | {"nginx": True, "trusted_proxies": 1}
    run = tmp_path / "run"
    run.mkdir()
    sock, port = run / "app.sock", free_port()
    exe = Path(sys.executable).with_name("thuvienso")
    app = subprocess.Popen([str(exe), "serve", "--socket", str(sock), "--workers", "1"],
                           env=env_of(settings), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    site = CliRunner().invoke(main, ["deploy", "nginx", "--plain-http", "--listen",
                                     f"127.0.0.1:{port}", "--socket", str(sock),
                                     "--server-name", "127.0.0.1"], env=env_of(settings))
    assert site.exit_code == 0, site.output
    (run / "site.conf").write_text(site.output)
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {run / kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (run / "nginx.conf").write_text(f"""{user}
daemon off; worker_processes 1; pid {run / 'nginx.pid'}; error_log {run / 'error.log'};
events {{ worker_connections 256; }}
http {{ include /etc/nginx/mime.types; default_type application/octet-stream;
        access_log {run / 'access.log'}; {temp}
        include {run / 'site.conf'}; }}
""")
    check = subprocess.run([NGINX, "-t", "-c", str(run / "nginx.conf"), "-e",
                            str(run / "error.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(run / "nginx.conf"), "-e",
                              str(run / "error.log")], start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/healthz")
        yield Front(url, app, settings, sock)
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(10)
        if app.poll() is None:
            app.terminate()
            app.wait(10)


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(url + "/login", timeout=10)
    token = TOKEN.search(page.text)
    assert token
    done = session.post(url + "/login", data={"csrf_token": token.group(1), "login": "lan",
                                              "password": "mật khẩu dài"},
                        allow_redirects=False, timeout=30)
    assert done.status_code == 303, done.text
    return session


def test_tiles_through_nginx_open_ones_without_the_app_others_after_its_check(front):
    assert front.socket.stat().st_mode & 0o777 == 0o660  # nginx's group may connect, no other
    local = create_app(front.settings | {"nginx": False})
    open_image, closed = add_item(local, "sach", "open"), add_item(local, "doc", "readers")
    add(local, "lan", "mật khẩu dài")
    alone = local.test_client()

    # a readers-only tile: 401 without a session, then the app's check and nginx's bytes
    refused = requests.get(front.url + f"{closed}/{TILE}", timeout=10)
    assert refused.status_code == 401
    reader = signed_in(front.url)
    tile = reader.get(front.url + f"{closed}/{TILE}", timeout=10)
    assert tile.status_code == 200 and "X-Accel-Redirect" not in tile.headers
    alone.set_cookie("session", reader.cookies["session"])
    own = alone.get(f"{closed}/{TILE}")
    assert tile.content == own.data
    assert {h: tile.headers.get(h) for h in SAME} == {h: own.headers.get(h) for h in SAME}
    for validator in ({"If-Modified-Since": tile.headers["Last-Modified"]},
                      {"If-None-Match": tile.headers["ETag"]}):
        assert reader.get(front.url + f"{closed}/{TILE}", headers=validator,
                          timeout=10).status_code == 304
    assert requests.get(front.url + f"{closed}/{TILE}", headers={
        "If-Modified-Since": tile.headers["Last-Modified"]}, timeout=10).status_code == 401
    internal = front.url + f"/_thuvienso_internal{closed}/{TILE}"
    assert requests.get(internal, timeout=10).status_code == 404  # unreachable from outside

    # an open tile: the app makes it once, then nginx sends it, with the app stopped too
    first = requests.get(front.url + f"{open_image}/{TILE}", timeout=10)
    assert first.status_code == 200
    os.killpg(front.app.pid, signal.SIGTERM)
    front.app.wait(10)
    assert requests.get(front.url + "/healthz", timeout=10).status_code == 502  # app gone
    served = requests.get(front.url + f"{open_image}/{TILE}", timeout=10)
    assert served.status_code == 200 and served.content == first.content
    own = alone.get(f"{open_image}/{TILE}")
    assert served.content == own.data
    assert {h: served.headers.get(h) for h in SAME} == {h: own.headers.get(h) for h in SAME}
    again = requests.get(front.url + f"{open_image}/{TILE}", timeout=10,
                         headers={"If-Modified-Since": served.headers["Last-Modified"]})
    assert again.status_code == 304
    # a tile not in the tree yet needs the app, which is stopped
    assert requests.get(front.url + f"{open_image}/512,0,488,512/488,512/0/default.jpg",
                        timeout=10).status_code == 502
    context_of(local).store.dispose()


def test_a_readers_pass_lets_nginx_send_a_readers_tiles_until_the_account_changes(front):
    from datetime import date, timedelta

    from store import reader_passes
    from store.write.items import set_access
    from store.write.readers import disable_reader, extend_reader
    from web.reader_passes import COOKIE

    local = create_app(front.settings | {"nginx": False})
    store, data = context_of(local).store, context_of(local).settings.data_path
    doc, other = add_item(local, "doc", "readers"), add_item(local, "doc2", "readers")
    add(local, "lan", "mật khẩu dài")
    alone = local.test_client()
    url = front.url + f"{doc}/{TILE}"

    reader = signed_in(front.url)
    first = reader.get(url, timeout=10)
    assert first.status_code == 200 and reader.cookies.get(COOKIE, path="/iiif/image/")
    name = reader.cookies.get(COOKIE, path="/iiif/image/")
    assert name.startswith("lan~") and reader_passes.has_pass(data, name, date.today())
    # forged passes are the app's to judge: refused without a session
    flipped = name[:-1] + ("1" if name.endswith("0") else "0")
    for forged in (flipped, "lan~" + "0" * 32, "../../readers", "../direct"):
        assert requests.get(url, cookies={COOKIE: forged}, timeout=10).status_code == 401

    # each change of the account removes its passes as it commits: the next tile is the app's
    with store.session() as session:
        disable_reader(session, "lan")
    assert not reader_passes.has_pass(data, name, date.today())
    assert reader.get(url, timeout=10).status_code == 401
    with store.session() as session:
        extend_reader(session, "lan", date.today() + timedelta(days=30))
    reader = signed_in(front.url)
    assert reader.get(url, timeout=10).status_code == 200
    name = reader.cookies.get(COOKIE, path="/iiif/image/")
    assert reader_passes.has_pass(data, name, date.today())
    # an item that stops being `readers` leaves the readers tree at once
    assert reader.get(front.url + f"{other}/{TILE}", timeout=10).status_code == 200
    with store.session() as session:
        set_access(session, "doc2", "restricted")
    assert reader.get(front.url + f"{other}/{TILE}", timeout=10).status_code == 401
    # signing out drops the browser's pass
    page = reader.get(front.url + "/account", timeout=10)
    token = TOKEN.search(page.text)
    assert token
    reader.post(front.url + "/logout", data={"csrf_token": token.group(1)}, timeout=10)
    assert reader.cookies.get(COOKIE, path="/iiif/image/") is None
    assert reader.get(url, timeout=10).status_code == 401

    # with today's pass, nginx alone sends the tiles the app made, with the app's headers
    reader = signed_in(front.url)
    made = reader.get(url, timeout=10)
    os.killpg(front.app.pid, signal.SIGTERM)
    front.app.wait(10)
    served = reader.get(url, timeout=10)
    assert served.status_code == 200 and served.content == made.content
    alone.set_cookie("session", reader.cookies["session"])
    own = alone.get(f"{doc}/{TILE}")
    assert served.content == own.data
    assert {h: served.headers.get(h) for h in SAME} == {h: own.headers.get(h) for h in SAME}
    assert reader.get(url, headers={"If-Modified-Since": served.headers["Last-Modified"]},
                      timeout=10).status_code == 304
    assert requests.get(url, timeout=10).status_code == 502  # no pass: the app's (stopped)
    # a pass of another day is never honoured
    today = reader_passes.folder(data) / date.today().isoformat()
    today.rename(today.with_name((date.today() - timedelta(days=1)).isoformat()))
    assert reader.get(url, timeout=10).status_code == 502
    store.dispose()
