"""IIIF Authorization routes: the sign-in and sign-out windows, the token services, the probe.

The services themselves are described by iiif.auth (found in info.json and manifests). A viewer
opens the sign-in window (`/auth/sign-in?origin=…`), which is the portal's own /login; once
signed in, the window reloads the page that opened it when that page is ours (Mirador 4 leaves
its canvas blank after a token arrives, a reload draws it) and closes itself. The token services
answer in a hidden iframe by postMessage, to the requesting origin only and only when that
origin is this site's own; Auth 1.0's also answers JSON without messageId. Tokens (15 minutes)
stand for the reader's session (see web.sessions).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, redirect, render_template, request, session
from werkzeug.wrappers import Response as BaseResponse

from iiif import access, auth
from iiif.auth_tokens import LIFETIME, normal_origin, origin_of, valid_message_id
from iiif.image_service import ID_PATTERN
from store.read.queries import ITEM_ID
from web.context import Context, current
from web.http import TEXT, CrossOrigin, Reply
from web.portal import language, security_headers
from web.sessions import identity
from web.text_access import Refused, readable_text

auth_bp = Blueprint("auth", __name__)
auth_bp.after_request(security_headers)
PROBE_CORS = CrossOrigin("Authorization, Accept")
SIGNED_IN = "/auth/signed-in"
SIGN_OUT = "/auth/sign-out"
# The token page is framed by our own pages only; nothing else runs or loads in it.
FRAMED_PAGE_CSP = ("default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; "
                     "frame-ancestors 'self'")
NO_STORE = {"Cache-Control": "no-store"}


def _reader(ctx: Context) -> str | None:
    return ctx.requester(request).reader


@auth_bp.get("/auth/sign-in")
def sign_in() -> BaseResponse:
    """The Auth 1.0 login and 2.0 access service: the portal's sign-in, then a window that
    closes itself (the `origin` a viewer appends is not needed: the cookie is this site's)."""
    if _reader(current()):
        return redirect(SIGNED_IN, code=303)
    return redirect(f"/login?next={SIGNED_IN}", code=303)


@auth_bp.get(SIGNED_IN)
def signed_in() -> tuple[str, int, dict[str, str]]:
    done = _reader(current()) is not None
    return (render_template("auth_window.html", done=done,
                            text_key="auth_signed_in" if done else "auth_not_signed_in"),
            200, NO_STORE)


@auth_bp.get(SIGN_OUT)
def sign_out() -> tuple[str, int, dict[str, str]]:
    """The logout service of both versions: a sign-out form (signing out is a POST with its
    CSRF token, never a GET), then a window that closes itself."""
    who = _reader(current())
    return (render_template("auth_window.html", done=who is None, sign_out=who is not None,
                            text_key="auth_sign_out" if who else "auth_signed_out"),
            200, NO_STORE)


def _token_page(origin: str, message: dict[str, object]) -> Response:
    """The iframe page posting `message` to `origin` (static script: no inline code)."""
    page = render_template("auth_token.html", origin=origin,
                           message=json.dumps(message, ensure_ascii=False))
    response = Response(page, headers=NO_STORE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAMED_PAGE_CSP
    return response


def _token(version: int) -> Response:
    ctx, lang = current(), language()
    own = origin_of(ctx.links(request.environ).base_url)
    message_id = request.args.get("messageId")
    if message_id is None and version == 1:  # the JSON flow: for pages of this site
        return _token_json(ctx, own, lang)
    origin = normal_origin(request.args.get("origin"))
    if origin is None or not valid_message_id(message_id):
        return Reply(400, {"Content-Type": TEXT} | NO_STORE,
                     b"400 Bad Request: a token request needs origin (scheme://host[:port]) "
                     b"and messageId (at most 256 printable ASCII characters).\n").response()
    error, token = _grant(ctx, origin, own)
    return _token_page(origin, auth.token_message(version, token, LIFETIME, error, message_id,
                                                  lang))


def _grant(ctx: Context, origin: str, own: str) -> tuple[str | None, str | None]:
    """(None, a token for this origin) for a signed-in reader, else (why not, None)."""
    if origin != own:
        return "origin", None
    # the cookie's session, still standing (a token is made from a session, never from a
    # token); the token carries its version, so what ends the session ends the token
    found = identity(session)
    if found is None or ctx.requester(request).reader != found[0]:
        return "missing", None
    return None, ctx.tokens.issue(found[0], found[1], origin)


def _token_json(ctx: Context, own: str, lang: str) -> Response:
    error, token = _grant(ctx, own, own)
    status = 200 if error is None else 401
    body = json.dumps(auth.token_message(1, token, LIFETIME, error, None, lang),
                      ensure_ascii=False).encode()
    return Reply(status, {"Content-Type": "application/json"} | NO_STORE, body).response()


@auth_bp.get("/auth/1/token")
def token1() -> Response:
    return _token(1)


@auth_bp.get("/auth/2/token")
def token2() -> Response:
    return _token(2)


@auth_bp.route("/auth/2/probe/<image_id>", methods=["GET", "OPTIONS"])
def probe(image_id: str) -> Response:
    """AuthProbeService2: always 200 with the status the requester would get for the image
    (401 sign in, 403 never online), in the reader's language; 404 for an unknown image."""
    ctx = current()
    headers = PROBE_CORS.headers(request.method) | NO_STORE
    if request.method == "OPTIONS":
        return Reply(204, headers).response()
    page = ctx.images.lookup(image_id) if ID_PATTERN.fullmatch(image_id) else None
    if page is None:
        return Reply(404, headers | {"Content-Type": TEXT},
                     b"identifier: no image has this identifier\n").response()
    if access.allows(page, lambda: ctx.requester(request), ctx.images.policy):
        status = 200
    else:
        status = 401 if page.access == "readers" else 403
    body = json.dumps(auth.probe_result(status, language()), ensure_ascii=False).encode()
    return Reply(200, headers | {"Content-Type": "application/json"}, body).response()


@auth_bp.route("/auth/2/probe/text/<item_id>", methods=["GET", "OPTIONS"])
def text_probe(item_id: str) -> Response:
    """AuthProbeService2 of an item's text (its search and autocomplete services): 200 with
    the status those would answer (200, 401 sign in, 403 never online); 404 for no item."""
    ctx = current()
    headers = PROBE_CORS.headers(request.method) | NO_STORE
    if request.method == "OPTIONS":
        return Reply(204, headers).response()
    try:
        known = ITEM_ID.fullmatch(item_id) is not None and \
            readable_text(ctx, request, item_id, []) is not None
        status = 200
    except Refused as refused:
        known, status = True, refused.status
    if not known:
        return Reply(404, headers | {"Content-Type": TEXT},
                     b"no item has this identifier\n").response()
    body = json.dumps(auth.probe_result(status, language(), text=True),
                      ensure_ascii=False).encode()
    return Reply(200, headers | {"Content-Type": "application/json"}, body).response()
