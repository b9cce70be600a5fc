"""`thuvienso reader import`: reader accounts of a library campaign from a CSV file.

The file has a header row naming its columns: `login` (required), `name` and `email`
(optional), in any order. Every row is checked before anything is written; problems are
`FILE: line N: reason`, and one problem writes nothing. Logins that have an account already
are skipped (and counted); every new account gets a generated password, returned once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from store.db import Store
from store.write.readers import (
    LOGIN,
    add_reader,
    check_group,
    existing_logins,
    generate_password,
)

COLUMNS = ("login", "name", "email")
MAX_ROWS = 100_000
MAX_NAME = 200
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ReaderFileError(ValueError):
    """The file cannot be imported: every problem found, one `FILE: line N: reason` a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ReaderRow:
    line: int
    login: str
    name: str | None
    email: str | None


@dataclass
class ReaderImport:
    """What an import did: the new accounts with their passwords, and the logins skipped."""

    created: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{len(self.created)} readers added, {len(self.skipped)} skipped (login exists)"


def _row(cells: dict[str, str], line: int, where: str, seen: set[str],
         problems: list[str]) -> ReaderRow | None:
    login = cells.get("login", "").strip()
    name = cells.get("name", "").strip() or None
    email = cells.get("email", "").strip() or None
    reason = None
    if not login:
        reason = "the login is empty"
    elif not LOGIN.fullmatch(login):
        reason = f"{login!r} is not a valid login (letters, digits, . _ @ -; at most 128)"
    elif login in seen:
        reason = f"the login {login!r} is given twice"
    elif name and (len(name) > MAX_NAME or _CONTROL.search(name)):
        reason = f"the name must be at most {MAX_NAME} characters, without control characters"
    elif email and not EMAIL.fullmatch(email):
        reason = f"{email!r} is not an email address"
    if reason:
        problems.append(f"{where}: line {line}: {reason}")
        return None
    seen.add(login)
    return ReaderRow(line, login, name, email)


def read_reader_csv(path: Path) -> list[ReaderRow]:
    """The rows of a reader file, or ReaderFileError with every problem found."""
    where = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise ReaderFileError([f"{where}: the file is not UTF-8 text"]) from None
    except csv.Error as error:
        raise ReaderFileError([f"{where}: {error}"]) from None
    except OSError as error:
        raise ReaderFileError([f"{where}: {error.strerror or error}"]) from None
    if not table or not any(cell.strip() for cell in table[0]):
        raise ReaderFileError([f"{where}: line 1: a header row is needed (login, name, email)"])
    header = [cell.strip().lower() for cell in table[0]]
    unknown = [c for c in header if c not in COLUMNS]
    if "login" not in header or unknown or len(set(header)) != len(header):
        raise ReaderFileError([f"{where}: line 1: the header must name login and optionally "
                               f"name and email, each once (found {', '.join(header)})"])
    if len(table) - 1 > MAX_ROWS:
        raise ReaderFileError([f"{where}: more than {MAX_ROWS} readers in one file"])
    rows: list[ReaderRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(f"{where}: line {line}: {len(cells)} fields, the header has "
                            f"{len(header)}")
            continue
        row = _row(dict(zip(header, cells, strict=False)), line, where, seen, problems)
        if row:
            rows.append(row)
    if problems:
        raise ReaderFileError(problems)
    if not rows:
        raise ReaderFileError([f"{where}: the file names no reader"])
    return rows


def import_readers(store: Store, rows: list[ReaderRow], expires: date, group: str | None,
                   before_commit: Callable[[ReaderImport], None] | None = None
                   ) -> ReaderImport:
    """Create the accounts of new logins in one transaction. `before_commit(result)` runs
    inside it (the CLI writes the password file there), so a failure there writes nothing."""
    if group is not None:
        check_group(group)
    result = ReaderImport()
    with store.session() as session:
        existing = existing_logins(session, [row.login for row in rows])
        for row in rows:
            if row.login in existing:
                result.skipped.append(row.login)
                continue
            password = generate_password()
            add_reader(session, row.login, password, expires, row.name, row.email, group)
            result.created.append((row.login, password))
        if before_commit:
            before_commit(result)
    return result
