"""Items keep what a list page needs in their own row: dc_xml and set_specs.

`item.dc_xml` is the item's Dublin Core serialised (store.dublin_core) and `item.set_specs` its
own set specs, sorted and space-separated; the write path keeps both. OAI-PMH list pages then
read one row per record instead of a dozen value rows and a set join. Existing items are
filled here, a thousand at a time, from their metadata_value and item_set rows; PostgreSQL then
gets fresh statistics (stores loaded before the write path analysed its child tables lack them).

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
    op.add_column("item", sa.Column("set_specs", sa.Text))
    conn = op.get_bind()
    after = 0
    while True:
        items = conn.execute(sa.text(
            "SELECT pk, rights_uri FROM item WHERE pk > :after ORDER BY pk LIMIT :n"),
            {"after": after, "n": BATCH}).all()
        if not items:
            break
        window = {"after": after, "last": items[-1][0]}
        values: dict[int, list[DCValue]] = {pk: [] for pk, _rights in items}
        for item_pk, element, value, lang in conn.execute(sa.text(
                "SELECT item_pk, element, value, lang FROM metadata_value "
                "WHERE item_pk > :after AND item_pk <= :last ORDER BY item_pk, position"), window):
            values[item_pk].append(DCValue(element, value, lang))
        specs: dict[int, list[str]] = {pk: [] for pk, _rights in items}
        for item_pk, spec in conn.execute(sa.text(
                "SELECT item_set.item_pk, oai_set.spec FROM item_set JOIN oai_set "
                "ON oai_set.pk = item_set.set_pk "
                "WHERE item_set.item_pk > :after AND item_set.item_pk <= :last"), window):
            specs[item_pk].append(spec)
        conn.execute(sa.text("UPDATE item SET dc_xml = :xml, set_specs = :specs WHERE pk = :pk"),
                     [{"pk": pk, "xml": dc_xml(values[pk], rights),
                       "specs": " ".join(sorted(specs[pk]))} for pk, rights in items])
        after = items[-1][0]
    if conn.dialect.name == "postgresql":  # every item row was rewritten; autovacuum may be off
        conn.exec_driver_sql("ANALYZE item, metadata_value, item_set, oai_set, item_search")


def downgrade() -> None:
    op.drop_column("item", "set_specs")
    op.drop_column("item", "dc_xml")
