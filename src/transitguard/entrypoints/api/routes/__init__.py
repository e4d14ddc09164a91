"""The API's routers, one module per area. Every route declares its permission with `require(...)`
(or `public()` / `signed_in()`); tests/e2e/test_access_matrix.py checks each one for every role."""

from __future__ import annotations

from fastapi import APIRouter

from transitguard.entrypoints.api.routes import (
    accounts,
    audit,
    corridor,
    eligibility,
    events,
    exports,
    freight,
    frtd,
    persons,
    rules,
    screening,
    session,
    watchlists,
)

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    events.router,
    corridor.router,
    persons.router,
    screening.router,
    watchlists.router,
    frtd.router,
    freight.router,
    eligibility.router,
    rules.router,
    exports.router,
    accounts.router,
    audit.router,
)
