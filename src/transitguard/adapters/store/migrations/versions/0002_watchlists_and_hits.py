"""Watchlists (entries and active versions) and screening hits.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlist_entities",
        sa.Column("watchlist", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("watchlist", "version", "entity_id"),
    )
    op.create_table(
        "watchlists",
        sa.Column("watchlist", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("watchlist"),
    )
    op.create_table(
        "watchlist_hits",
        sa.Column("hit_id", sa.String(length=40), nullable=False),
        sa.Column("watchlist", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("entity_fingerprint", sa.String(length=40), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=240), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("train_key", sa.String(length=120), nullable=True),
        sa.Column("passenger_ref", sa.String(length=200), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hit_id"),
    )
    op.create_index("ix_watchlist_hits_train_key", "watchlist_hits", ["train_key"])
    op.create_index("ix_watchlist_hits_subject", "watchlist_hits", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_watchlist_hits_subject", table_name="watchlist_hits")
    op.drop_index("ix_watchlist_hits_train_key", table_name="watchlist_hits")
    op.drop_table("watchlist_hits")
    op.drop_table("watchlists")
    op.drop_table("watchlist_entities")
