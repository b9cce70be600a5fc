"""Reader sessions: what a signed-in reader's cookie holds, and who is asking.

The session is Flask's signed cookie (itsdangerous, keyed by THUVIENSO_SECRET_KEY; HttpOnly,
SameSite=Lax, Secure under an https base URL). A signed-in reader's session holds
`reader = [login, session_version]`. Each request that needs to know the reader checks that
pair against the store in one indexed query (store.read.readers.session_is_valid): the account
must exist, not be disabled, be valid today and still have that session version, which
disabling, a password change or a reset raise. Nothing is kept per worker, so an ended session
ends on every worker and node at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask, Request, session
from itsdangerous import BadSignature

from iiif.access import ANONYMOUS, Requester
from store.db import Store
from store.read.readers import session_is_valid
from store.write.readers import LOGIN

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


def end_session() -> None:
    """Sign out this browser. To end every session of a reader, raise its session version
    (store.write.readers: disable_reader, set_password)."""
    session.clear()


def identity(data: Any) -> tuple[str, int] | None:
    """(login, version) from session data, or None for anything else (old, forged shapes)."""
    value = data.get(READER) if isinstance(data, dict) else None
    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and LOGIN.fullmatch(value[0]) and type(value[1]) is int):
        return value[0], value[1]
    return None


def reader_requester(app: Flask, store: Store) -> Callable[[Request], Requester]:
    """The default `Hooks.requester`: the reader of the request's signed session cookie when
    that session still stands, else anonymous. It reads the cookie itself (no Flask request
    context needed, so the fast layer may call it with `Request(environ)`), costs no query
    without a reader session, and one indexed query with one; it never hashes a password."""
    serializer = None

    def requester(request: Request) -> Requester:
        nonlocal serializer
        signed = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
        if not signed:
            return ANONYMOUS
        if serializer is None:
            serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        try:
            data = serializer.loads(signed, max_age=int(LIFETIME.total_seconds()))
        except BadSignature:
            return ANONYMOUS
        found = identity(data)
        if found is None:
            return ANONYMOUS
        with store.reading_connection() as connection:  # a quarter of an ORM session's cost
            valid = session_is_valid(connection, found[0], found[1], date.today())
        return Requester(reader=found[0]) if valid else ANONYMOUS

    return requester
