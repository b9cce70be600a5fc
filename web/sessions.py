"""Reader sessions: what a signed-in reader's cookie holds, and who is asking.

The session is Flask's signed cookie (itsdangerous, keyed by THUVIENSO_SECRET_KEY; HttpOnly,
SameSite=Lax, Secure under an https base URL). A signed-in reader's session holds
`reader = [login, session_version]`. Each request that needs to know the reader checks that
pair against the store in one indexed query (store.read.readers.session_is_valid): the account
must exist, not be disabled, be valid today and still have that session version, which
disabling, a password change or a reset raise. Nothing is kept per worker, so an ended session
ends on every worker and node at once.

An IIIF access token (iiif.auth_tokens, given by the token services of web.auth_routes) stands
for the session it was made from, in an `Authorization: Bearer` header, for the origin it was
made for: it is checked against the store the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from flask import Flask, Request, session
from itsdangerous import BadSignature

from iiif.access import ANONYMOUS, Requester
from iiif.auth_tokens import TokenSigner, bearer, normal_origin, origin_of
from store.db import Store
from store.read.readers import session_is_valid
from store.write.readers import LOGIN
from web.context import base_of
from web.reader_passes import forget_pass

READER = "reader"  # the session key: [login, session_version]
LIFETIME = timedelta(days=30)  # a signed cookie older than this is refused


def configure(app: Flask, https: bool) -> None:
    """The session cookie's settings (call before the first request)."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https, PERMANENT_SESSION_LIFETIME=LIFETIME,
        # no Set-Cookie on every response (tiles included): the cookie changes on sign-in/out
        SESSION_REFRESH_EACH_REQUEST=False)


def open_session(login: str, version: int) -> None:
    """Sign a reader in (in a Flask request): a fresh session, so nothing from before the
    sign-in (a fixed session, an old CSRF token) carries over."""
    session.clear()
    session.permanent = True
    session[READER] = [login, version]
    forget_pass()  # another reader's pass, if this browser had one


def end_session() -> None:
    """Sign out this browser. To end every session of a reader, raise its session version
    (store.write.readers: disable_reader, set_password)."""
    session.clear()
    forget_pass()


def identity(data: Any) -> tuple[str, int] | None:
    """(login, version) from session data, or None for anything else (old, forged shapes)."""
    value = data.get(READER) if isinstance(data, dict) else None
    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and LOGIN.fullmatch(value[0]) and type(value[1]) is int):
        return value[0], value[1]
    return None


class SessionCookies:
    """The (login, version) of a request's signed session cookie, read without a Flask request
    context (so the fast layer may ask with `Request(environ)`)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.name: str = app.config["SESSION_COOKIE_NAME"]
        self.serializer: Any = None
        self.lifetime = int(LIFETIME.total_seconds())
        # checking a signature costs more than the session query, and a reader's tiles all
        # carry the same cookie: each is checked once per worker
        self.decoded = lru_cache(maxsize=4096)(self._decode)

    def _decode(self, signed: str) -> tuple[tuple[str, int] | None, float]:
        """(login, version) of a signed cookie and until when it holds."""
        if self.serializer is None:
            self.serializer = self.app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
                self.app)
        try:
            data, signed_at = self.serializer.loads(signed, max_age=self.lifetime,
                                                    return_timestamp=True)
        except BadSignature:
            return None, 0.0
        return identity(data), signed_at.timestamp() + self.lifetime

    def identity(self, request: Request) -> tuple[str, int] | None:
        signed = request.cookies.get(self.name)
        if not signed:
            return None
        found, until = self.decoded(signed)
        return found if found is not None and time.time() <= until else None


def reader_requester(cookies: SessionCookies, store: Store, tokens: TokenSigner, base_url: str
                     ) -> Callable[[Request], Requester]:
    """The default `Hooks.requester`: the reader of the request's signed session cookie, or of
    its bearer token, while that session still stands; else anonymous. It costs no query
    without a session or token, and one indexed query with one; it never hashes a password.
    `base_url` is THUVIENSO_BASE_URL (may be empty)."""

    def token_reader(request: Request) -> tuple[str, int] | None:
        token = bearer(request.headers.get("Authorization"))
        grant = tokens.read(token) if token else None
        if grant is None:
            return None
        # Tokens are given to our own pages only, and honoured for them only. A browser sends
        # Origin on every cross-origin request, so a page of another origin cannot use one.
        own = origin_of(base_of(request.environ, base_url))
        sent = request.headers.get("Origin")
        if grant.origin != own or (sent is not None and normal_origin(sent) != own):
            return None
        return grant.login, grant.version

    def requester(request: Request) -> Requester:
        found = cookies.identity(request) or token_reader(request)
        if found is None:
            return ANONYMOUS
        return Requester(reader=found[0]) if session_stands(store, *found) else ANONYMOUS

    return requester


def session_stands(store: Store, login: str, version: int) -> bool:
    """Whether the session (login, version) still stands today (the per-request check)."""
    with store.reading_connection() as connection:  # the hot path: no ORM session
        return session_is_valid(connection, login, version, date.today())
