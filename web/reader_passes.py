"""The reader's pass behind nginx (store.reader_passes): given with a `readers` tile the app
answered after its check, so that nginx sends the reader's next tiles of the day itself; its
cookie is dropped at sign-in and sign-out, so a browser keeps no pass of a reader who left.

The pass is named by the reader's login and an HMAC of the login and session version under the
secret key: unguessable, and new whenever the sessions of the reader end (their version rises).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask import Request, Response, after_this_request, current_app
from werkzeug.http import dump_cookie

from store import reader_passes
from store.tile_tree import READERS_PREFIX
from web.http import Reply

COOKIE = "thuvienso_pass"
PATH = "/iiif/image/"  # the cookie goes with image requests only
LIFETIME = 30 * 86400  # as the session cookie (web.sessions.LIFETIME)


def pass_name(secret: str, login: str, version: int) -> str:
    """The pass of a reader's sessions of this version."""
    mac = hmac.new(secret.encode(), f"reader-pass\0{login}\0{version}".encode(), hashlib.sha256)
    return f"{login}~{mac.hexdigest()[:32]}"


class ReaderPasses:
    """Grants the pass of the reader whose session cookie a readers tile was answered for."""

    def __init__(self, data_path: Path, secret: str, https: bool,
                 identity: Callable[[Request], tuple[str, int] | None],
                 stands: Callable[[str, int], bool], log: logging.Logger) -> None:
        self.data_path, self.secret, self.https = data_path, secret, https
        self.identity, self.stands, self.log = identity, stands, log

    def give(self, request: Request, reply: Reply) -> None:
        """After a reply sending a readers-tree tile (X-Accel-Redirect): today's pass of the
        request's reader, and its cookie when the browser lacks it. Only a session cookie
        earns one (a bearer token is for info.json), and a pass that cannot be written only
        costs speed: the app goes on answering that reader's tiles."""
        if not reply.headers.get("X-Accel-Redirect", "").startswith(READERS_PREFIX + "/"):
            return
        found = self.identity(request)
        if found is None:
            return
        name = pass_name(self.secret, *found)
        try:
            granted = reader_passes.grant(self.data_path, name, date.today(),
                                          lambda: self.stands(*found))
        except OSError as error:
            self.log.error("could not grant a reader's pass in %s: %s",
                           reader_passes.folder(self.data_path), error)
            return
        if granted and request.cookies.get(COOKIE) != name:
            reply.headers["Set-Cookie"] = dump_cookie(
                COOKIE, name, max_age=LIFETIME, path=PATH, secure=self.https, httponly=True,
                samesite="Lax")


def forget_pass() -> None:
    """Drop the browser's pass cookie with this response (in a Flask request: sign-in, out)."""

    @after_this_request
    def drop(response: Response) -> Response:
        response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="Lax",
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response
