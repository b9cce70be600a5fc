"""Full text: word boxes of pages, a page-text index, more metadata searched, the item's year.

`page.boxes` keeps the word boxes of a page's text. Page text is indexed: on SQLite in
`page_fts` (contentless FTS5, see store.schema.fulltext), on PostgreSQL in `page.document`
(tsvector, GIN). `item_search` gains `other_words` (description, publisher, place, date,
ranked below title and creator) and `year` (the date-range filter); `item_fts` is rebuilt with
the new column. Existing items and pages are indexed here, a thousand at a time.

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from store.folding import joined_words, words
from store.schema.fulltext import OTHER_ELEMENTS, first_year, page_rowid, tsvector_literal

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 1000
FTS = "tokenize='unicode61 remove_diacritics 0'"  # the words are folded already


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    op.add_column("page", sa.Column("boxes", sa.Text))
    op.add_column("item_search", sa.Column("other_words", sa.Text, nullable=False,
                                           server_default=""))
    op.add_column("item_search", sa.Column("year", sa.Integer))
    op.create_index("ix_item_search_year", "item_search", ["year"])
    if sqlite:
        op.execute("DROP TABLE item_fts")
        op.execute(f"CREATE VIRTUAL TABLE item_fts USING fts5(title, creator, subject, other, "
                   f"{FTS})")
        op.execute("INSERT INTO item_fts(item_fts, rank) "
                   "VALUES('rank', 'bm25(10.0, 10.0, 2.0, 1.0)')")
        op.execute(f"CREATE VIRTUAL TABLE page_fts USING fts5(body, content='', {FTS})")
    else:
        op.execute("DROP INDEX ix_item_search_document")
        op.execute("ALTER TABLE item_search DROP COLUMN document")
        op.execute(
            "ALTER TABLE item_search ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', title_words), 'A') || "
            "setweight(to_tsvector('simple', creator_words), 'A') || "
            "setweight(to_tsvector('simple', subject_words), 'B') || "
            "setweight(to_tsvector('simple', other_words), 'C')) STORED")
        op.execute("CREATE INDEX ix_item_search_document ON item_search USING gin (document)")
        op.add_column("page", sa.Column("document", sa.dialects.postgresql.TSVECTOR))
        op.execute("CREATE INDEX ix_page_document ON page USING gin (document)")
    _index_items(conn, sqlite)
    _index_pages(conn, sqlite)


def _index_items(conn: sa.Connection, sqlite: bool) -> None:
    after = 0
    while rows := conn.execute(sa.text(
            "SELECT item_pk, title_words, creator_words, subject_words FROM item_search "
            "WHERE item_pk > :after ORDER BY item_pk LIMIT :n"), {"after": after, "n": BATCH}
    ).all():
        window = {"after": after, "last": rows[-1][0], "elements": list(OTHER_ELEMENTS)}
        values: dict[int, dict[str, list[str]]] = {}
        for item_pk, element, value in conn.execute(sa.text(
                "SELECT item_pk, element, value FROM metadata_value WHERE item_pk > :after "
                "AND item_pk <= :last AND element IN :elements ORDER BY item_pk, position"
        ).bindparams(sa.bindparam("elements", expanding=True)), window):
            values.setdefault(item_pk, {}).setdefault(element, []).append(value)
        updates = [{"pk": pk, "other": joined_words([v for e in OTHER_ELEMENTS
                                                     for v in values.get(pk, {}).get(e, [])]),
                    "year": first_year(values.get(pk, {}).get("date", []))}
                   for pk, *_words in rows]
        conn.execute(sa.text("UPDATE item_search SET other_words = :other, year = :year "
                             "WHERE item_pk = :pk"), updates)
        if sqlite:
            conn.exec_driver_sql(
                "INSERT INTO item_fts(rowid, title, creator, subject, other) "
                "VALUES (?, ?, ?, ?, ?)",
                [(*row, u["other"]) for row, u in zip(rows, updates, strict=True)])
        after = rows[-1][0]


def _index_pages(conn: sa.Connection, sqlite: bool) -> None:
    after = 0
    while rows := conn.execute(sa.text(
            "SELECT pk, item_pk, seq, text FROM page WHERE pk > :after AND text IS NOT NULL "
            "ORDER BY pk LIMIT :n"), {"after": after, "n": BATCH}).all():
        if sqlite:
            conn.exec_driver_sql("INSERT INTO page_fts(rowid, body) VALUES (?, ?)",
                                 [(page_rowid(item_pk, seq), " ".join(words(text)))
                                  for _pk, item_pk, seq, text in rows])
        else:
            conn.execute(sa.text("UPDATE page SET document = CAST(:doc AS tsvector) "
                                 "WHERE pk = :pk"),
                         [{"pk": pk, "doc": tsvector_literal(words(text))}
                          for pk, _item_pk, _seq, text in rows])
        after = rows[-1][0]


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("DROP TABLE page_fts")
        op.execute("DROP TABLE item_fts")
        op.execute(f"CREATE VIRTUAL TABLE item_fts USING fts5(title, creator, subject, {FTS})")
        op.execute("INSERT INTO item_fts(item_fts, rank) VALUES('rank', 'bm25(10.0, 4.0, 2.0)')")
        op.execute("INSERT INTO item_fts(rowid, title, creator, subject) "
                   "SELECT item_pk, title_words, creator_words, subject_words FROM item_search")
    else:
        op.execute("DROP INDEX ix_page_document")
        op.drop_column("page", "document")
        op.execute("DROP INDEX ix_item_search_document")
        op.execute("ALTER TABLE item_search DROP COLUMN document")
        op.execute(
            "ALTER TABLE item_search ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', title_words), 'A') || "
            "setweight(to_tsvector('simple', creator_words), 'B') || "
            "setweight(to_tsvector('simple', subject_words), 'C')) STORED")
        op.execute("CREATE INDEX ix_item_search_document ON item_search USING gin (document)")
    op.drop_index("ix_item_search_year", "item_search")
    with op.batch_alter_table("item_search") as batch:
        batch.drop_column("year")
        batch.drop_column("other_words")
    with op.batch_alter_table("page") as batch:
        batch.drop_column("boxes")
