"""The fast layer: a WSGI layer in front of Flask answering the hottest GET requests (OAI-PMH
pages, open images) without Flask's request machinery, which costs a third of an OAI page and
most of a tile.

Its routes are the Flask app's own rules for the endpoints given, so the URL layout is written
once. A fast answer sends the very headers and bytes of the Flask view, errors included; it may
pass a request on to Flask only on a decision taken before any work (it returns None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from web.context import Context, context_of
from web.http import Reply

FastAnswer = Callable[..., Reply | None]  # (context, environ, **rule arguments)


class FastPaths:
    """GET requests on the given endpoints' rules go to their fast answers, the rest to Flask."""

    def __init__(self, app: Flask, answers: Mapping[str, FastAnswer]) -> None:
        self.wsgi_app = app.wsgi_app
        self.context: Context = context_of(app)
        self.answers = dict(answers)
        rules = [rule.empty() for rule in app.url_map.iter_rules()
                 if rule.endpoint in self.answers]
        assert {rule.endpoint for rule in rules} == set(self.answers), "an endpoint has no rule"
        self.routes = Map(rules).bind("")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.isascii():
            try:
                endpoint, args = self.routes.match(path, "GET")
            except HTTPException:  # not a fast route (or a redirect, which Flask will make)
                pass
            else:
                reply = self.answers[endpoint](self.context, environ, **args)
                if reply is not None:
                    return reply.send(start_response)
        return self.wsgi_app(environ, start_response)
