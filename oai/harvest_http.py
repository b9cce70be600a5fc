"""The harvester's HTTP side: sickle's client with bounded retries and tolerant statuses.

503 (and 429) are retried after Retry-After, capped, or after an exponential backoff; so are
connection failures and other 5xx answers. An error answer with a 4xx status that still holds
an OAI-PMH document is read like a 200 (some providers send their errors that way).

A response is read as a stream, one network read at a time, so that its decompressed size
(`max_bytes`) and the total time of the request (`timeout`) are bounded whatever the provider
sends: a gzip bomb or a body trickled a byte a second is a HarvestError, not a stuck harvest.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3
from sickle import Sickle
from sickle.response import OAIResponse

from store.records import whole_number

RETRIES = 5  # for 503, 429 and 5xx answers
CONNECT_RETRIES = 3  # for a provider that cannot be reached at all
FIRST_BACKOFF = 1.0  # seconds; doubled at each retry
MAX_WAIT = 120.0  # never sleep longer than this on one retry, whatever Retry-After says
TIMEOUT = 60.0  # the longest wait for one network read (bounded by the request's timeout too)
READ_SIZE = 65536  # decompressed bytes taken from the stream at a time
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_OAI_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?OAI-PMH[\s>]")


class HarvestError(Exception):
    """A harvest that cannot go on; its message is one sentence for the user."""


def retry_after(response: requests.Response, attempt: int) -> float:
    """Seconds to wait before the next try: Retry-After when given, else a backoff."""
    value = (response.headers.get("Retry-After") or "").strip()
    wait = FIRST_BACKOFF * 2 ** attempt
    seconds = whole_number(value)
    if seconds is not None:
        wait = float(seconds)
    elif value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            wait = (when - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            pass
    return max(0.0, min(wait, MAX_WAIT))


class Client(Sickle):  # type: ignore[misc]
    """A sickle client whose requests retry with bounded waits and never raise on 4xx."""

    def __init__(self, endpoint: str, max_bytes: int = 64 * 1024**2,
                 timeout: float = 120.0) -> None:
        super().__init__(endpoint, max_retries=RETRIES, timeout=min(TIMEOUT, timeout),
                         headers={"User-Agent": "thuvienso-harvester/0.1",
                                  "Accept-Encoding": "gzip, deflate"})
        self.max_bytes, self.total_timeout = max_bytes, timeout

    def _request(self, kwargs: dict[str, str]) -> requests.Response:
        """One GET, its body read within the size and time bounds (HarvestError beyond)."""
        deadline = time.monotonic() + self.total_timeout
        args: dict[str, Any] = dict(self.request_args)
        timeout = args.pop("timeout")
        with requests.get(self.endpoint, params=kwargs, timeout=timeout, stream=True,
                          **args) as response:
            body = bytearray()
            try:
                while chunk := response.raw.read1(READ_SIZE, decode_content=True):
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise HarvestError(f"{self.endpoint} sent a response larger than "
                                           f"{self.max_bytes} bytes "
                                           "(THUVIENSO_HARVEST_MAX_BYTES)")
                    if time.monotonic() > deadline:
                        raise HarvestError(f"{self.endpoint} took longer than "
                                           f"{self.total_timeout:g} s to send one response "
                                           "(THUVIENSO_HARVEST_TIMEOUT)")
            except (urllib3.exceptions.HTTPError, OSError) as error:
                # cut off, timed out or undecodable midway: what requests raises for a body
                # it reads itself, so that the retries above apply
                raise requests.ConnectionError(error) from error
            response._content = bytes(body)
        return response

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
