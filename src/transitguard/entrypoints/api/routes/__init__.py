"""The API's routers, one module per area. Every route declares its permission with `require(...)`
(or `public()` / `signed_in()`); tests/e2e/test_access_matrix.py checks each one for every role."""

from __future__ import annotations

from fastapi import APIRouter

from transitguard.entrypoints.api.routes import corridor, events, session

ROUTERS: tuple[APIRouter, ...] = (session.router, events.router, corridor.router)
