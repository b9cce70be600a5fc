"""The CONTRACT's rule that turns a record's identifier into a local item id."""

from __future__ import annotations

import re

MAX_ID = 128
_OUTSIDE = re.compile(r"[^A-Za-z0-9._-]")
_LEADING = re.compile(r"^[-._]+")


def make_id(value: str | None, prefix: str = "") -> str | None:
    """The item id of a value, `prefix` first; None when nothing usable is left.

    Trim white space, replace each character outside `[A-Za-z0-9._-]` with `-`, drop leading
    `-`, `.` and `_`, cut to 128 characters.
    """
    if value is None:
        return None
    local = _LEADING.sub("", _OUTSIDE.sub("-", value.strip()))
    if not local:
        return None
    if prefix:
        local = _LEADING.sub("", _OUTSIDE.sub("-", prefix.strip())) + local
    return local[:MAX_ID] or None


def oai_local_part(identifier: str) -> str:
    """`oai:NAMESPACE:LOCAL` gives LOCAL; any other identifier (`hdl:1765/308`) is kept whole."""
    value = identifier.strip()
    parts = value.split(":", 2)
    if len(parts) == 3 and parts[0].lower() == "oai" and parts[1] and parts[2]:
        return parts[2]
    return value


def id_from_header(identifier: str, prefix: str = "") -> str | None:
    """The item id of an OAI-PMH header identifier."""
    return make_id(oai_local_part(identifier), prefix)
