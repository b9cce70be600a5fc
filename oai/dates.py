"""UTC datestamps: the two OAI-PMH granularities, parsing and formatting."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from oai.errors import OAIError

_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_SECONDS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z",
                      re.ASCII)
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class UTCDate:
    """A from/until argument: naive UTC datetime and whether it was given to the day."""

    value: datetime
    day_granularity: bool


def parse_utc(raw: str, name: str) -> UTCDate:
    """Parse YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ; anything else is badArgument."""
    match = _SECONDS.fullmatch(raw) or _DAY.fullmatch(raw)
    if not match:
        raise OAIError("badArgument",
                       f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)")
    try:
        value = datetime(*(int(part) for part in match.groups()))  # type: ignore[arg-type, misc]
    except ValueError:
        raise OAIError("badArgument", f"{name} is not a valid date") from None
    return UTCDate(value, len(match.groups()) == 3)


def end_of(date: UTCDate) -> datetime:
    """The last second an inclusive until covers."""
    if date.day_granularity:
        return date.value.replace(hour=23, minute=59, second=59)
    return date.value


@functools.lru_cache(maxsize=1024)  # list pages repeat datestamps: items come in batches
def format_utc(value: datetime) -> str:
    """YYYY-MM-DDThh:mm:ssZ of a naive UTC datetime (the year zero-padded: strftime's %Y is
    not, before 1000)."""
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z")


def parse_stamp(raw: str) -> datetime:
    """A datestamp written by format_utc (ValueError otherwise)."""
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ")
