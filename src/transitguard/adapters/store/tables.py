"""The database schema (SQLAlchemy Core). Alembic migrations in migrations/ create exactly this;
tests/integration/test_migrations.py fails if the two drift apart."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# The single source of truth: append-only, hash-chained. `seq` is assigned under a lock, gap-free.
ledger = Table(
    "ledger",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(200), nullable=False, unique=True),
    Column("type", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("train_key", String(120), nullable=True),
    Column("body", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_ledger_train_key_seq", "train_key", "seq"),
    # Entries of one type newest first: FRTD decisions, the audit trail (a few among millions).
    Index("ix_ledger_type_seq", "type", "seq"),
)

# The chain's head, written in the same transaction as each append: truncating the ledger's tail
# (which leaves a chain that verifies on its own) shows up as a mismatch with this row.
ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

trains = Table(
    "trains",
    metadata,
    Column("train_key", String(120), primary_key=True),
    Column("number", String(20), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("direction", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("entered_at", DateTime(timezone=True)),
    Column("exited_at", DateTime(timezone=True)),
    Column("manifest_count", Integer, nullable=False),
    Column("admitted_count", Integer, nullable=False),
    Column("completed_count", Integer, nullable=False),
    Column("missing_count", Integer, nullable=False),
    Column("cap", Integer),
    Column("last_event_at", DateTime(timezone=True), nullable=False),
    Index("ix_trains_service_date", "service_date"),
)

journeys = Table(
    "journeys",
    metadata,
    Column("journey_id", String(40), primary_key=True),
    Column("train_key", String(120), nullable=False),
    Column("number", String(20), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("direction", String(20), nullable=False),
    Column("passenger_ref", String(200)),
    Column("on_manifest", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("surname", String(200)),
    Column("given_names", String(200)),
    Column("birth_date", Date),
    Column("sex", String(1)),
    Column("nationality", String(3)),
    Column("document_key", String(220)),
    Column("travel_document_expires", Date),
    Column("transit_kind", String(20)),
    Column("transit_number", String(200)),
    Column("transit_valid_from", Date),
    Column("transit_valid_until", Date),
    Column("entered_at", DateTime(timezone=True)),
    Column("entry_checkpoint", String(40)),
    Column("exited_at", DateTime(timezone=True)),
    Column("exit_checkpoint", String(40)),
    Column("deadline", DateTime(timezone=True)),
    Column("train_exited_at", DateTime(timezone=True)),
    Column("evidence", Text, nullable=False),
    Index("ix_journeys_train_key", "train_key"),
    Index("ix_journeys_document_key", "document_key"),
    Index("ix_journeys_status", "status"),
)

# `scope` says which recomputation owns the row: "train:<key>" (stage 1) or "doc:<key>" (stage 2).
alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(40), primary_key=True),
    Column("scope", String(240), nullable=False),
    Column("type", String(40), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("train_key", String(120), nullable=False),
    Column("number", String(20), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("direction", String(20), nullable=False),
    Column("passenger_ref", String(200)),
    Column("document_key", String(220)),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("message", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Index("ix_alerts_scope", "scope"),
    Index("ix_alerts_type", "type"),
    Index("ix_alerts_train_key", "train_key"),
    Index("ix_alerts_document_key", "document_key"),  # a person's alerts
)

# The latest workflow state of each alert, folded from alert.acknowledged / alert.resolved events.
alert_workflow = Table(
    "alert_workflow",
    metadata,
    Column("alert_id", String(40), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("outcome", String(40)),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Bumped by every rebuild, so a process that keeps projections cached knows they were replaced.
projection_state = Table(
    "projection_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("epoch", BigInteger, nullable=False),
)

# Watchlist entries, bound to their watchlist.updated event by its digest. Not a projection: the
# ledger records each version's digest, this table keeps the entries themselves (a list can be large).
watchlist_entities = Table(
    "watchlist_entities",
    metadata,
    Column("watchlist", String(120), primary_key=True),
    Column("version", String(80), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("body", Text, nullable=False),
)

# The active version of each list, folded from watchlist.updated events.
watchlists = Table(
    "watchlists",
    metadata,
    Column("watchlist", String(120), primary_key=True),
    Column("version", String(80), nullable=False),
    Column("format", String(20), nullable=False),
    Column("source", String(400), nullable=False),
    Column("entities", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Screening hits and their review, folded from screening.hit and screening.reviewed events.
watchlist_hits = Table(
    "watchlist_hits",
    metadata,
    Column("hit_id", String(40), primary_key=True),
    Column("watchlist", String(120), nullable=False),
    Column("version", String(80), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("entity_fingerprint", String(40), nullable=False),
    Column("caption", Text, nullable=False),
    Column("subject", String(240), nullable=False),
    Column("name", Text, nullable=False),
    Column("train_key", String(120)),
    Column("passenger_ref", String(200)),
    Column("score", Float, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("evidence", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reviewed_by", String(200)),
    Column("review_reason", Text),
    Column("reviewed_at", DateTime(timezone=True)),
    Index("ix_watchlist_hits_train_key", "train_key"),
    Index("ix_watchlist_hits_subject", "subject"),
)

# Granted FRTDs, folded from frtd.decided events: what a manifest's FRTD is checked against.
frtd_records = Table(
    "frtd_records",
    metadata,
    Column("number", String(60), primary_key=True),
    Column("document_key", String(220), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("authorised_transit_hours", Float),
    Column("trains", Text, nullable=False),  # JSON [[number, service_date], ...]
    Column("event_id", String(200), nullable=False),
)

# Freight decisions, one row per consignment line, folded from freight.decided events.
freight_decisions = Table(
    "freight_decisions",
    metadata,
    Column("event_id", String(200), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("consignment_id", String(200), nullable=False),
    Column("date", Date, nullable=False),
    Column("mode", String(10), nullable=False),
    Column("direction", String(20), nullable=False),
    Column("consignment_decision", String(10), nullable=False),
    Column("cn_code", String(10), nullable=False),
    Column("decision", String(10), nullable=False),
    Column("rules", Text, nullable=False),
    Column("net_mass_kg", Float, nullable=False),
    Column("value_eur", Float, nullable=False),
    Column("rule_pack", String(120), nullable=False),
)

# -- accounts: who may use the system. Not projections (the ledger does not hold passwords), so a
# rebuild leaves them alone; every change to them is audited in the ledger (audit.recorded).
users = Table(
    "users",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id, with its parameters
    Column("roles", String(200), nullable=False),  # comma-separated role names
    Column("disabled", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Machine clients: a token is `tg_<token_id>_<secret>`; only a SHA-256 of the secret is kept (the
# secret has 256 bits of entropy, so a slow hash buys nothing there, unlike for passwords).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(40), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("scopes", Text, nullable=False),  # comma-separated permissions, within the role's
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Console sessions: the cookie carries a random value; the table keeps its SHA-256 and the CSRF token.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("username", String(80), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_username", "username"),
)

PROJECTION_TABLES = (
    trains,
    journeys,
    alerts,
    alert_workflow,
    watchlists,
    watchlist_hits,
    frtd_records,
    freight_decisions,
)
