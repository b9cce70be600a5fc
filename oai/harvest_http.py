"""The harvester's HTTP side: sickle's client with bounded retries and tolerant statuses.

503 (and 429) are retried after Retry-After, capped, or after an exponential backoff; so are
connection failures and other 5xx answers. An error answer with a 4xx status that still holds
an OAI-PMH document is read like a 200 (some providers send their errors that way).
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime

import requests
from sickle import Sickle
from sickle.response import OAIResponse

RETRIES = 5  # for 503, 429 and 5xx answers
CONNECT_RETRIES = 3  # for a provider that cannot be reached at all
FIRST_BACKOFF = 1.0  # seconds; doubled at each retry
MAX_WAIT = 120.0  # never sleep longer than this on one retry, whatever Retry-After says
TIMEOUT = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_OAI_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?OAI-PMH[\s>]")


class HarvestError(Exception):
    """A harvest that cannot go on; its message is one sentence for the user."""


def retry_after(response: requests.Response, attempt: int) -> float:
    """Seconds to wait before the next try: Retry-After when given, else a backoff."""
    value = (response.headers.get("Retry-After") or "").strip()
    wait = FIRST_BACKOFF * 2 ** attempt
    if value.isdigit():
        wait = float(value)
    elif value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            wait = (when - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            pass
    return max(0.0, min(wait, MAX_WAIT))


class Client(Sickle):  # type: ignore[misc]
    """A sickle client whose requests retry with bounded waits and never raise on 4xx."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint, max_retries=RETRIES, timeout=TIMEOUT,
                         headers={"User-Agent": "thuvienso-harvester/0.1",
                                  "Accept-Encoding": "gzip, deflate"})

    def harvest(self, **kwargs: str) -> OAIResponse:
        """One OAI-PMH request, retried on 503, 429, 5xx and connection failures."""
        for attempt in range(RETRIES + 1):
            try:
                response = self._request(kwargs)
            except requests.RequestException as error:
                if attempt >= min(RETRIES, CONNECT_RETRIES):
                    raise HarvestError(f"cannot reach {self.endpoint} "
                                       f"({type(error).__name__})") from None
                time.sleep(min(FIRST_BACKOFF * 2 ** attempt, MAX_WAIT))
                continue
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                time.sleep(retry_after(response, attempt))
                continue
            break
        if response.status_code >= 400 and not _OAI_ROOT.search(response.content[:4096]):
            raise HarvestError(f"{self.endpoint} answered HTTP {response.status_code} "
                               f"{response.reason or ''}".rstrip())
        return OAIResponse(response, params=kwargs)
