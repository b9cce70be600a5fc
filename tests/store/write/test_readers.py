"""Reader accounts in the store (both databases): argon2id hashes, the scrypt upgrade, the
cost of unknown logins, session versions, and the sign-in failure counts."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import text

from store.read.readers import session_is_valid, sign_in_throttle
from store.write import readers
from store.write.readers import (
    add_reader,
    disable_reader,
    extend_group,
    extend_reader,
    record_failure,
    set_password,
    sign_in,
)

TODAY = date(2027, 3, 1)
WINDOW = timedelta(minutes=15)


def old_scrypt_hash(password: str) -> str:
    """A hash as thuvienso wrote them before argon2id (scrypt, n=2**14, r=8, p=1)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def stored_hash(store, login: str) -> str:
    with store.reading() as s:
        return s.execute(text("SELECT password_hash FROM reader WHERE login = :l"),
                         {"l": login}).scalar_one()


def test_new_passwords_are_argon2id_with_the_parameters_in_the_hash(store):
    with store.session() as s:
        add_reader(s, "lan", "mật khẩu dài", TODAY)
    stored = stored_hash(store, "lan")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and "mật" not in stored
    with store.session() as s:
        assert sign_in(s, "lan", "mật khẩu dài", TODAY).result == "ok"
        assert sign_in(s, "lan", "mật khẩu dai", TODAY).result == "wrong"


def test_an_scrypt_hash_still_signs_in_and_is_rehashed_with_argon2id(store):
    with store.session() as s:
        add_reader(s, "minh", "placeholder-1", TODAY)
        s.execute(text("UPDATE reader SET password_hash = :h WHERE login = 'minh'"),
                  {"h": old_scrypt_hash("cũ nhưng tốt")})
    with store.session() as s:
        assert sign_in(s, "minh", "sai rồi", TODAY).result == "wrong"
    assert stored_hash(store, "minh").startswith("scrypt$")  # a wrong password changes nothing
    with store.session() as s:
        assert sign_in(s, "minh", "cũ nhưng tốt", TODAY).result == "ok"
    assert stored_hash(store, "minh").startswith("$argon2id$")
    with store.session() as s:
        assert sign_in(s, "minh", "cũ nhưng tốt", TODAY).result == "ok"


def test_an_argon2_hash_with_weaker_parameters_is_rehashed_at_sign_in(store):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with store.session() as s:
        add_reader(s, "an", "placeholder-1", TODAY)
        s.execute(text("UPDATE reader SET password_hash = :h WHERE login = 'an'"),
                  {"h": weak.hash("tám ký tự trở lên")})
    with store.session() as s:
        assert sign_in(s, "an", "tám ký tự trở lên", TODAY).result == "ok"
    assert stored_hash(store, "an").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


class CountingHasher(PasswordHasher):
    calls = 0

    def verify(self, hash, password):  # noqa: A002 - argon2-cffi's own parameter name
        CountingHasher.calls += 1
        return super().verify(hash, password)


@pytest.mark.parametrize("login", ["lan", "nobody", "không-hợp-lệ", "x" * 300])
def test_unknown_logins_run_the_hasher_as_wrong_passwords_do(store, monkeypatch, login):
    with store.session() as s:
        add_reader(s, "lan", "đúng mật khẩu", TODAY)
    monkeypatch.setattr(readers, "HASHER",
                        CountingHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY))
    CountingHasher.calls = 0
    with store.session() as s:
        assert sign_in(s, login, "sai mật khẩu", TODAY).result == "wrong"
    assert CountingHasher.calls == 1


def test_expired_and_disabled_are_told_only_with_the_right_password(store):
    with store.session() as s:
        add_reader(s, "cu", "mật khẩu cũ", date(2027, 2, 28))
        add_reader(s, "khoa", "mật khẩu khoá", TODAY)
        disable_reader(s, "khoa")
    with store.session() as s:
        expired = sign_in(s, "cu", "mật khẩu cũ", TODAY)
        assert expired.result == "expired" and expired.reader.expires == date(2027, 2, 28)
        assert sign_in(s, "cu", "sai", TODAY).result == "wrong"
        assert sign_in(s, "khoa", "mật khẩu khoá", TODAY).result == "disabled"
        assert sign_in(s, "khoa", "sai", TODAY).result == "wrong"
        assert sign_in(s, "cu", "mật khẩu cũ", date(2027, 2, 28)).result == "ok"


def test_disable_and_new_passwords_raise_the_session_version(store):
    with store.session() as s:
        version = add_reader(s, "lan", "mật khẩu một", TODAY).session_version
    with store.reading() as s:
        assert session_is_valid(s, "lan", version, TODAY)
        assert not session_is_valid(s, "lan", version, TODAY + timedelta(days=1))  # expired
        assert not session_is_valid(s, "lan", version + 1, TODAY)
        assert not session_is_valid(s, "ai-đó", version, TODAY)
    with store.session() as s:
        after_reset = set_password(s, "lan", "mật khẩu hai").session_version
    assert after_reset == version + 1
    with store.reading() as s:
        assert not session_is_valid(s, "lan", version, TODAY)
        assert session_is_valid(s, "lan", after_reset, TODAY)
    with store.session() as s:
        disabled = disable_reader(s, "lan").session_version
        extend_reader(s, "lan", TODAY + timedelta(days=30))  # re-enabled, old sessions stay ended
    with store.reading() as s:
        assert not session_is_valid(s, "lan", after_reset, TODAY)
        assert session_is_valid(s, "lan", disabled, TODAY)


def test_a_group_is_extended_together(store):
    with store.session() as s:
        for login in ("a1", "a2"):
            add_reader(s, login, "mật khẩu nhóm", TODAY, group="hoi-sach-2027")
        add_reader(s, "b1", "mật khẩu khác", TODAY)
    with store.session() as s:
        assert extend_group(s, "hoi-sach-2027", date(2028, 1, 31)) == 2
    with store.reading() as s:
        assert session_is_valid(s, "a2", 1, date(2028, 1, 31))
        assert not session_is_valid(s, "b1", 1, date(2028, 1, 31))
    with store.session() as s, pytest.raises(readers.ReaderError, match="no reader in the group"):
        extend_group(s, "khong-co", date(2028, 1, 31))


def test_ten_failures_in_the_window_limit_the_login_and_the_client(store):
    with store.session() as s:
        for _ in range(9):
            record_failure(s, "lan", "192.0.2.1", WINDOW)
    with store.reading() as s:
        assert not sign_in_throttle(s, "lan", "192.0.2.9", 10, WINDOW).limited
    with store.session() as s:
        record_failure(s, "lan", "192.0.2.1", WINDOW)
    with store.reading() as s:
        by_login = sign_in_throttle(s, "lan", "198.51.100.7", 10, WINDOW)
        by_client = sign_in_throttle(s, "another", "192.0.2.1", 10, WINDOW)
        other = sign_in_throttle(s, "another", "198.51.100.7", 10, WINDOW)
    assert by_login.limited and by_client.limited and not other.limited
    assert 0 < by_login.retry_after <= 15 * 60


def test_old_failures_leave_the_window_and_are_dropped(store):
    with store.session() as s:
        for _ in range(10):
            record_failure(s, "lan", "192.0.2.1", WINDOW)
        s.execute(text("UPDATE sign_in_failure SET at = :old"),
                  {"old": readers.utc_now() - timedelta(minutes=16)})
    with store.reading() as s:
        assert not sign_in_throttle(s, "lan", "192.0.2.1", 10, WINDOW).limited
    with store.session() as s:
        record_failure(s, "lan", "192.0.2.1", WINDOW)
    with store.reading() as s:
        assert s.execute(text("SELECT count(*) FROM sign_in_failure")).scalar_one() == 1
