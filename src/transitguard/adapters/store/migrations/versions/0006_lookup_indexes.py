"""Indexes for the console's lookups: ledger entries of one type (FRTD decisions, audit records) newest
first, and the alerts about one travel document (the person page).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ledger_type_seq", "ledger", ["type", "seq"])
    op.create_index("ix_alerts_document_key", "alerts", ["document_key"])


def downgrade() -> None:
    op.drop_index("ix_alerts_document_key", table_name="alerts")
    op.drop_index("ix_ledger_type_seq", table_name="ledger")
