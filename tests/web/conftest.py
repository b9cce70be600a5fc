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
