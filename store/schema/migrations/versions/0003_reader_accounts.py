"""Reader accounts: name, email, group and a session version; sign-in failures.

`reader.session_version` is carried in every session of a reader and checked on each request:
raising it (disable, password change or reset) ends every session opened before. The
`sign_in_failure` rows are what the sign-in rate limit counts, per login and per client
address, so that it holds across workers and nodes.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reader") as batch:
        batch.add_column(sa.Column("name", sa.Text))
        batch.add_column(sa.Column("email", sa.String(255)))
        batch.add_column(sa.Column("group_name", sa.String(64)))
        batch.add_column(sa.Column("session_version", sa.Integer, nullable=False,
                                   server_default="1"))
    op.create_index("ix_reader_group_name", "reader", ["group_name"])
    op.create_table(
        "sign_in_failure",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(128), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sign_in_failure_login_at", "sign_in_failure", ["login", "at"])
    op.create_index("ix_sign_in_failure_client_at", "sign_in_failure", ["client", "at"])
    op.create_index("ix_sign_in_failure_at", "sign_in_failure", ["at"])  # pruning old ones


def downgrade() -> None:
    op.drop_table("sign_in_failure")
    op.drop_index("ix_reader_group_name", "reader")
    with op.batch_alter_table("reader") as batch:
        for column in ("session_version", "group_name", "email", "name"):
            batch.drop_column(column)
