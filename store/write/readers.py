"""Reader accounts: free accounts valid until a date, passwords hashed with argon2id.

Passwords are hashed by argon2-cffi's `PasswordHasher` (argon2id, RFC 9106 low-memory profile;
the parameters are kept in each hash, and `check_needs_rehash` upgrades old hashes at the next
sign-in). Hashes of the earlier `scrypt$salt$digest` form still verify and are replaced by an
argon2id hash at the reader's next successful sign-in. A sign-in with an unknown login runs the
hasher against a dummy hash, so it costs what a wrong password costs.

Every session carries the reader's `session_version`: disabling an account, changing or
resetting its password raise it, and the per-request check (store.read.readers) then refuses
every session opened before, on every worker and node.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from store.records import ReaderRecord, utc_now
from store.schema.models import Reader, SignInFailure
from store.write.direct_tiles import revoke_at_commit

LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # longer input is refused before hashing (no cost amplification)
HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}
_dummy_hash: str | None = None


class ReaderError(ValueError):
    """A reader command that cannot be carried out (one sentence for the user)."""


def generate_password() -> str:
    """A new password to hand out: 12 characters from the URL-safe alphabet (72 bits)."""
    return secrets.token_urlsafe(9)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _check_scrypt(stored: str, password: str) -> bool:
    try:
        _scheme, salt, digest = stored.split("$")
        expected = base64.b64decode(digest, validate=True)
        candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt, validate=True),
                                   **_SCRYPT)
    except ValueError:
        return False
    return hmac.compare_digest(candidate, expected)


def check_password(stored: str, password: str) -> bool:
    """Whether `password` matches a stored argon2id (or older scrypt) hash."""
    if stored.startswith("scrypt$"):
        return _check_scrypt(stored, password)
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """An scrypt hash, or an argon2 hash made with other parameters than HASHER's."""
    if stored.startswith("scrypt$"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _burn_a_hash(password: str) -> None:
    """Verify against a dummy hash: an unknown login costs what a wrong password costs."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = HASHER.hash(secrets.token_hex(16))
    check_password(_dummy_hash, password)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _record(row: Reader) -> ReaderRecord:
    return ReaderRecord(row.login, row.expires.date(), row.disabled, row.name, row.email,
                        row.group_name, row.session_version)


def _get(session: Session, login: str) -> Reader:
    row = session.scalar(select(Reader).where(Reader.login == login))
    if row is None:
        raise ReaderError(f"there is no reader {login!r}")
    return row


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ReaderError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ReaderError(f"the password must have at most {MAX_PASSWORD} characters")


def check_group(group: str) -> None:
    if not GROUP.fullmatch(group):
        raise ReaderError(f"{group!r} is not a valid group (letters, digits, . _ -; "
                          "at most 64 characters)")


def add_reader(session: Session, login: str, password: str, expires: date,
               name: str | None = None, email: str | None = None, group: str | None = None
               ) -> ReaderRecord:
    if not LOGIN.fullmatch(login):
        raise ReaderError(f"{login!r} is not a valid login (letters, digits, . _ @ -)")
    check_new_password(password)
    if group is not None:
        check_group(group)
    if session.scalar(select(Reader.pk).where(Reader.login == login)) is not None:
        raise ReaderError(f"the reader {login!r} exists already")
    row = Reader(login=login, password_hash=hash_password(password), expires=_midnight(expires),
                 disabled=False, name=name, email=email, group_name=group, session_version=1)
    session.add(row)
    session.flush()
    return _record(row)


def existing_logins(session: Session, logins: Iterable[str]) -> set[str]:
    """Which of these logins have an account already."""
    wanted = list(logins)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(session.scalars(select(Reader.login).where(
            Reader.login.in_(wanted[start:start + 500]))))
    return found


def list_readers(session: Session) -> list[ReaderRecord]:
    return [_record(r) for r in session.scalars(select(Reader).order_by(Reader.login))]


def disable_reader(session: Session, login: str) -> ReaderRecord:
    """Disable an account; its sessions end at once."""
    row = _get(session, login)
    row.disabled = True
    row.session_version += 1
    revoke_at_commit(session, [login])
    return _record(row)


def extend_reader(session: Session, login: str, expires: date) -> ReaderRecord:
    """Set the last valid day (and re-enable). Sessions opened before a disable stay ended."""
    row = _get(session, login)
    row.expires = _midnight(expires)
    row.disabled = False
    revoke_at_commit(session, [login])  # a day ahead of today's may end today's pass
    return _record(row)


def extend_group(session: Session, group: str, expires: date) -> int:
    """Set the last valid day of every account of a group; how many there are."""
    check_group(group)
    revoke_at_commit(session, session.scalars(select(Reader.login).where(
        Reader.group_name == group)))
    result = session.execute(update(Reader).where(Reader.group_name == group)
                             .values(expires=_midnight(expires), disabled=False))
    count = int(getattr(result, "rowcount", 0) or 0)
    if not count:
        raise ReaderError(f"there is no reader in the group {group!r}")
    return count


def set_password(session: Session, login: str, password: str) -> ReaderRecord:
    """A new password (reset or change): every session opened before ends."""
    check_new_password(password)
    row = _get(session, login)
    row.password_hash = hash_password(password)
    row.session_version += 1
    revoke_at_commit(session, [login])
    return _record(row)


SignInResult = Literal["ok", "wrong", "expired", "disabled"]


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in; `reader` is set when the password was right."""

    result: SignInResult
    reader: ReaderRecord | None = None


def sign_in(session: Session, login: str, password: str, today: date) -> SignIn:
    """Check a login and password. An unknown login runs the hasher as a wrong password does;
    a right password on an scrypt or outdated hash is rehashed with argon2id."""
    row = (session.scalar(select(Reader).where(Reader.login == login))
           if LOGIN.fullmatch(login) and len(password) <= MAX_PASSWORD else None)
    if row is None:
        _burn_a_hash(password[:MAX_PASSWORD])
        return SignIn("wrong")
    if not check_password(row.password_hash, password):
        return SignIn("wrong")
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    record = _record(row)
    if record.disabled:
        return SignIn("disabled", record)
    if not record.active_on(today):
        return SignIn("expired", record)
    return SignIn("ok", record)


def authenticate(session: Session, login: str, password: str, today: date) -> ReaderRecord | None:
    """The reader when login and password match and the account is active today."""
    outcome = sign_in(session, login, password, today)
    return outcome.reader if outcome.result == "ok" else None


def record_failure(session: Session, login: str, client: str, window: timedelta) -> None:
    """Count a failed sign-in, and drop every failure older than the window (by the index on
    `at`), so that a guessing campaign over many logins and addresses leaves no heap behind."""
    now = utc_now()
    session.execute(delete(SignInFailure).where(SignInFailure.at < now - window))
    session.add(SignInFailure(login=login[:128], client=client[:64], at=now))
