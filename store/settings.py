"""Settings: defaults, then THUVIENSO_* environment variables, then explicit overrides.

Each field's docstring is its documentation; the README's settings table is checked against it.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from store.rights import canonical

PREFIX = "THUVIENSO_"
MIN_SECRET = 32  # characters of a secret key, at least
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
    trusted_hosts: str = ""
    """Host names answered, comma-separated (.example.org admits its subdomains); default the
    host of THUVIENSO_BASE_URL, else localhost, 127.0.0.1 and [::1]."""
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
    library_contact: str = ""
    """Whom a reader asks about an account (shown to expired readers), e.g. an email or desk."""
    trusted_proxies: int = 0
    """How many proxy hops in front of the app to trust for the client address (X-Forwarded-*)."""
    open_thumbnails: bool = False
    """Open the thumbnails of `readers` items (the sizes manifests and the portal use) to all."""
    nginx: bool = False
    """nginx is in front (`thuvienso deploy nginx`): open images' tiles are written to the tile
    tree it serves itself, and other images' tiles handed to it with X-Accel-Redirect."""
    harvest_max_bytes: int = 64 * 1024**2
    """Largest response the harvester reads from a provider, decompressed (bytes)."""
    harvest_timeout: int = 120
    """Longest time the harvester waits for one whole response from a provider (seconds)."""

    @property
    def data_path(self) -> Path:
        """The data dir as an absolute path (every image request asks: resolved once per
        working directory)."""
        return _resolved(os.getcwd(), self.data_dir)

    @property
    def trusted_host_names(self) -> tuple[str, ...]:
        """The Host names (no port, lower case) requests may carry; any other gets 400."""
        if self.trusted_hosts.strip():
            names = self.trusted_hosts.split(",")
        elif self.base_url:
            host = urlsplit(self.base_url).hostname or ""
            names = [f"[{host}]" if ":" in host else host]
        else:
            names = ["localhost", "127.0.0.1", "[::1]"]
        return tuple(name.strip().lower() for name in names if name.strip())

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'thuvienso.sqlite3'}"


@lru_cache(maxsize=64)
def _resolved(cwd: str, path: str) -> Path:
    return (Path(cwd) / path).resolve()


def _coerce(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind in ("int", int):
        try:
            return int(raw)
        except ValueError:
            message = f"{PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            raise ValueError(message) from None
    if kind in ("bool", bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{PREFIX}{name.upper()} must be true or false, not {raw!r}")
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
    if "secret_key" in values and len(values["secret_key"].strip()) < MIN_SECRET:
        raise ValueError(f"{PREFIX}SECRET_KEY must have at least {MIN_SECRET} characters "
                         "(python3 -c 'import secrets; print(secrets.token_hex(32))' makes one)")
    values.update(overrides or {})
    settings = Settings(**values)
    if not REPOSITORY_IDENTIFIER.fullmatch(settings.repository_identifier):
        raise ValueError(f"{PREFIX}REPOSITORY_IDENTIFIER must be a domain name such as "
                         f"thuvien.haiphong.gov.vn, not {settings.repository_identifier!r}")
    if settings.trusted_proxies < 0:
        raise ValueError(f"{PREFIX}TRUSTED_PROXIES must be 0 or more, not "
                         f"{settings.trusted_proxies}")
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
    """The secret kept in the data dir, created on first use: atomically, and readable by its
    owner only from the start (never chmod-ed after being written)."""
    path = data_path / "secret_key"
    if not path.exists():
        data_path.mkdir(mode=0o750, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
                fh.write(secrets.token_hex(32))
            os.link(tmp, path)  # first writer wins; others read what it wrote
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET:
        raise ValueError(f"the secret key file {path} holds fewer than {MIN_SECRET} characters: "
                         "delete it to have a new one made")
    return secret
