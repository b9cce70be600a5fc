"""HTTP answers shared by the Flask views and the fast paths, so that both send the same bytes:
a reply either can send, cross-origin headers, conditional GET and the error answers."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, request
from werkzeug.http import (
    HTTP_STATUS_CODES,
    http_date,
    is_resource_modified,
    quote_etag,
    remove_entity_headers,
)

RETRY_AFTER = 30  # seconds a client is asked to wait when the database does not answer
TEXT = "text/plain; charset=utf-8"
# on every answer, of every route family: a browser never guesses another type than declared
NO_SNIFFING = ("X-Content-Type-Options", "nosniff")


@dataclass(slots=True)
class Reply:
    """Status, headers and body of an answer, before it is sent by Flask or by a fast path."""

    status: int
    headers: dict[str, str]
    body: bytes | Iterable[bytes] = b""

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=self.headers)

    def send(self, start_response: Any) -> Iterable[bytes]:
        """Send it as WSGI, with the very headers werkzeug's Response would send."""
        headers = [*self.headers.items(), NO_SNIFFING]
        body = self.body
        if self.status == 304:
            remove_entity_headers(headers)
            body = ()
        elif isinstance(body, bytes):
            headers.append(("Content-Length", str(len(body))))
            body = (body,)
        start_response(f"{self.status} {HTTP_STATUS_CODES[self.status].upper()}", headers)
        return body


@dataclass(frozen=True, slots=True)
class CrossOrigin:
    """The cross-origin headers of one route family: open to every origin, and a preflight
    answered for these request headers."""

    allow_headers: str
    expose_headers: str | None = None

    def headers(self, method: str) -> dict[str, str]:
        headers = {"Access-Control-Allow-Origin": "*"}
        if self.expose_headers:
            headers["Access-Control-Expose-Headers"] = self.expose_headers
        if method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            headers["Access-Control-Allow-Headers"] = self.allow_headers
            headers["Access-Control-Max-Age"] = "86400"
        return headers

    def apply(self, response: Response) -> Response:
        """An after_request hook for the family's blueprint."""
        response.headers.update(self.headers(request.method))
        return response


def host_name(host: str) -> str:
    """A Host header's name, without its port, lower-cased ("[::1]:5000" gives "[::1]")."""
    if host.startswith("["):
        return host[:host.find("]") + 1].lower()
    return host.partition(":")[0].lower()


def host_trusted(environ: dict[str, Any], trusted: tuple[str, ...]) -> bool:
    """Whether the request's Host is one this server answers to (THUVIENSO_TRUSTED_HOSTS):
    absolute URLs are built from it, so a forged one must not reach them. A leading dot admits
    subdomains, as in Flask's TRUSTED_HOSTS. No Host header: the server's own name is used."""
    host = environ.get("HTTP_HOST")
    if host is None:
        return True
    name = host_name(host)
    return name in trusted or any(t.startswith(".") and (name.endswith(t) or name == t[1:])
                                  for t in trusted)


def untrusted_host() -> Reply:
    """The answer to a request whose Host this server does not answer to."""
    return Reply(400, {"Content-Type": TEXT},
                 b"400 Bad Request: the Host header names a host this server does not "
                 b"answer to (THUVIENSO_TRUSTED_HOSTS).\n")


def forbid_sniffing(response: Response) -> Response:
    """An after_request hook of the app: what Reply.send adds on the fast paths."""
    response.headers.setdefault(*NO_SNIFFING)
    return response


def validators(etag: str, last_modified: datetime | None = None) -> dict[str, str]:
    """The ETag (and Last-Modified) headers of a document."""
    headers = {"ETag": quote_etag(etag)}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    return headers


def is_current(environ: dict[str, Any], etag: str, last_modified: datetime | None = None
               ) -> bool:
    """Whether the client's copy is current (If-None-Match, If-Modified-Since): a 304, with no
    body made, answers it."""
    return not is_resource_modified(environ, etag=etag, last_modified=last_modified)


def store_unavailable(log: logging.Logger, error: Exception) -> Reply:
    """The database does not answer (down, restarting, locked too long): a temporary
    condition, so 503 with Retry-After, which harvesters honour, not a 500."""
    log.error("store unavailable: %s", error)
    return Reply(503, {"Content-Type": TEXT, "Retry-After": str(RETRY_AFTER)},
                 b"503 Service Unavailable: the catalogue's database does not answer; "
                 b"try again shortly.\n")


def unexpected(log: logging.Logger) -> Reply:
    """A fault of ours, logged with its stack trace (call it while handling the exception)."""
    log.exception("unexpected error")
    return Reply(500, {"Content-Type": TEXT}, b"500 Internal Server Error\n")
