"""The peer of bench/oai_bench.py: the `oaipmh` package's own server (pyoai's successor) over
the same records, paging with OFFSET as its BatchingServer does.

Runs in its own venv (bench/out/oai-peer-venv, made by oai_bench.py), never the project's:
    gunicorn -w 2 'oai_peer:app()'   with OAI_PEER_DATABASE=sqlite path or postgresql URL
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from urllib.parse import parse_qsl

from oaipmh import common, metadata, server

PREFIX = "oai:thuvienso.local:"


class Repository:
    """An IBatchingOAIPMH implementation reading the thuvienso tables with OFFSET paging."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.conn = None

    def _cursor(self):
        if self.conn is None:
            if self.database.startswith("postgresql"):
                import psycopg

                self.conn = psycopg.connect(self.database.replace("postgresql+psycopg",
                                                                  "postgresql"), autocommit=True)
            else:
                self.conn = sqlite3.connect(self.database, check_same_thread=False)
        return self.conn.cursor()

    @property
    def mark(self) -> str:
        return "%s" if self.database.startswith("postgresql") else "?"

    def identify(self):
        return common.Identify("peer", "http://localhost/oai", "2.0", ["admin@example.org"],
                               datetime(2000, 1, 1), "persistent", "YYYY-MM-DDThh:mm:ssZ",
                               ["identity"])

    def listMetadataFormats(self, identifier=None):
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                 "http://www.openarchives.org/OAI/2.0/oai_dc/")]

    def listSets(self, cursor=0, batch_size=10):
        return []

    def _page(self, from_, until, cursor, batch_size):
        where, args = [], []
        if from_ is not None:
            where.append(f"datestamp >= {self.mark}")
            args.append(from_)
        if until is not None:
            where.append(f"datestamp <= {self.mark}")
            args.append(until)
        sql = ("SELECT pk, item_id, datestamp, deleted FROM item"
               + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY datestamp, item_id LIMIT {int(batch_size)} OFFSET {int(cursor)}")
        cur = self._cursor()
        cur.execute(sql, args)
        return cur.fetchall()

    def _stamp(self, value):
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None, cursor=0,
                        batch_size=10):
        return [common.Header(None, PREFIX + r[1], self._stamp(r[2]), [], bool(r[3]))
                for r in self._page(from_, until, cursor, batch_size)]

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None, cursor=0,
                    batch_size=10):
        rows = self._page(from_, until, cursor, batch_size)
        values: dict[int, dict[str, list[str]]] = {}
        if rows:
            marks = ",".join([self.mark] * len(rows))
            cur = self._cursor()
            cur.execute(f"SELECT item_pk, element, value FROM metadata_value WHERE item_pk IN "
                        f"({marks}) ORDER BY item_pk, position", [r[0] for r in rows])
            for pk, element, value in cur.fetchall():
                values.setdefault(pk, {}).setdefault(element, []).append(value)
        return [(common.Header(None, PREFIX + r[1], self._stamp(r[2]), [], bool(r[3])),
                 common.Metadata(None, values.get(r[0], {})), None) for r in rows]

    def getRecord(self, metadataPrefix, identifier):
        raise NotImplementedError


def app():
    """The WSGI application gunicorn serves."""
    registry = metadata.MetadataRegistry()
    registry.registerWriter("oai_dc", server.oai_dc_writer)
    size = int(os.environ.get("OAI_PEER_PAGE_SIZE", "100"))
    peer = server.BatchingServer(Repository(os.environ["OAI_PEER_DATABASE"]), registry,
                                 resumption_batch_size=size)

    def wsgi(environ, start_response):
        body = peer.handleRequest(dict(parse_qsl(environ.get("QUERY_STRING", ""))))
        start_response("200 OK", [("Content-Type", "text/xml; charset=UTF-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return wsgi
