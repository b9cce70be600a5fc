"""PostgreSQL: the page index in a narrow table of its own, and the function that reads it.

A page-text search reads each matching page's item key and number. From `page` (text and all,
about 1.6 KB a row) that is one heap page per match, mostly outside shared buffers (BENCHMARKS.md:
Full text); from `page_search(item_pk, seq, document)`, whose rows are a few dozen bytes (the
tsvector sits in TOAST), a few hundred matches share a heap page and the table stays in shared
buffers. Only pages with text have a row. `page_matches(q, n)` reads the first n matches through
the GIN index: a function, so that its `SET enable_seqscan = off` holds for its query alone, in a
reader's autocommit session too (a seq scan would decompress the tsvector of every row it
passes, which the planner does not count). SQLite is unchanged (`page_fts`).

Moving the column copies the tsvectors (no text is folded again) and builds the GIN index anew:
about a minute per million pages.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PAGE_MATCHES = """
CREATE FUNCTION page_matches(q tsquery, n integer) RETURNS TABLE (item_pk integer, seq integer)
LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off
AS $$ SELECT s.item_pk, s.seq FROM page_search s WHERE s.document @@ q LIMIT n $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE page_search (item_pk integer NOT NULL REFERENCES item (pk) "
               "ON DELETE CASCADE, seq integer NOT NULL, document tsvector NOT NULL, "
               "PRIMARY KEY (item_pk, seq))")
    op.execute("INSERT INTO page_search (item_pk, seq, document) SELECT item_pk, seq, document "
               "FROM page WHERE document IS NOT NULL ORDER BY item_pk, seq")
    op.execute("DROP INDEX ix_page_document")
    op.drop_column("page", "document")
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # a GIN build gathers entries there
    op.execute("CREATE INDEX ix_page_search_document ON page_search USING gin (document)")
    op.execute(PAGE_MATCHES)
    op.execute("ANALYZE page_search")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION page_matches(tsquery, integer)")
    op.execute("ALTER TABLE page ADD COLUMN document tsvector")
    op.execute("UPDATE page p SET document = s.document FROM page_search s "
               "WHERE s.item_pk = p.item_pk AND s.seq = p.seq")
    op.execute("DROP TABLE page_search")
    op.execute("CREATE INDEX ix_page_document ON page USING gin (document)")
