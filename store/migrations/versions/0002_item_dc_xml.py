"""Items keep their Dublin Core serialised (item.dc_xml), made when they are written.

OAI-PMH oai_dc pages then read one column per record instead of a dozen value rows. Existing
items are filled here, a thousand at a time, from their metadata_value rows.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from store.dublin_core import dc_xml
from store.records import DCValue

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("item", sa.Column("dc_xml", sa.Text))
    conn = op.get_bind()
    after = 0
    while True:
        items = conn.execute(sa.text(
            "SELECT pk, rights_uri FROM item WHERE pk > :after ORDER BY pk LIMIT :n"),
            {"after": after, "n": BATCH}).all()
        if not items:
            return
        values: dict[int, list[DCValue]] = {pk: [] for pk, _rights in items}
        for item_pk, element, value, lang in conn.execute(sa.text(
                "SELECT item_pk, element, value, lang FROM metadata_value "
                "WHERE item_pk > :after AND item_pk <= :last ORDER BY item_pk, position"),
                {"after": after, "last": items[-1][0]}):
            values[item_pk].append(DCValue(element, value, lang))
        conn.execute(sa.text("UPDATE item SET dc_xml = :xml WHERE pk = :pk"),
                     [{"pk": pk, "xml": dc_xml(values[pk], rights)} for pk, rights in items])
        after = items[-1][0]


def downgrade() -> None:
    op.drop_column("item", "dc_xml")
