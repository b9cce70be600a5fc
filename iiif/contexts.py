"""JSON-LD contexts of documents that embed services of another IIIF API.

IIIF Authorization Flow 2.0, 2.1: when its services are embedded in an Image API 3.0 service
(info.json) or a Presentation 3.0 resource (a manifest, a collection), the Auth 2.0 context
MUST be listed in that document's `@context`, before the Image or Presentation context.
"""

from __future__ import annotations

from typing import Any

AUTH2_CONTEXT = "http://iiif.io/api/auth/2/context.json"
AUTH2_TYPES = frozenset({"AuthProbeService2", "AuthAccessService2", "AuthAccessTokenService2",
                         "AuthLogoutService2"})


def _has_auth2(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get("type") in AUTH2_TYPES or any(_has_auth2(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_auth2(v) for v in value)
    return False


def with_auth2_context(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with Auth 2.0's context first in its `@context` when it embeds Auth 2.0 services
    (changed in place, and returned)."""
    current = doc.get("@context")
    contexts = current if isinstance(current, list) else [current]
    if current is not None and AUTH2_CONTEXT not in contexts and _has_auth2(
            [value for key, value in doc.items() if key != "@context"]):
        doc["@context"] = [AUTH2_CONTEXT, *contexts]
    return doc
