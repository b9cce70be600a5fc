"""The fast layer: a WSGI layer in front of Flask answering the hottest GET requests (OAI-PMH
pages, images) without Flask's request machinery, which costs a third of an OAI page and
most of a tile.

Its routes are the Flask app's own rules for the endpoints given, so the URL layout is written
once. A fast answer sends the very headers and bytes of the Flask view, errors included; it may
pass a request on to Flask only on a decision taken before any work (it returns None).
Being the outermost layer, it also refuses, for every route, a Host the server does not
answer to (THUVIENSO_TRUSTED_HOSTS).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask

from web.context import Context, context_of
from web.http import Reply, host_trusted, untrusted_host

FastAnswer = Callable[..., Reply | None]  # (context, environ, **rule arguments)
_VARIABLE = re.compile(r"<(?:(\w+)(\([^)]*\))?:)?(\w+)>")


def rule_pattern(rule: str) -> re.Pattern[str]:
    """A Flask rule of default (string) variables as a regular expression matching the paths
    that rule matches, each variable a named group (werkzeug's own matcher costs ~10 µs a tile).
    """
    parts, end = [], 0
    for found in _VARIABLE.finditer(rule):
        converter, arguments, name = found.groups()
        if converter not in (None, "string") or arguments:
            raise ValueError(f"the fast layer matches plain string variables only: {rule!r}")
        parts += [re.escape(rule[end:found.start()]), f"(?P<{name}>[^/]+)"]
        end = found.end()
    parts.append(re.escape(rule[end:]))
    return re.compile("".join(parts))


class FastPaths:
    """GET requests on the given endpoints' rules go to their fast answers, the rest to Flask."""

    def __init__(self, app: Flask, answers: Mapping[str, FastAnswer]) -> None:
        self.wsgi_app = app.wsgi_app
        self.context: Context = context_of(app)
        self.answers = dict(answers)
        rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint in self.answers]
        if {rule.endpoint for rule in rules} != set(self.answers):
            raise ValueError("every fast endpoint needs a Flask rule")
        self.routes = [(rule_pattern(rule.rule), self.answers[rule.endpoint]) for rule in rules]
        self.trusted = self.context.settings.trusted_host_names

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not host_trusted(environ, self.trusted):  # the outermost layer: every route
            return untrusted_host().send(start_response)
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.isascii():
            for pattern, answer in self.routes:
                match = pattern.fullmatch(path)
                if match:
                    reply = answer(self.context, environ, **match.groupdict())
                    if reply is not None:
                        return reply.send(start_response)
                    break
        return self.wsgi_app(environ, start_response)
