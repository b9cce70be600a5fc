"""The reader's own pages: sign-in, sign-out and the account (validity, password change).

Every form carries Flask-WTF's CSRF token (CSRFProtect is set up in create_app). Failed
sign-ins are kept in the store and limited per login and per client address (a 429 with
Retry-After), so the limit holds across workers and nodes; the client address is the
connection's own unless THUVIENSO_TRUSTED_PROXIES says how many proxy hops to trust.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from store.read.readers import get_reader, sign_in_throttle
from store.write.readers import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    record_failure,
    set_password,
    sign_in,
)
from web.context import Context, current
from web.portal import language, security_headers
from web.portal_text import format_date, translate
from web.sessions import end_session, open_session

accounts_bp = Blueprint("accounts", __name__)
accounts_bp.after_request(security_headers)

FAILURE_LIMIT = 10
FAILURE_WINDOW = timedelta(minutes=15)
MAX_NEXT = 2000
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x21-\x7e]")  # a target's raw text is URL-encoded
_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\\]|^//")  # and decoded


def safe_next(raw: str | None, default: str = "/") -> str:
    """`raw` when it is a path of this site, else `default`. Refused: other schemes and hosts
    (`https://…`, `//host`, `/\\host`), text that is not printable ASCII (URL-encoded), and
    anything whose decoded form is such a thing or holds control characters, spaces or
    backslashes."""
    if (not raw or len(raw) > MAX_NEXT or not raw.startswith("/")
            or _NOT_PRINTABLE_ASCII.search(raw)):
        return default
    decoded = raw
    for _ in range(3):  # nested encodings (%252F) decode too
        parts = urlsplit(decoded)
        if parts.scheme or parts.netloc or _UNSAFE_NEXT.search(decoded):
            return default
        decoded = unquote(decoded)
    if _UNSAFE_NEXT.search(decoded):
        return default
    return raw


def _client() -> str:
    return (request.remote_addr or "unknown")[:64]


def _throttled(ctx: Context, login: str) -> tuple[str, int, dict[str, str]] | None:
    """The 429 page while this login or this client has too many recent failures."""
    with ctx.store.reading() as s:
        throttle = sign_in_throttle(s, login, _client(), FAILURE_LIMIT, FAILURE_WINDOW)
    if not throttle.limited:
        return None
    minutes = -(-throttle.retry_after // 60)
    return (render_template("error.html", title_key="too_many_title", text_key="too_many",
                            text_values={"minutes": minutes}), 429,
            {"Retry-After": str(throttle.retry_after)})


def _login_page(status: int = 200, message: str | None = None, login: str = "") -> tuple[
        str, int]:
    return render_template("login.html", message=message, login=login,
                           next_url=safe_next(request.values.get("next"), "")), status


def _account_problem(lang: str, result: str, expires: date) -> str:
    contact = current().settings.library_contact
    first = (translate("expired", lang, date=format_date(expires, lang)) if result == "expired"
             else translate("disabled", lang))
    then = translate("ask", lang, contact=contact) if contact else translate("ask_default", lang)
    return f"{first} {then}"


@accounts_bp.get("/login")
def login_form() -> tuple[str, int]:
    return _login_page()


@accounts_bp.post("/login")
def login() -> tuple[str, int] | tuple[str, int, dict[str, str]] | BaseResponse:
    ctx, lang = current(), language()
    login = request.form.get("login", "").strip()[:256]
    password = request.form.get("password", "")
    refused = _throttled(ctx, login)
    if refused:
        return refused
    with ctx.store.session() as s:
        outcome = sign_in(s, login, password, date.today())
    if outcome.result == "wrong" or outcome.reader is None:
        with ctx.store.session() as s:
            record_failure(s, login, _client(), FAILURE_WINDOW)
        return _login_page(401, translate("wrong_login", lang), login)
    if outcome.result != "ok":
        return _login_page(403, _account_problem(lang, outcome.result,
                                                 outcome.reader.expires), login)
    open_session(outcome.reader.login, outcome.reader.session_version)
    return redirect(safe_next(request.form.get("next")), code=303)


@accounts_bp.post("/logout")
def logout() -> BaseResponse:
    end_session()
    return redirect(safe_next(request.form.get("next")), code=303)


def _signed_in(ctx: Context) -> str | None:
    return ctx.requester(request).reader


@accounts_bp.route("/account", methods=["GET", "POST"])
def account() -> tuple[str, int] | tuple[str, int, dict[str, str]] | BaseResponse | Response:
    ctx, lang = current(), language()
    login = _signed_in(ctx)
    if login is None:
        return redirect("/login?next=/account", code=303)
    message, status = None, 200
    if request.method == "POST":
        refused = _throttled(ctx, login)
        if refused:
            return refused
        new, again = request.form.get("new", ""), request.form.get("again", "")
        if not MIN_PASSWORD <= len(new) <= MAX_PASSWORD:
            message, status = translate("password_length", lang, low=MIN_PASSWORD,
                                        high=MAX_PASSWORD), 400
        elif new != again:
            message, status = translate("password_mismatch", lang), 400
        else:
            with ctx.store.session() as s:
                checked = sign_in(s, login, request.form.get("current", ""), date.today())
                if checked.result == "ok":
                    changed = set_password(s, login, new)
            if checked.result != "ok":
                with ctx.store.session() as s:
                    record_failure(s, login, _client(), FAILURE_WINDOW)
                message, status = translate("current_wrong", lang), 403
            else:  # every other session of the reader ends; this one goes on
                open_session(login, changed.session_version)
                message = translate("password_changed", lang)
    with ctx.store.reading() as s:
        record = get_reader(s, login)
    if record is None:  # deleted between the two reads
        end_session()
        return redirect("/login?next=/account", code=303)
    response = render_template("account.html", reader=record, message=message,
                               expires=format_date(record.expires, lang))
    return response, status, {"Cache-Control": "private, no-store"}

