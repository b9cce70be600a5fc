"""Constants the Presentation API documents and the portal share (the URLs: store.links)."""

from __future__ import annotations

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
OAI_FORMATS: dict[str, tuple[str, str]] = {
    # metadataPrefix: (profile, label)
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc/", "Dublin Core (OAI-PMH)"),
    "marc21": ("http://www.loc.gov/MARC21/slim", "MARC 21 XML (OAI-PMH)"),
    "mods": ("http://www.loc.gov/mods/v3", "MODS (OAI-PMH)"),
}
