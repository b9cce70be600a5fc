"""The single gate of the Image API: may this requester see this page image?

Every info.json and image response passes through `allows()`. The web layer says who is asking
(a `Requester`: the reader of a session cookie or of an access token, web.sessions); another
rule plugs in as a `policy` (same signature as `default_policy`). A refused info.json is still
an info.json (status 401) carrying the IIIF Auth services (iiif.auth) that lead to sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from iiif.image_errors import IIIFError
from store.records import PageImage


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking: anonymous unless a reader identity has been established upstream."""

    reader: str | None = None  # login of a signed-in reader whose account is valid now


ANONYMOUS = Requester()
Policy = Callable[[PageImage, Requester], bool]
# Who is asking, or how to find out: a callable is asked only when a page is refused to
# anonymous requesters, so open images never cost a session check.
Asking = Requester | Callable[[], Requester]


def default_policy(page: PageImage, requester: Requester) -> bool:
    """`open` images for everyone; `readers` images for a signed-in reader; nothing else."""
    if page.access == "open":
        return True
    return page.access == "readers" and requester.reader is not None


def is_public(page: PageImage) -> bool:
    """Whether responses may be cached by shared caches (Cache-Control public)."""
    return page.access == "open"


def allows(page: PageImage, requester: Asking, policy: Policy = default_policy) -> bool:
    """Whether the requester may see the page (a callable requester is asked only if the page
    is refused to anonymous requesters)."""
    if isinstance(requester, Requester):
        return policy(page, requester)
    return policy(page, ANONYMOUS) or policy(page, requester())


def refusal(document: dict[str, Any] | None = None) -> IIIFError:
    """The 401 that every refused image gets (an info.json's carries `document`)."""
    return IIIFError(401, "", "this image is not open to the public; sign in as a reader with "
                              "access to it", document)


def text_levels(requester: Requester) -> tuple[str, ...]:
    """The access levels whose page text (text views, snippets, content search) this requester
    may read: as for images by default, and never `restricted`."""
    return ("open", "readers") if requester.reader is not None else ("open",)


def may_read_text(level: str, requester: Requester) -> bool:
    """Whether the requester may read the page text of an item of this access level."""
    return level in text_levels(requester)
