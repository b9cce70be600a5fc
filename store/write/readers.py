"""Reader accounts: free accounts valid until a date, passwords hashed with scrypt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.schema.models import Reader

LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class ReaderError(ValueError):
    """A reader command that cannot be carried out (one sentence for the user)."""


@dataclass(frozen=True, slots=True)
class ReaderRecord:
    login: str
    expires: date
    disabled: bool

    def active_on(self, day: date) -> bool:
        return not self.disabled and day <= self.expires


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _record(row: Reader) -> ReaderRecord:
    return ReaderRecord(row.login, row.expires.date(), row.disabled)


def _get(session: Session, login: str) -> Reader:
    row = session.scalar(select(Reader).where(Reader.login == login))
    if row is None:
        raise ReaderError(f"there is no reader {login!r}")
    return row


def add_reader(session: Session, login: str, password: str, expires: date) -> ReaderRecord:
    if not LOGIN.fullmatch(login):
        raise ReaderError(f"{login!r} is not a valid login (letters, digits, . _ @ -)")
    if session.scalar(select(Reader).where(Reader.login == login)) is not None:
        raise ReaderError(f"the reader {login!r} exists already")
    row = Reader(login=login, password_hash=hash_password(password),
                 expires=datetime.combine(expires, datetime.min.time()), disabled=False)
    session.add(row)
    return _record(row)


def list_readers(session: Session) -> list[ReaderRecord]:
    return [_record(r) for r in session.scalars(select(Reader).order_by(Reader.login))]


def disable_reader(session: Session, login: str) -> ReaderRecord:
    row = _get(session, login)
    row.disabled = True
    return _record(row)


def extend_reader(session: Session, login: str, expires: date) -> ReaderRecord:
    row = _get(session, login)
    row.expires = datetime.combine(expires, datetime.min.time())
    row.disabled = False
    return _record(row)


def authenticate(session: Session, login: str, password: str, today: date) -> ReaderRecord | None:
    """The reader when login and password match and the account is active today."""
    row = session.scalar(select(Reader).where(Reader.login == login))
    if row is None or not check_password(row.password_hash, password):
        return None
    record = _record(row)
    return record if record.active_on(today) else None
