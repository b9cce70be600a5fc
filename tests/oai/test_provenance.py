"""Provenance of re-exposed records: what thuvienso harvested carries an <about><provenance>
block in every format (schema-valid), on GetRecord and list pages alike; its own records none."""

from __future__ import annotations

import pytest

from oai.formats import FORMATS
from oai.harvest import run_harvest
from store.records import DCValue, ItemInput
from store.write.items import upsert_item
from tests.oai.schemas import assert_valid
from tests.oai.test_harvester import quick_retries, serve, untidy  # noqa: F401 - fixtures

NS = {"o": "http://www.openarchives.org/OAI/2.0/",
      "p": "http://www.openarchives.org/OAI/2.0/provenance"}
ID = "oai:thuvienso.local:"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def _origins(root) -> dict[str, tuple[str, ...]]:
    found = {}
    for record in root.iterfind(".//o:record", NS):
        item_id = record.findtext("o:header/o:identifier", namespaces=NS).removeprefix(ID)
        description = record.find("o:about/p:provenance/p:originDescription", NS)
        found[item_id] = () if description is None else (
            description.get("harvestDate"), description.get("altered"),
            *(description.findtext(f"p:{name}", namespaces=NS)
              for name in ("baseURL", "identifier", "datestamp", "metadataNamespace")))
    return found


@pytest.mark.parametrize("prefix", list(FORMATS))
def test_harvested_records_carry_their_provenance_in_every_format(store, client, serve,  # noqa: F811
                                                                  prefix):
    provider = serve(untidy)
    run_harvest(store, provider.url)
    with store.session() as s:
        upsert_item(s, ItemInput("own", (DCValue("title", "Của thư viện"),)),
                    store.settings.data_path)
    expected = {
        # sent again, changed, on the second page: the later harvest and datestamp
        "1234": ("2025-03-04T10:00:09Z", "true", provider.url, "oai:untidy.example.edu:1234",
                 "2022-03-03", OAI_DC),
        "hdl-1765-308": ("2025-03-04T10:00:02Z", "true", provider.url, "hdl:1765/308",
                         "2020-01-02", OAI_DC),
        "own": ()}
    listed = _origins(assert_valid(client.get(
        f"/oai?verb=ListRecords&metadataPrefix={prefix}").data))
    if prefix == "edm":  # untidy records lack what Europeana requires; only the check applies
        assert set(listed) <= set(_origins(assert_valid(client.get(
            "/oai?verb=ListRecords&metadataPrefix=oai_dc").data)))
        return
    for item_id, origin in expected.items():
        single = _origins(assert_valid(client.get(
            f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={ID}{item_id}").data))
        assert single[item_id] == listed[item_id] == origin
