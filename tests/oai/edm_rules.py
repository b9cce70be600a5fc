"""Europeana's own validation of EDM records: its XML Schema (lxml) and its Schematron rules
(the compiled XSLT 2.0 of tests/data/edm, run by Saxon-HE: saxonche); tests/data/edm/SOURCE.md
says where they come from."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

EDM_DIR = Path(__file__).resolve().parent.parent / "data" / "edm"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@functools.cache
def edm_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(EDM_DIR / "EDM.xsd"), parser))


@functools.cache
def _schematron() -> tuple[PySaxonProcessor, PyXsltExecutable]:
    processor = PySaxonProcessor(license=False)
    compiled = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(EDM_DIR / "schematron.xsl"))
    return processor, compiled


def edm_problems(rdf: etree._Element) -> list[str]:
    """What Europeana's schema and Schematron say is wrong with one rdf:RDF ([] when valid)."""
    schema = edm_schema()
    problems = [] if schema.validate(rdf) else [str(e) for e in schema.error_log]
    processor, compiled = _schematron()
    report = compiled.transform_to_string(
        xdm_node=processor.parse_xml(xml_text=etree.tostring(rdf, encoding="unicode")))
    failed = etree.fromstring(report.encode()).iterfind(f".//{{{SVRL}}}failed-assert")
    problems += [" ".join("".join(f.itertext()).split()) for f in failed]
    return problems
