"""EDM (metadataPrefix=edm): every record served passes Europeana's schema and Schematron; an
item that cannot meet a mandatory rule is not disseminated, and `thuvienso check edm` names it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from store.ingest.demo.collection import build_demo
from store.ingest.importing import run_import
from store.read.queries import edm_refusals
from store.records import DCValue, ItemInput, PageInput
from store.write.items import upsert_item
from tests.oai.edm_rules import edm_problems
from tests.oai.schemas import assert_valid
from web.app import create_app
from web.cli import main
from web.context import context_of

DATA = Path(__file__).resolve().parent.parent / "data"
REAL_INPUTS = [*sorted((DATA / "import").glob("*.*")),
               DATA / "oai" / "providers" / "marc" / "listrecords.xml",
               *sorted((DATA / "oai" / "providers" / "untidy").glob("listrecords-*.xml"))]
NS = {"o": "http://www.openarchives.org/OAI/2.0/",
      "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "edm": "http://www.europeana.eu/schemas/edm/", "ore": "http://www.openarchives.org/ore/terms/",
      "dcterms": "http://purl.org/dc/terms/", "svcs": "http://rdfs.org/sioc/services#",
      "doap": "http://usefulinc.com/ns/doap#"}
ID = "oai:thuvienso.local:"
INC = "http://rightsstatements.org/vocab/InC/1.0/"


def _harvest(client, verb: str = "ListRecords") -> list[etree._Element]:
    """Every page of a list in edm, each schema-valid as a whole OAI-PMH response."""
    pages, url = [], f"/oai?verb={verb}&metadataPrefix=edm"
    while url:
        body = client.get(url).data
        root = assert_valid(body)
        if root.find("o:error", NS) is not None:
            break
        pages.append(root)
        token = root.findtext(f"o:{verb}/o:resumptionToken", namespaces=NS)
        url = f"/oai?verb={verb}&resumptionToken={token}" if token else ""
    return pages


def _live_ids(pages: list[etree._Element]) -> set[str]:
    return {i.removeprefix(ID) for page in pages for i in page.xpath(
        "//o:header[not(@status)]/o:identifier/text()", namespaces=NS)}


def _assert_every_record_passes_europeana(pages: list[etree._Element]) -> int:
    records = [rdf for page in pages for rdf in page.iterfind(".//rdf:RDF", NS)]
    for rdf in records:
        assert edm_problems(rdf) == [], etree.tostring(rdf, encoding="unicode")[:2000]
    return len(records)


def test_europeana_s_rules_catch_a_record_that_breaks_them():
    """The validator itself: a record without edm:type, isShownAt and language fails both."""
    rdf = etree.fromstring(
        f'<rdf:RDF xmlns:rdf="{NS["rdf"]}" xmlns:edm="{NS["edm"]}" xmlns:ore="{NS["ore"]}" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<edm:ProvidedCHO rdf:about="#c"><dc:title>x</dc:title></edm:ProvidedCHO>'
        '<ore:Aggregation rdf:about="#a"><edm:aggregatedCHO rdf:resource="#c"/>'
        '<edm:dataProvider>x</edm:dataProvider><edm:provider>x</edm:provider>'
        f'<edm:rights rdf:resource="{INC}"/></ore:Aggregation></rdf:RDF>')
    problems = edm_problems(rdf)
    assert any("ProvidedCHO': Missing child element" in p for p in problems), problems  # XSD
    assert any("isShownAt" in p for p in problems), problems  # the Schematron
    assert any("dc:subject or dc:type" in p for p in problems), problems


def test_every_demo_record_passes_europeana_s_schema_and_schematron(store, client):
    build_demo(store, items=36, pages=1, seed=1, workers=1)
    pages = _harvest(client)
    assert len(pages) == 4  # ten records a page, by resumption token
    with store.reading() as session:
        assert edm_refusals(session, None) == []  # the demo meets every rule
    assert _assert_every_record_passes_europeana(pages) == len(_live_ids(pages)) > 30


def test_every_real_input_record_served_as_edm_passes_and_the_rest_are_named(store, client):
    summary = run_import(store, REAL_INPUTS)
    assert summary.imported > 5
    pages = _harvest(client)
    served = _live_ids(pages)
    _assert_every_record_passes_europeana(pages)
    with store.reading() as session:
        refused = dict(edm_refusals(session, None))
        live = {i.removeprefix(ID) for i in assert_valid(client.get(
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data).xpath(
            "//o:header[not(@status)]/o:identifier/text()", namespaces=NS)}
    assert served.isdisjoint(refused) and served | set(refused) >= live
    assert all(refused.values())


@pytest.fixture
def mixed(store, tmp_path) -> None:
    """An item meeting every rule, open with two pages; others each missing something."""
    import pyvips

    image = tmp_path / "p.jpg"
    pyvips.Image.black(40, 60).write_to_file(str(image))
    good = (DCValue("title", "Truyện Kiều", "vi"), DCValue("subject", "Văn học", "vi"),
            DCValue("language", "vie"), DCValue("type", "Text"))
    pages = (PageInput(str(image), 40, 60), PageInput(str(image), 40, 60))
    with store.session() as s:
        for item in (
            ItemInput("good", good, pages=pages, rights_uri=INC),
            ItemInput("closed", good, pages=pages, rights_uri=INC, access="restricted"),
            ItemInput("no-language", good[:2], rights_uri=INC),
            ItemInput("no-statement", good),
            ItemInput("refused", good, rights_uri="http://rightsstatements.org/vocab/UND/1.0/"),
            ItemInput("bare", (DCValue("title", "Ảnh"), DCValue("language", "vie")),
                      rights_uri=INC),
        ):
            upsert_item(s, item, store.settings.data_path)


def test_items_failing_a_rule_are_left_out_of_lists_and_refused_by_getrecord(client, mixed):
    assert _live_ids(_harvest(client)) == _live_ids(_harvest(client, "ListIdentifiers")) == {
        "good", "closed"}
    for item_id in ("no-language", "no-statement", "refused", "bare"):
        root = assert_valid(client.get(
            f"/oai?verb=GetRecord&metadataPrefix=edm&identifier={ID}{item_id}").data)
        assert root.find("o:error", NS).get("code") == "cannotDisseminateFormat"
        formats = assert_valid(client.get(
            f"/oai?verb=ListMetadataFormats&identifier={ID}{item_id}").data)
        assert formats.xpath("//o:metadataPrefix/text()", namespaces=NS) == [
            "oai_dc", "marc21", "mods"]
        assert assert_valid(client.get(  # the other formats still serve it
            f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={ID}{item_id}").data
            ).find("o:GetRecord", NS) is not None


def test_page_images_are_web_resources_with_their_iiif_service_and_manifest(client, mixed):
    root = assert_valid(client.get(
        f"/oai?verb=GetRecord&metadataPrefix=edm&identifier={ID}good").data)
    rdf = root.find(".//rdf:RDF", NS)
    assert edm_problems(rdf) == []
    base = "http://localhost"
    images = [f"{base}/iiif/image/good~p000{n}/full/max/0/default.jpg" for n in (1, 2)]
    about = f"{{{NS['rdf']}}}about"
    assert [w.get(about) for w in rdf.iterfind("edm:WebResource", NS)] == images
    for n, resource in enumerate(rdf.iterfind("edm:WebResource", NS), 1):
        service = resource.find("svcs:has_service", NS).get(f"{{{NS['rdf']}}}resource")
        assert service == f"{base}/iiif/image/good~p000{n}"
        assert resource.find("dcterms:isReferencedBy", NS).get(
            f"{{{NS['rdf']}}}resource") == f"{base}/iiif/good/manifest"
        found = rdf.find(f"svcs:Service[@rdf:about='{service}']", NS)
        assert [(e.tag.split("}")[1], e.get(f"{{{NS['rdf']}}}resource")) for e in found] == [
            ("conformsTo", "http://iiif.io/api/image"),
            ("implements", "http://iiif.io/api/image/3/level2.json")]
    aggregation = rdf.find("ore:Aggregation", NS)
    links = {e.tag.split("}")[1]: e.get(f"{{{NS['rdf']}}}resource") or e.text
             for e in aggregation}
    assert links["isShownAt"] == f"{base}/items/good"
    assert links["isShownBy"] == images[0] and links["hasView"] == images[1]
    assert links["rights"] == INC and links["dataProvider"] == links["provider"] == "Thư viện số"
    closed = assert_valid(client.get(
        f"/oai?verb=GetRecord&metadataPrefix=edm&identifier={ID}closed").data)
    assert closed.find(".//edm:WebResource", NS) is None  # no images of a closed item
    assert closed.find(".//edm:isShownAt", NS) is not None


def test_check_edm_lists_exactly_the_refused_items_with_what_each_lacks(runner, mixed):
    result = runner.invoke(main, ["check", "edm"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "bare: no subject or type",
        "no-language: no language (a text needs one)",
        "no-statement: no rights statement",
        "refused: a rights statement Europeana does not accept"]
    assert result.stderr.strip() == "4 items cannot be disseminated as EDM"


def test_a_library_default_europeana_accepts_serves_items_without_a_statement(
        settings_overrides, mixed):
    app = create_app({**settings_overrides, "rights_default": INC, "edm_provider": "Europeana"})
    try:
        client = app.test_client()
        root = assert_valid(client.get(
            f"/oai?verb=GetRecord&metadataPrefix=edm&identifier={ID}no-statement").data)
        assert root.find(".//edm:rights", NS).get(f"{{{NS['rdf']}}}resource") == INC
        assert root.findtext(".//edm:provider", namespaces=NS) == "Europeana"
        assert _live_ids(_harvest(client)) == {"good", "closed", "no-statement"}
        with context_of(app).store.reading() as session:
            assert [i for i, _ in edm_refusals(session, INC)] == ["bare", "no-language",
                                                                  "refused"]
    finally:
        context_of(app).store.dispose()


def test_list_pages_and_getrecord_give_the_same_edm_record(client, mixed):
    listed = assert_valid(client.get("/oai?verb=ListRecords&metadataPrefix=edm").data)
    for item_id in ("good", "closed"):
        single = assert_valid(client.get(
            f"/oai?verb=GetRecord&metadataPrefix=edm&identifier={ID}{item_id}").data)
        in_list = listed.xpath(f"//o:record[o:header/o:identifier='{ID}{item_id}']//rdf:RDF",
                               namespaces=NS)[0]
        assert etree.tostring(in_list, method="c14n") == \
            etree.tostring(single.find(".//rdf:RDF", NS), method="c14n")
