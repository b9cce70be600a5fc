"""Which items can be disseminated as EDM: Europeana's mandatory rules, decided when written.

The write path keeps the result in item.edm_lacks (space-separated reasons, "" for none), so
that EDM list pages filter on one column. The one reason that depends on a setting, an item
without a statement of its own or its set's, is settled when serving: the library-wide default
statement may fill it (`disseminable`).
"""

from __future__ import annotations

from collections.abc import Iterable

from store.records import DCValue
from store.rights import europeana_accepts

NO_STATEMENT = "no-statement"
REASONS: dict[str, str] = {
    NO_STATEMENT: "no rights statement",
    "refused-statement": "a rights statement Europeana does not accept",
    "title": "no title or description",
    "subject-or-type": "no subject or type",
    "language": "no language (a text needs one)",
}
# DCMI Type vocabulary to edm:type (EDM Mapping Guidelines); anything else is a text.
EDM_TYPES = {"image": "IMAGE", "stillimage": "IMAGE", "sound": "SOUND",
             "movingimage": "VIDEO", "physicalobject": "3D", "3d": "3D"}


def edm_type(types: Iterable[str]) -> str:
    """The edm:type of an item's dc:type values (TEXT unless one names another kind)."""
    for value in types:
        found = EDM_TYPES.get(value.lower().replace(" ", ""))
        if found:
            return found
    return "TEXT"


def edm_lacks(metadata: Iterable[DCValue], rights_uri: str | None) -> str:
    """The reasons an item fails a mandatory EDM rule, space-separated ("" when none)."""
    values: dict[str, list[str]] = {}
    for value in metadata:
        if value.value.strip():
            values.setdefault(value.element, []).append(value.value)
    lacks = []
    if not rights_uri:
        lacks.append(NO_STATEMENT)
    elif not europeana_accepts(rights_uri):
        lacks.append("refused-statement")
    if not values.get("title") and not values.get("description"):
        lacks.append("title")
    if not values.get("subject") and not values.get("type"):
        lacks.append("subject-or-type")
    if edm_type(values.get("type", [])) == "TEXT" and not values.get("language"):
        lacks.append("language")
    return " ".join(lacks)


def disseminable(lacks: str | None, default_rights: str | None) -> bool:
    """Whether an item with these kept reasons is served as EDM under the library's default."""
    return lacks == "" or (lacks == NO_STATEMENT and europeana_accepts(default_rights))


def served_lacks(lacks: str | None, default_rights: str | None) -> list[str]:
    """The reasons in words, the default statement taken into account."""
    keys = (lacks or "").split()
    if NO_STATEMENT in keys and default_rights:
        keys[keys.index(NO_STATEMENT)] = "" if europeana_accepts(default_rights) \
            else "refused-statement"
    return [REASONS[key] for key in keys if key]


def eligible_values(default_rights: str | None) -> tuple[str, ...]:
    """The item.edm_lacks values of the items served as EDM (for a list query's filter)."""
    return ("", NO_STATEMENT) if europeana_accepts(default_rights) else ("",)
