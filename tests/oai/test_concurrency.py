"""A harvest while the store changes: nothing unchanged is missed, nothing comes twice, and the
next incremental harvest (from the first page's responseDate) picks up every change."""

from __future__ import annotations

import threading
from pathlib import Path

from sickle import Sickle

from store.read.queries import get_item
from store.records import DCValue, ItemInput
from store.write.items import delete_item, upsert_item
from tests.oai.helpers import PREFIX
from tests.oai.schemas import assert_valid


class Writer(threading.Thread):
    """Changes the store whenever it is told to (between two pages of the harvest)."""

    def __init__(self, store, returned: list[str], all_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.store, self.returned, self.all_ids = store, returned, all_ids
        self.go, self.done = threading.Event(), threading.Event()
        self.touched: set[str] = set()
        self.rounds = 0
        self.stop = False

    def run(self) -> None:
        while True:
            self.go.wait()
            self.go.clear()
            if self.stop:
                return
            self.change()
            self.done.set()

    def change(self) -> None:
        self.rounds += 1
        data = Path(self.store.settings.data_path)
        seen = [i for i in self.all_ids if i in self.returned and i not in self.touched]
        ahead = [i for i in self.all_ids if i not in self.returned and i not in self.touched]
        with self.store.session() as session:
            for item_id in (seen[:1] + ahead[-1:]):  # one already harvested, one still ahead
                upsert_item(session, ItemInput(item_id, (DCValue("title", f"Sửa {self.rounds}"),)),
                            data)
                self.touched.add(item_id)
            if len(ahead) > 2:
                delete_item(session, ahead[-2])
                self.touched.add(ahead[-2])
            new_id = f"moi-{self.rounds}"
            upsert_item(session, ItemInput(new_id, (DCValue("title", "Mới"),)), data)
            self.touched.add(new_id)


class SteppedSickle(Sickle):
    """Validates each page, then lets the writer change the store before the next one."""

    def __init__(self, url: str, writer: Writer | None, returned: list[str]) -> None:
        super().__init__(url)
        self.writer, self.returned = writer, returned
        self.response_dates: list[str] = []

    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        root = assert_valid(response.http_response.content)
        self.response_dates.append(root.findtext("{http://www.openarchives.org/OAI/2.0/}"
                                                 "responseDate"))
        ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
        self.returned.extend(i.removeprefix(PREFIX)
                             for i in root.xpath("//o:header/o:identifier/text()", namespaces=ns))
        if self.writer is not None:
            self.writer.go.set()
            assert self.writer.done.wait(10)
            self.writer.done.clear()
        return response


def test_harvest_during_changes_misses_nothing_and_repeats_nothing(store, live_server,
                                                                    catalogue):
    returned: list[str] = []
    writer = Writer(store, returned, catalogue.ids)
    writer.start()
    client = SteppedSickle(f"{live_server.url}/oai", writer, returned)
    try:
        headers = list(client.ListIdentifiers(metadataPrefix="oai_dc"))
    finally:
        writer.stop = True
        writer.go.set()
        writer.join(5)
    got = [h.identifier.removeprefix(PREFIX) for h in headers]
    assert writer.rounds >= 4
    assert len(got) == len(set(got)), "a record came twice"
    untouched = set(catalogue.ids) - writer.touched
    assert untouched <= set(got), f"missed: {sorted(untouched - set(got))}"
    assert not {i for i in got if i.startswith("moi-")}, "a record newer than the harvest"

    # the next incremental harvest, from the first page's responseDate, has every change
    later: list[str] = []
    follow = SteppedSickle(f"{live_server.url}/oai", None, later)
    changes = {h.identifier.removeprefix(PREFIX): h for h in
               follow.ListIdentifiers(metadataPrefix="oai_dc",
                                      **{"from": client.response_dates[0]})}
    assert writer.touched <= set(changes)
    with store.reading() as session:
        for item_id in writer.touched:
            item = get_item(session, item_id)
            assert changes[item_id].deleted == item.deleted
            assert changes[item_id].datestamp == item.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    # and their records carry what was written last (the kept Dublin Core follows each write)
    records = {r.header.identifier.removeprefix(PREFIX): r for r in
               follow.ListRecords(metadataPrefix="oai_dc", **{"from": client.response_dates[0]})}
    with store.reading() as session:
        for item_id in writer.touched:
            item = get_item(session, item_id)
            if item.deleted:
                assert records[item_id].deleted
            else:
                assert records[item_id].metadata["title"] == [item.title]
