"""One error hierarchy for transitguard. Each error knows the HTTP status it maps to.

TransitguardError (500)
├── InputError (422)                bad input from a user or a feed; names where and why
│   └── EventValidationError (422)  one event line: file, line, field, reason
├── ConflictError (409)             the same event id with another body; an illegal workflow step
├── NotFoundError (404)
├── AuthenticationError (401)       no, or wrong, credentials
├── PermissionDeniedError (403)     signed in, but the role does not allow it
├── ConfigurationError (500)        a rule pack or setting that cannot be loaded; names file and key
└── LedgerIntegrityError (500)      the hash chain does not verify; names the row
"""

from __future__ import annotations

from dataclasses import dataclass


class TransitguardError(Exception):
    http_status = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message}}


class InputError(TransitguardError):
    http_status = 422
    code = "invalid_input"


@dataclass(frozen=True)
class Problem:
    """Where an input went wrong: source (file name or '-'), line (1-based), field path, reason."""

    source: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class EventValidationError(InputError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(shown + more)

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["problems"] = [p.__dict__ for p in self.problems]  # type: ignore[index]
        return body


class ConflictError(TransitguardError):
    http_status = 409
    code = "conflict"


class NotFoundError(TransitguardError):
    http_status = 404
    code = "not_found"


class AuthenticationError(TransitguardError):
    http_status = 401
    code = "unauthenticated"


class PermissionDeniedError(TransitguardError):
    http_status = 403
    code = "forbidden"


class ConfigurationError(TransitguardError):
    http_status = 500
    code = "configuration_error"


class LedgerIntegrityError(TransitguardError):
    http_status = 500
    code = "ledger_integrity"
