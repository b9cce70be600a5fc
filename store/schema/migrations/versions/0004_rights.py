"""Rights statements, EDM eligibility and provenance: a set's default statement, the item's
kept EDM reasons, where a harvested record came from.

`oai_set.rights_uri` is a set's default statement (`thuvienso set rights`); `item.rights_inherited`
says the item's statement came from such a default rather than its own record; `item.edm_lacks`
keeps the mandatory EDM rules the item fails (store.europeana), so EDM lists filter on a column;
`item.origin` is where a harvested record came from (store.records.Origin, for OAI-PMH
provenance); `activity` is the stream of manifest changes of IIIF Change Discovery, begun with
the last change of every manifest.
Existing items get their statement in canonical form (store.rights) where it is one, and their
dc_xml and edm_lacks made again from it.

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from store.dublin_core import dc_xml
from store.europeana import edm_lacks
from store.records import DCValue
from store.rights import canonical

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 1000


def _statement(value: str | None) -> str | None:
    try:
        return (canonical(value) or value) if value else None
    except ValueError:
        return value


def upgrade() -> None:
    op.add_column("oai_set", sa.Column("rights_uri", sa.String(512)))
    op.add_column("item", sa.Column("rights_inherited", sa.Boolean, nullable=False,
                                    server_default=sa.false()))
    op.add_column("item", sa.Column("edm_lacks", sa.String(255)))
    op.add_column("item", sa.Column("origin", sa.Text))
    op.create_table(
        "activity",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("end_time", sa.DateTime, nullable=False),
    )
    op.create_index("ix_activity_end_time", "activity", ["end_time"])
    # The stream starts with the last change of every manifest there is (or was).
    op.execute(
        "INSERT INTO activity (item_id, kind, end_time) SELECT item_id, CASE WHEN deleted "
        "THEN 'Delete' WHEN created = datestamp THEN 'Create' ELSE 'Update' END, datestamp "
        "FROM item WHERE page_count > 0 ORDER BY datestamp, item_id")
    conn = op.get_bind()
    after = 0
    while True:
        items = conn.execute(sa.text(
            "SELECT pk, rights_uri FROM item WHERE pk > :after AND NOT deleted "
            "ORDER BY pk LIMIT :n"), {"after": after, "n": BATCH}).all()
        if not items:
            break
        window = {"after": after, "last": items[-1][0]}
        values: dict[int, list[DCValue]] = {pk: [] for pk, _rights in items}
        for item_pk, element, value, lang in conn.execute(sa.text(
                "SELECT item_pk, element, value, lang FROM metadata_value "
                "WHERE item_pk > :after AND item_pk <= :last ORDER BY item_pk, position"), window):
            if item_pk in values:
                values[item_pk].append(DCValue(element, value, lang))
        rows = []
        for pk, rights in items:
            uri = _statement(rights)
            rows.append({"pk": pk, "rights": uri, "xml": dc_xml(values[pk], uri),
                         "lacks": edm_lacks(values[pk], uri)})
        conn.execute(sa.text("UPDATE item SET rights_uri = :rights, dc_xml = :xml, "
                             "edm_lacks = :lacks WHERE pk = :pk"), rows)
        after = items[-1][0]


def downgrade() -> None:
    op.drop_table("activity")
    op.drop_column("item", "origin")
    op.drop_column("item", "edm_lacks")
    op.drop_column("item", "rights_inherited")
    op.drop_column("oai_set", "rights_uri")
