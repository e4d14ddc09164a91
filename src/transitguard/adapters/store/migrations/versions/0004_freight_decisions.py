"""Freight decisions, one row per consignment line.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "freight_decisions",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("consignment_id", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("consignment_decision", sa.String(length=10), nullable=False),
        sa.Column("cn_code", sa.String(length=10), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("net_mass_kg", sa.Float(), nullable=False),
        sa.Column("value_eur", sa.Float(), nullable=False),
        sa.Column("rule_pack", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "line_no"),
    )


def downgrade() -> None:
    op.drop_table("freight_decisions")
