"""Helpers of the sign-in tests: a reader in the store, the CSRF token of a page, signing in."""

from __future__ import annotations

import re
from datetime import date

from store.write.readers import add_reader
from web.context import context_of

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def add(app, login: str = "lan", password: str = "mật khẩu dài", expires: date | None = None,
        **extra) -> None:
    with context_of(app).store.session() as s:
        add_reader(s, login, password, expires or date(2099, 12, 31), **extra)


def csrf(client, path: str = "/login") -> str:
    page = client.get(path)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client, login: str = "lan", password: str = "mật khẩu dài", next_: str | None = None,
            **environ):
    form = {"csrf_token": csrf(client), "login": login, "password": password}
    if next_ is not None:
        form["next"] = next_
    return client.post("/login", data=form, environ_base=environ)
