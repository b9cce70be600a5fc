"""IIIF Presentation 3.0 Collections that follow the OAI-PMH set hierarchy ('a:b' is in 'a')."""

from __future__ import annotations

from collections.abc import Sequence

from iiif_prezi3 import Collection, CollectionRef, ManifestRef

from iiif.discovery import DISCOVERY_CONTEXT
from iiif.manifest import image_service, provider, required_statement, thumbnail
from iiif.presentation_labels import LanguageMap, bilingual, plain_map, value_map
from store.links import Links
from store.read.presentation import Member
from store.records import SetRecord, set_lineage


def parent_spec(spec: str) -> str | None:
    above = set_lineage(spec)[:-1]
    return above[-1] if above else None


def child_sets(sets: Sequence[SetRecord], spec: str | None) -> list[SetRecord]:
    """The sets directly below a spec (below the top when spec is None), in spec order."""
    return [s for s in sets if parent_spec(s.spec) == spec]


def sets_by_parent(sets: Sequence[SetRecord]) -> dict[str | None, list[SetRecord]]:
    """Every set's children (the top's under None), in spec order: one pass over the sets,
    so that a page showing the whole tree costs O(sets), not a child_sets call per set."""
    children: dict[str | None, list[SetRecord]] = {}
    for subset in sets:
        children.setdefault(parent_spec(subset.spec), []).append(subset)
    return children


def member_label(member: Member) -> LanguageMap:
    return value_map(member.titles) if member.titles else plain_map(member.item_id)


def _manifest_ref(member: Member, links: Links) -> ManifestRef:
    extra = {}
    if member.first_page is not None:
        page = member.first_page
        extra["thumbnail"] = [thumbnail(links, page, image_service(links, page))]
    return ManifestRef(id=links.manifest(member.item_id), type="Manifest",
                       label=member_label(member), **extra)


def _collection_ref(subset: SetRecord, links: Links) -> CollectionRef:
    return CollectionRef(id=links.collection(subset.spec), type="Collection",
                         label=plain_map(subset.name))


def top_collection(sets: Sequence[SetRecord], links: Links) -> Collection:
    """The Collection of all top-level sets."""
    name = links.repository_name
    return Collection(
        id=links.top_collection(), type="Collection",
        label=bilingual(f"{name}: tất cả bộ sưu tập", f"{name}: all collections"),
        requiredStatement=required_statement(links), provider=[provider(links)],
        homepage=[{"id": links.home(), "type": "Text", "format": "text/html",
                   "label": plain_map(name)}],
        seeAlso=[{"id": links.discovery(), "type": "Dataset", "format": "application/ld+json",
                  "profile": DISCOVERY_CONTEXT,
                  "label": bilingual("Dòng thay đổi (IIIF Change Discovery)",
                                     "Changes (IIIF Change Discovery)")}],
        items=[_collection_ref(s, links) for s in sets_by_parent(sets).get(None, [])])


def set_collection(subset: SetRecord, sets: Sequence[SetRecord], items: Sequence[Member],
                   links: Links) -> Collection:
    """One set: its subsets as Collections, then the Manifests of the items filed in it."""
    parent = parent_spec(subset.spec)
    parent_ref = ({"id": links.collection(parent), "type": "Collection",
                   "label": plain_map(next((s.name for s in sets if s.spec == parent), parent))}
                  if parent else
                  {"id": links.top_collection(), "type": "Collection",
                   "label": plain_map(links.repository_name)})
    extra = {"summary": plain_map(subset.description)} if subset.description else {}
    refs: list[CollectionRef | ManifestRef] = [_collection_ref(s, links)
                                               for s in child_sets(sets, subset.spec)]
    refs += [_manifest_ref(m, links) for m in items]
    return Collection(
        id=links.collection(subset.spec), type="Collection", label=plain_map(subset.name),
        requiredStatement=required_statement(links), provider=[provider(links)],
        partOf=[parent_ref], items=refs, **extra)
