"""Granted FRTDs, the records a manifest's FRTD is checked against.

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
    op.create_table(
        "frtd_records",
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("document_key", sa.String(length=220), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("authorised_transit_hours", sa.Float(), nullable=True),
        sa.Column("trains", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )


def downgrade() -> None:
    op.drop_table("frtd_records")
