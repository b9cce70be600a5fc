"""IIIF Presentation 3.0 Manifest of one item, built with iiif-prezi3.

Every resource gets an explicit id and every text a full language map: prezi3's auto-id and
auto-language helpers (process-wide state) are never relied upon. The web layer caches the
result per item datestamp (see iiif.presentation_cache); building is the slow path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from iiif_prezi3 import (
    Annotation,
    AnnotationBody,
    AnnotationPage,
    Canvas,
    CanvasRef,
    Homepage,
    KeyValueString,
    LinkedResource,
    Manifest,
    Provider,
    Range,
    ServiceV3,
)

from iiif.contexts import with_auth2_context
from iiif.presentation_labels import (
    ELEMENT_LABELS,
    SUBTITLE_LABEL,
    LanguageMap,
    bilingual,
    element_label,
    plain_map,
    value_map,
)
from iiif.presentation_links import OAI_FORMATS
from iiif.presentation_structures import sections
from store.links import Links
from store.records import ItemRecord, PageRecord

BEHAVIORS = {"paged", "continuous", "individuals", "unordered", "facing-pages", "non-paged"}
DIRECTIONS = {"left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top"}
RIGHTS_HOSTS = ("creativecommons.org/licenses/", "creativecommons.org/publicdomain/",
                "rightsstatements.org/vocab/")
THUMBNAIL_BOX = 200
PORTAL_THUMBNAIL_BOX = 120  # the thumbnails of the portal's result lists
THUMBNAIL_BOXES = (THUMBNAIL_BOX, PORTAL_THUMBNAIL_BOX)  # every thumbnail size in use
ServiceBlocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Services:
    """Seams for the services that later issues add (IIIF Auth, Content Search).

    `image(links, item, page)` gives service blocks nested in each page's ImageService3 (the
    auth services of non-open items: `iiif.auth.PRESENTATION`); `manifest(item, links)`
    gives manifest-level services (the search services). `version` must change whenever their output
    does: it is part of the manifest cache key.
    """

    image: Callable[[Links, ItemRecord, PageRecord], ServiceBlocks] | None = None
    manifest: Callable[[ItemRecord, Links], ServiceBlocks] | None = None
    version: str = "none"


NO_SERVICES = Services()


def rights_uri(uri: str | None) -> str | None:
    """The licence URI in the form Presentation 3.0 accepts (http, CC or RightsStatements)."""
    if not uri:
        return None
    uri = uri.strip()
    rest = uri.split("://", 1)[-1]
    rest = rest[4:] if rest.startswith("www.") else rest
    if not rest.startswith(RIGHTS_HOSTS):
        return None
    return "http://" + rest


def image_service(links: Links, page: PageRecord, nested: ServiceBlocks | None = None
                  ) -> ServiceV3:
    """The ImageService3 block of a page (type given: Mirador does not read 'level2' alone)."""
    extra: dict[str, Any] = {"service": nested} if nested else {}
    return ServiceV3(id=links.image_service(page.image_id), type="ImageService3",
                     profile="level2", **extra)


def thumbnail_size(width: int, height: int, box: int = THUMBNAIL_BOX) -> tuple[int, int]:
    """Width and height that fit a page in a box, never larger than the page."""
    scale = min(box / width, box / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def thumbnail(links: Links, page: PageRecord, service: ServiceV3, box: int = THUMBNAIL_BOX
              ) -> AnnotationBody:
    """A small JPEG of a page at an exact size, with the page's image service."""
    w, h = thumbnail_size(page.width, page.height, box)
    return AnnotationBody(id=links.image(page.image_id, f"{w},{h}"), type="Image",
                          format="image/jpeg", width=w, height=h, service=[service])


def _canvas(item: ItemRecord, page: PageRecord, links: Links, service: ServiceV3) -> Canvas:
    canvas_id = links.canvas(item.item_id, page.seq)
    body = AnnotationBody(id=links.image(page.image_id), type="Image", format="image/jpeg",
                          width=page.width, height=page.height, service=[service])
    painting = Annotation(id=links.painting(item.item_id, page.seq), motivation="painting",
                          body=body, target=canvas_id)
    label = page.label.strip() if page.label and page.label.strip() else str(page.seq)
    return Canvas(id=canvas_id, label=plain_map(label), width=page.width, height=page.height,
                  items=[AnnotationPage(id=links.annotation_page(item.item_id, page.seq),
                                        items=[painting])])


def _metadata(item: ItemRecord) -> list[KeyValueString]:
    out = []
    for element in ELEMENT_LABELS:
        values = [v for v in item.metadata if v.element == element]
        if values:
            out.append(KeyValueString(label=element_label(element), value=value_map(values)))
        if element == "title" and item.subtitle:
            out.append(KeyValueString(label=bilingual(*SUBTITLE_LABEL),
                                      value=plain_map(item.subtitle)))
    return out


def item_label(item: ItemRecord) -> LanguageMap:
    """The item's titles as a language map (its id when it has no title)."""
    titles = [v for v in item.metadata if v.element == "title"]
    return value_map(titles) if titles else plain_map(item.item_id)


def provider(links: Links) -> Provider:
    """The library as the provider of every resource."""
    name = plain_map(links.repository_name)
    return Provider(
        id=links.home(), type="Agent", label=name,
        homepage=[Homepage(id=links.home(), type="Text", format="text/html", label=name,
                           language=["vi", "en"])],
        logo=[AnnotationBody(id=links.logo(), type="Image", format="image/svg+xml")])


def required_statement(links: Links) -> KeyValueString:
    name = links.repository_name
    return KeyValueString(label=bilingual("Ghi công", "Attribution"),
                          value=bilingual(f"Tài liệu số của {name}", f"Digitised by {name}"))


def _structures(item: ItemRecord, links: Links) -> list[Range]:
    return [Range(id=links.range(item.item_id, n), label=plain_map(label),
                  items=[CanvasRef(id=links.canvas(item.item_id, seq), type="Canvas")
                         for seq in seqs])
            for n, (label, seqs) in enumerate(sections(item.pages), start=1)]


def build_manifest(item: ItemRecord, set_names: Mapping[str, str], links: Links,
                   services: Services = NO_SERVICES) -> Manifest:
    """The Manifest of an item that has pages; `set_names` maps its set specs to names."""
    if item.deleted or not item.pages:
        raise ValueError(f"item {item.item_id} has no manifest (deleted or without pages)")
    page_services = [image_service(links, p, services.image(links, item, p) if services.image
                                   else None) for p in item.pages]
    optional: dict[str, Any] = {}
    descriptions = [v for v in item.metadata if v.element == "description"]
    if descriptions:
        optional["summary"] = value_map(descriptions)
    if rights := rights_uri(item.rights_uri):
        optional["rights"] = rights
    if item.behavior in BEHAVIORS:
        optional["behavior"] = [item.behavior]
    if item.viewing_direction in DIRECTIONS:
        optional["viewingDirection"] = item.viewing_direction
    if item.sets:
        optional["partOf"] = [{"id": links.collection(spec), "type": "Collection",
                               "label": plain_map(set_names.get(spec, spec))}
                              for spec in item.sets]
    if structures := _structures(item, links):
        optional["structures"] = structures
    if services.manifest and (blocks := services.manifest(item, links)):
        optional["service"] = blocks
    label = item_label(item)
    return Manifest(
        id=links.manifest(item.item_id), label=label, metadata=_metadata(item),
        requiredStatement=required_statement(links), provider=[provider(links)],
        thumbnail=[thumbnail(links, item.pages[0], page_services[0])],
        homepage=[Homepage(id=links.item_page(item.item_id), type="Text", format="text/html",
                           label=label, language=["vi", "en"])],
        seeAlso=[LinkedResource(id=links.oai_record(item.item_id, prefix), type="Dataset",
                                format="application/xml", profile=profile,
                                label=plain_map(name))
                 for prefix, (profile, name) in OAI_FORMATS.items()],
        items=[_canvas(item, p, links, s) for p, s in zip(item.pages, page_services, strict=True)],
        **optional)


def to_json_bytes(resource: Manifest | Any) -> bytes:
    """The JSON-LD document of a prezi3 resource, UTF-8, compact (with Auth 2.0's context when
    it embeds Auth 2.0 services)."""
    doc = with_auth2_context(json.loads(resource.jsonld()))
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
