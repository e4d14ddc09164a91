"""Who may do what: the roles, the permissions, and the one matrix that joins them.

Every HTTP route and console page names exactly one permission (entrypoints/api/routes declare it);
tests/e2e/test_access_matrix.py walks every route with every role and checks the answer against
PERMISSIONS below. Personal data (names, documents, journeys) is behind permissions that analysts and
administrators do not hold: they see aggregates and manage the system, not travellers.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Role = Literal[
    "border_guard", "consular_officer", "customs_officer", "analyst", "supervisor", "admin", "feed"
]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

ROLE_TITLES: Final[dict[Role, str]] = {
    "border_guard": "Border guard",
    "consular_officer": "Consular officer",
    "customs_officer": "Customs officer",
    "analyst": "Analyst",
    "supervisor": "Shift supervisor",
    "admin": "Administrator",
    "feed": "Machine feed",
}

_OFFICERS: Final = ("border_guard", "consular_officer", "customs_officer")
_HUMANS: Final = (*_OFFICERS, "analyst", "supervisor", "admin")

# permission → the roles that hold it. One place; the API, the console and the tests read it.
PERMISSIONS: Final[dict[str, tuple[Role, ...]]] = {
    # aggregates: no person in them
    "board.read": _HUMANS,
    "dashboard.read": _HUMANS,
    "rules.read": _HUMANS,
    "watchlists.read": (*_OFFICERS, "supervisor", "admin"),
    # the corridor: events in, and what they say about people
    "events.write": ("feed", "border_guard", "supervisor"),
    "mrz.parse": ("feed", "border_guard", "consular_officer", "supervisor"),
    "journeys.read": ("border_guard", "supervisor"),
    "alerts.read": ("border_guard", "supervisor"),
    "alerts.work": ("border_guard", "supervisor"),
    "persons.read": ("border_guard", "consular_officer", "supervisor"),
    # decisions
    "screening.run": ("border_guard", "consular_officer", "supervisor"),
    "hits.read": ("border_guard", "consular_officer", "supervisor"),
    "hits.review": ("border_guard", "consular_officer", "supervisor"),
    "eligibility.check": ("border_guard", "consular_officer", "supervisor"),
    "frtd.read": ("consular_officer", "supervisor"),
    "frtd.decide": ("consular_officer", "supervisor"),
    "freight.read": ("customs_officer", "analyst", "supervisor"),
    "freight.check": ("customs_officer", "supervisor"),
    "exports.run": ("analyst", "supervisor"),
    # administration
    "watchlists.manage": ("admin",),
    "rules.manage": ("admin",),
    "users.manage": ("admin",),
    "audit.read": ("admin", "supervisor"),
    "ledger.verify": ("admin", "supervisor"),
}


def permissions_of(roles: tuple[str, ...] | list[str]) -> frozenset[str]:
    return frozenset(p for p, holders in PERMISSIONS.items() if any(r in holders for r in roles))


def allowed(roles: tuple[str, ...] | list[str], permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return any(role in PERMISSIONS[permission] for role in roles)
