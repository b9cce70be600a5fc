"""IIIF access tokens: short-lived, signed, bound to an origin and to a reader's session.

A token is the signed triple (login, session version, origin) with its time of issue
(itsdangerous, keyed by THUVIENSO_SECRET_KEY, a salt of its own so no other signed value of the
app passes for one). It is worth as much as the reader's session it was made from: the web layer
checks the pair (login, version) against the store on every use, so disabling the reader,
changing the password or the account's end stops its tokens at once, on every node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

from store.write.readers import LOGIN

LIFETIME = 900  # seconds a token is honoured (the viewer asks for a new one after that)
SALT = "thuvienso.iiif-auth-token"
MAX_TOKEN = 512  # characters: anything longer is no token of ours
MAX_MESSAGE_ID = 256  # characters of a viewer's messageId
_ORIGIN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?")
_MESSAGE_ID = re.compile(r"[\x20-\x7e]+")  # printable ASCII


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid token says: this reader's session, for pages of this origin."""

    login: str
    version: int
    origin: str


def normal_origin(text: str | None) -> str | None:
    """A web origin (`scheme://host[:port]`, no path) in its serialised form, lower-cased and
    without a default port, or None for anything else ("*", "null", paths, other schemes)."""
    if not text or len(text) > 300:
        return None
    found = _ORIGIN.fullmatch(text.lower())
    if not found:
        return None
    scheme, host, port = found.groups()
    number = int(port) if port is not None else None
    if number is not None and number > 65535:
        return None
    if number is None or number == {"http": 80, "https": 443}[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{number}"


def origin_of(url: str) -> str:
    """The origin of an absolute URL (the base URL's: the one origin given tokens)."""
    parts = urlsplit(url)
    return normal_origin(f"{parts.scheme}://{parts.netloc}") or ""


def valid_message_id(text: str | None) -> bool:
    """Whether a viewer's messageId is one to echo: printable ASCII, at most 256 characters."""
    return (text is not None and len(text) <= MAX_MESSAGE_ID
            and _MESSAGE_ID.fullmatch(text) is not None)


class TokenSigner:
    """Issues and reads the access tokens of one secret key."""

    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt=SALT)

    def issue(self, login: str, version: int, origin: str) -> str:
        return self.serializer.dumps([login, version, origin])

    def read(self, token: str) -> Grant | None:
        """The grant of a token signed here less than LIFETIME seconds ago, else None."""
        if not token or len(token) > MAX_TOKEN:
            return None
        try:
            value = self.serializer.loads(token, max_age=LIFETIME)
        except BadSignature:  # forged, altered or expired
            return None
        if (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
                and LOGIN.fullmatch(value[0]) and type(value[1]) is int
                and isinstance(value[2], str)):
            return Grant(value[0], value[1], value[2])
        return None


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
