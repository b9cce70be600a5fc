"""Settings: defaults, then THUVIENSO_* environment variables, then explicit overrides.

Each field's docstring is its documentation; the README's settings table is checked against it.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from store.rights import canonical

PREFIX = "THUVIENSO_"
# The OAI identifier scheme's repositoryIdentifier: a domain name (thuvien.haiphong.gov.vn).
REPOSITORY_IDENTIFIER = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+",
                                   re.ASCII)


@dataclass(frozen=True)
class Settings:
    data_dir: str = "./instance"
    """Where the embedded database, page images and derivative caches live."""
    database_url: str = ""
    """Any SQLAlchemy URL; default sqlite:///$THUVIENSO_DATA_DIR/thuvienso.sqlite3."""
    base_url: str = ""
    """Public base URL used in every IIIF id and OAI link; empty means taken from the request."""
    repository_name: str = "Thư viện số"
    """OAI-PMH Identify repositoryName."""
    repository_identifier: str = "thuvienso.local"
    """The oai:{this}:{item_id} namespace; a domain name (the OAI identifier syntax)."""
    admin_email: str = "admin@thuvienso.local"
    """OAI-PMH Identify adminEmail."""
    secret_key: str = ""
    """Signs sessions, tokens and resumption tokens; generated once and kept in the data dir."""
    oai_page_size: int = 100
    """Records per OAI-PMH page."""
    rights_default: str = ""
    """The library's default rights statement (a rightsstatements.org or Creative Commons URI)
    for items without their own or their set's; empty: none."""
    edm_provider: str = ""
    """The edm:provider of EDM records (the aggregator the library delivers through); empty:
    the repository name."""
    image_cache_bytes: int = 2 * 1024**3
    """Upper bound of the on-disk cache of rendered IIIF image responses (bytes; 0 turns it off)."""
    image_max_width: int = 6000
    """Largest width of an image response, in pixels (info.json maxWidth)."""
    image_max_height: int = 8000
    """Largest height of an image response, in pixels (info.json maxHeight)."""
    image_max_area: int = 24_000_000
    """Largest pixel count of an image response (info.json maxArea)."""

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'thuvienso.sqlite3'}"


def _coerce(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind in ("int", int):
        try:
            return int(raw)
        except ValueError:
            message = f"{PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            raise ValueError(message) from None
    return raw


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
                  ) -> Settings:
    """Defaults, then THUVIENSO_* variables, then overrides; fills in the secret key."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(PREFIX + f.name.upper())
        if raw is not None and raw != "":
            values[f.name] = _coerce(f.name, raw)
    values.update(overrides or {})
    settings = Settings(**values)
    if not REPOSITORY_IDENTIFIER.fullmatch(settings.repository_identifier):
        raise ValueError(f"{PREFIX}REPOSITORY_IDENTIFIER must be a domain name such as "
                         f"thuvien.haiphong.gov.vn, not {settings.repository_identifier!r}")
    if settings.rights_default:
        settings = replace(settings, rights_default=_statement(settings.rights_default))
    if not settings.secret_key:
        settings = replace(settings, secret_key=_stored_secret(settings.data_path))
    return settings


def _statement(uri: str) -> str:
    """The canonical form of the default statement; ValueError for anything else."""
    found = canonical(uri)
    if found is None:
        raise ValueError(f"{PREFIX}RIGHTS_DEFAULT must be a rightsstatements.org or Creative "
                         f"Commons URI, not {uri!r}")
    return found


def _stored_secret(data_path: Path) -> str:
    """The secret kept in the data dir, created on first use (atomically, readable by owner)."""
    path = data_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_path.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(secrets.token_hex(32))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # first writer wins; others read what it wrote
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
