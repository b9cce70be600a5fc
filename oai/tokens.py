"""Stateless resumption tokens: an opaque, HMAC-signed list position.

A token carries everything the next page needs (verb, format, set, window, the last
(datestamp, item id) returned, cursor and list size), so any worker or node can serve it.
Anything altered, cut short or signed with another key is badResumptionToken.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from oai.dates import format_utc, parse_stamp
from oai.errors import OAIError

VERSION = 1
MAX_TOKEN_LENGTH = 2048
_CONTEXT = b"thuvienso-oai-resumption-token\x00"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a list request stands; until is the harvest's inclusive upper bound."""

    verb: str
    prefix: str
    set_spec: str
    from_: datetime | None
    until: datetime
    last_datestamp: datetime
    last_id: str
    cursor: int
    total: int


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), _CONTEXT + payload, hashlib.sha256).digest()[:18]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(position: Position, secret: str) -> str:
    """The signed token of a position."""
    fields = asdict(position)
    fields["from_"] = format_utc(position.from_) if position.from_ else ""
    fields["until"] = format_utc(position.until)
    fields["last_datestamp"] = format_utc(position.last_datestamp)
    payload = json.dumps([VERSION, *fields.values()], ensure_ascii=False,
                         separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def decode(token: str, secret: str, verb: str) -> Position:
    """The position a token of this verb stands for, or badResumptionToken."""
    try:
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise ValueError("shape")
        body, mac = token.split(".")
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(mac), _mac(secret, payload)):
            raise ValueError("signature")
        version, t_verb, prefix, set_spec, from_, until, last_ds, last_id, cursor, total = (
            json.loads(payload))
        if version != VERSION or t_verb != verb:
            raise ValueError("version or verb")
        if not all(isinstance(v, str) for v in (prefix, set_spec, from_, last_id)):
            raise ValueError("types")
        if not (isinstance(cursor, int) and isinstance(total, int)):
            raise ValueError("types")
        return Position(t_verb, prefix, set_spec, parse_stamp(from_) if from_ else None,
                        parse_stamp(until), parse_stamp(last_ds), last_id, cursor, total)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise OAIError("badResumptionToken",
                       "the resumptionToken is not one this repository issued") from None
