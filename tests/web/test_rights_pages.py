"""Rights statements where readers and viewers see them: the item page, the manifest, the CLI."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import pyvips

from store.records import DCValue, ItemInput, PageInput, SetInput
from store.rights import CC_TOOLS, RS_STATEMENTS, statement
from store.write.items import upsert_item, upsert_set
from web.cli import main

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
INC = "http://rightsstatements.org/vocab/InC/1.0/"


@pytest.fixture
def scanned(store, tmp_path) -> None:
    image = tmp_path / "p.jpg"
    pyvips.Image.black(40, 60).write_to_file(str(image))
    with store.session() as s:
        upsert_set(s, SetInput("sach", "Sách"))
        for item_id, rights in (("own", INC), ("bare", None)):
            upsert_item(s, ItemInput(item_id, (DCValue("title", "Truyện Kiều"),), sets=("sach",),
                                     pages=(PageInput(str(image), 40, 60),), rights_uri=rights),
                        store.settings.data_path)


def test_every_statement_has_its_icon_as_a_local_file():
    uris = [f"http://rightsstatements.org/vocab/{code}/1.0/" for code in RS_STATEMENTS]
    uris += [f"http://creativecommons.org/publicdomain/{tool}/1.0/" for tool in CC_TOOLS]
    uris.append("http://creativecommons.org/licenses/by-nc/4.0/")
    for uri in uris:
        found = statement(uri)
        assert found is not None and (STATIC / found.icon).is_file(), uri


def test_the_item_page_names_and_links_the_statement_with_its_icon(client, scanned):
    doc = lxml.html.fromstring(client.get("/items/own").data)
    link = doc.xpath("//p[@class='rights']/a")[0]
    assert (link.get("href"), link.get("rel"), link.text_content().strip()) == (
        INC, "license", "In Copyright")
    assert link.xpath("img/@src") == ["/static/rights/InC.svg"]
    assert client.get("/static/rights/InC.svg").status_code == 200
    assert not lxml.html.fromstring(client.get("/items/bare").data).xpath(
        "//p[@class='rights']")


def test_the_manifest_s_rights_is_the_statement(client, scanned):
    assert client.get("/iiif/own/manifest").get_json()["rights"] == INC
    assert "rights" not in client.get("/iiif/bare/manifest").get_json()


def test_set_rights_restates_the_set_s_items_without_their_own(runner, client, scanned):
    pdm = "http://creativecommons.org/publicdomain/mark/1.0/"
    result = runner.invoke(main, ["set", "rights", "sach", pdm + "legalcode"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sach: 1 items restated"
    assert client.get("/iiif/bare/manifest").get_json()["rights"] == pdm
    assert client.get("/iiif/own/manifest").get_json()["rights"] == INC


@pytest.mark.parametrize("args, message", [
    (["set", "rights", "nope", INC], "Error: there is no set 'nope'"),
    (["set", "rights", "sach", "http://rightsstatements.org/vocab/X/1.0/"],
     "Error: 'http://rightsstatements.org/vocab/X/1.0/' names no rightsstatements.org"),
])
def test_set_rights_mistakes_are_one_sentence(runner, scanned, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


def test_a_default_that_is_no_statement_is_a_settings_error(runner, monkeypatch):
    monkeypatch.setenv("THUVIENSO_RIGHTS_DEFAULT", "public domain")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "THUVIENSO_RIGHTS_DEFAULT must be a rightsstatements.org or Creative Commons URI" \
        in result.output
