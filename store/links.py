"""Every absolute URL the app publishes, built from one base URL: the public URL layout.

Pure string templates, no HTTP: the web layer makes one `Links` per request from the public
base URL and passes it to the IIIF documents, the Image API and the OAI-PMH answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class Links:
    """URL builder for one public base URL (no trailing slash) and one OAI namespace."""

    base_url: str
    repository_identifier: str = "thuvienso.local"
    repository_name: str = "Thư viện số"

    @classmethod
    def make(cls, base_url: str, repository_identifier: str, repository_name: str) -> Links:
        return cls(base_url.rstrip("/"), repository_identifier, repository_name)

    # Presentation API resources
    def manifest(self, item_id: str) -> str:
        return f"{self.base_url}/iiif/{item_id}/manifest"

    def canvas(self, item_id: str, seq: int) -> str:
        return f"{self.base_url}/iiif/{item_id}/canvas/p{seq}"

    def annotation_page(self, item_id: str, seq: int) -> str:
        return f"{self.base_url}/iiif/{item_id}/page/p{seq}"

    def painting(self, item_id: str, seq: int) -> str:
        return f"{self.base_url}/iiif/{item_id}/annotation/p{seq}-image"

    def range(self, item_id: str, number: int) -> str:
        return f"{self.base_url}/iiif/{item_id}/range/r{number}"

    def search(self, item_id: str, version: int) -> str:
        """The item's Content Search service (version 1 or 2)."""
        return f"{self.base_url}/iiif/{item_id}/search/{version}"

    def autocomplete(self, item_id: str, version: int) -> str:
        return f"{self.base_url}/iiif/{item_id}/autocomplete/{version}"

    def search_hit(self, item_id: str, version: int, seq: int, number: int) -> str:
        """One hit of a content search (an annotation on page `seq`)."""
        return f"{self.base_url}/iiif/{item_id}/search/{version}/p{seq}/h{number}"

    def top_collection(self) -> str:
        return f"{self.base_url}/iiif/collection/top"

    def collection(self, spec: str) -> str:
        return f"{self.base_url}/iiif/collection/{quote(spec, safe=':')}"

    # Change Discovery API
    def discovery(self) -> str:
        return f"{self.base_url}/iiif/discovery/activity"

    def discovery_page(self, number: int) -> str:
        return f"{self.base_url}/iiif/discovery/activity/page/{number}"

    # Image API
    def image_service(self, image_id: str) -> str:
        """The service's URL, the image id escaped (a valid id needs no escaping)."""
        return f"{self.base_url}/iiif/image/{quote(image_id, safe='')}"

    def image(self, image_id: str, size: str = "max") -> str:
        return f"{self.image_service(image_id)}/full/{size}/0/default.jpg"

    # IIIF Authorization (1.0 for Mirador 4, Flow 2.0 beside it)
    def auth_sign_in(self) -> str:
        """The window a viewer opens to sign the reader in (Auth 1.0 login service and Auth 2.0
        access service); a plain path, as viewers append `?origin=` to it."""
        return f"{self.base_url}/auth/sign-in"

    def auth_token(self, version: int) -> str:
        """The access token service of Auth 1.0 or 2.0 (the postMessage iframe page)."""
        return f"{self.base_url}/auth/{version}/token"

    def auth_logout(self) -> str:
        """The sign-out window of both versions."""
        return f"{self.base_url}/auth/sign-out"

    def auth_probe(self, image_id: str) -> str:
        """The Auth 2.0 probe service of one image."""
        return f"{self.base_url}/auth/2/probe/{quote(image_id, safe='')}"

    def auth_text_probe(self, item_id: str) -> str:
        """The Auth 2.0 probe service of one item's text (its search services)."""
        return f"{self.base_url}/auth/2/probe/text/{quote(item_id, safe='')}"

    # Portal and OAI-PMH
    def home(self) -> str:
        return f"{self.base_url}/"

    def item_page(self, item_id: str, page: int | None = None) -> str:
        """The item's page; with `page`, the viewer opens at that page."""
        return f"{self.base_url}/items/{item_id}" + (f"?page={page}" if page else "")

    def page_text(self, item_id: str, seq: int) -> str:
        """The text view of one page (HTML)."""
        return f"{self.base_url}/items/{item_id}/pages/{seq}/text"

    def item_text(self, item_id: str) -> str:
        """The whole item's text as a plain-text download."""
        return f"{self.base_url}/items/{item_id}/text.txt"

    def logo(self) -> str:
        return f"{self.base_url}/static/library-logo.svg"

    def sitemap_index(self) -> str:
        return f"{self.base_url}/sitemap.xml"

    def sitemap(self, number: int) -> str:
        return f"{self.base_url}/sitemaps/{number}.xml"

    def oai_endpoint(self) -> str:
        return f"{self.base_url}/oai"

    @property
    def oai_id_prefix(self) -> str:
        """What an item id is prefixed with to make its OAI identifier."""
        return f"oai:{self.repository_identifier}:"

    def oai_identifier(self, item_id: str) -> str:
        return f"{self.oai_id_prefix}{item_id}"

    def oai_record(self, item_id: str, prefix: str) -> str:
        return (f"{self.oai_endpoint()}?verb=GetRecord&metadataPrefix={prefix}"
                f"&identifier={self.oai_identifier(item_id)}")
