"""Initial schema: items, metadata, sets, pages, search index, harvest state, readers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.String(128), nullable=False, unique=True),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("datestamp", sa.DateTime, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_format", sa.String(16)),
        sa.Column("source_record", sa.Text),
        sa.Column("rights_uri", sa.String(512)),
        sa.Column("viewing_direction", sa.String(16), nullable=False),
        sa.Column("behavior", sa.String(32)),
        sa.Column("subtitle", sa.Text),
        sa.Column("page_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_item_datestamp_id", "item", ["datestamp", "item_id"])
    op.create_table(
        "metadata_value",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("item_pk", sa.Integer, sa.ForeignKey("item.pk", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("element", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("lang", sa.String(16)),
    )
    op.create_index("ix_metadata_value_item_pk", "metadata_value", ["item_pk"])
    op.create_table(
        "oai_set",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("spec", sa.String(255), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
    )
    op.create_table(
        "item_set",
        sa.Column("item_pk", sa.Integer, sa.ForeignKey("item.pk", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("set_pk", sa.Integer, sa.ForeignKey("oai_set.pk", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_index("ix_item_set_set_pk", "item_set", ["set_pk"])
    op.create_table(
        "page",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("item_pk", sa.Integer, sa.ForeignKey("item.pk", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("image_file", sa.String(255), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("text", sa.Text),
        sa.UniqueConstraint("item_pk", "seq", name="uq_page_item_seq"),
    )
    op.create_table(
        "item_search",
        sa.Column("item_pk", sa.Integer, sa.ForeignKey("item.pk", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("title_words", sa.Text, nullable=False),
        sa.Column("creator_words", sa.Text, nullable=False),
        sa.Column("subject_words", sa.Text, nullable=False),
    )
    op.create_table(
        "harvest_state",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("source_url", sa.String(1024), nullable=False),
        sa.Column("metadata_prefix", sa.String(64), nullable=False),
        sa.Column("set_spec", sa.String(255), nullable=False),
        sa.Column("last_response_date", sa.String(32)),
        sa.Column("resumption_token", sa.Text),
        sa.Column("started_response_date", sa.String(32)),
        sa.UniqueConstraint("source_url", "metadata_prefix", "set_spec",
                            name="uq_harvest_source"),
    )
    op.create_table(
        "reader",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("expires", sa.DateTime, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # The words are folded by store.folding.words(), so the tokenizer must not fold again.
        op.execute("CREATE VIRTUAL TABLE item_fts USING fts5(title, creator, subject, "
                   "tokenize='unicode61 remove_diacritics 0')")
        op.execute("INSERT INTO item_fts(item_fts, rank) VALUES('rank', 'bm25(10.0, 4.0, 2.0)')")
    else:
        op.execute(
            "ALTER TABLE item_search ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', title_words), 'A') || "
            "setweight(to_tsvector('simple', creator_words), 'B') || "
            "setweight(to_tsvector('simple', subject_words), 'C')) STORED")
        op.execute("CREATE INDEX ix_item_search_document ON item_search USING gin (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE item_fts")
    for table in ("reader", "harvest_state", "item_search", "page", "item_set", "oai_set",
                  "metadata_value", "item"):
        op.drop_table(table)
