"""Parsing an OAI-PMH request: raw query bytes to a checked OAIRequest, or an OAIError."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote_to_bytes

from oai.dates import UTCDate, end_of, parse_utc
from oai.errors import OAIError

MAX_ARGUMENTS = 16
# Characters XML 1.0 cannot carry: a value holding one can never be a valid argument.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # verb: (required, optional); a resumptionToken is exclusive where the verb takes one
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})


@dataclass(frozen=True)
class OAIRequest:
    """A syntactically valid request: its verb, its arguments, from/until parsed."""

    verb: str
    args: dict[str, str] = field(default_factory=dict)
    from_: datetime | None = None
    until: datetime | None = None

    @property
    def token(self) -> str | None:
        return self.args.get("resumptionToken")


def split_query(raw: bytes) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded bytes to (name, value) pairs, strictly UTF-8."""
    pairs: list[tuple[str, str]] = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        try:
            pair = (unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8"),
                    unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8"))
        except UnicodeDecodeError:
            raise OAIError("badArgument", "the request is not valid UTF-8") from None
        pairs.append(pair)
        if len(pairs) > MAX_ARGUMENTS:
            raise OAIError("badArgument", "too many arguments")
    return pairs


def parse_request(pairs: list[tuple[str, str]]) -> OAIRequest:
    """Check verb and arguments against the protocol; raise OAIError for a bad request."""
    verbs = [value for name, value in pairs if name == "verb"]
    if not verbs or verbs == [""]:
        raise OAIError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OAIError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", "the verb is not an OAI-PMH verb")
    args: dict[str, str] = {}
    for name, value in pairs:
        if name == "verb":
            continue
        if name in args:
            raise OAIError("badArgument", f"the argument {_shown(name)} is repeated")
        if value == "":
            raise OAIError("badArgument", f"the argument {_shown(name)} is empty")
        if _NOT_XML.search(value) or _NOT_XML.search(name):
            raise OAIError("badArgument", "an argument holds characters XML cannot carry")
        args[name] = value
    required, optional = VERBS[verb]
    if "resumptionToken" in args and verb in RESUMABLE:
        if len(args) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return OAIRequest(verb, args)
    unknown = sorted(set(args) - required - optional)
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take the argument {_shown(unknown[0])}")
    missing = sorted(required - set(args))
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument {missing[0]}")
    return _with_dates(OAIRequest(verb, args))


def _with_dates(request: OAIRequest) -> OAIRequest:
    start: UTCDate | None = None
    end: UTCDate | None = None
    if "from" in request.args:
        start = parse_utc(request.args["from"], "from")
    if "until" in request.args:
        end = parse_utc(request.args["until"], "until")
    if start and end:
        if start.day_granularity != end.day_granularity:
            raise OAIError("badArgument", "from and until must have the same granularity")
        if start.value > end.value:
            raise OAIError("badArgument", "from is later than until")
    return OAIRequest(request.verb, request.args, start.value if start else None,
                      end_of(end) if end else None)


def _shown(name: str) -> str:
    """An argument name safe to repeat in a message (short, printable)."""
    clean = "".join(c if c.isprintable() else "?" for c in name[:40])
    return repr(clean)
