"""Fixtures of the web tests."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from store.write import readers


@pytest.fixture
def light_argon2(monkeypatch):
    """argon2id with light parameters, so that tests signing in many times stay quick (the
    store's own tests check the production parameters)."""
    monkeypatch.setattr(readers, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                          parallelism=1))
    monkeypatch.setattr(readers, "_dummy_hash", None)


@pytest.fixture
def browser_page():
    """A page of Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import ARGS, CHROMIUM

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 1100, "height": 800})
        finally:
            browser.close()
