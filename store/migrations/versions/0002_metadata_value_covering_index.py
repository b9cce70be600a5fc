"""Covering index of metadata values by item and position (OAI-PMH pages read them in order).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_metadata_value_item_pk", table_name="metadata_value")
    op.create_index("ix_metadata_value_item_pos", "metadata_value", ["item_pk", "position"],
                    postgresql_include=["element", "value", "lang"])


def downgrade() -> None:
    op.drop_index("ix_metadata_value_item_pos", table_name="metadata_value")
    op.create_index("ix_metadata_value_item_pk", "metadata_value", ["item_pk"])
