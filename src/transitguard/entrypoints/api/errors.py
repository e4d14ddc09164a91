"""One JSON error shape for every failure: {"error": {"code", "message", "problems"?}}.

`problems` lists where input went wrong (field and reason, and line for files), as the CLI does.
No traceback or internal detail ever reaches a client; the server log has it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from transitguard.errors import TransitguardError

log = logging.getLogger("transitguard.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_body(code: str, message: str, problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if problems is not None:
        error["problems"] = problems
    return {"error": error}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "passengers", 0, "surname") → passengers[0].surname; the part ("body", "query") says
    # where, so it leads.
    parts = [str(p) for p in loc]
    where, rest = (
        (parts[0], parts[1:]) if parts and parts[0] in ("body", "query", "path", "header") else ("", parts)
    )
    text = ""
    for part in rest:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return f"{where}:{text}" if where and text else (text or where)


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        # FastAPI puts the character position where a field would be: ("body", 17).
        at = loc[1] if len(loc) > 1 else 0
        detail = (error.get("ctx") or {}).get("error", "")
        return {"field": "body", "reason": f"not valid JSON at character {at}: {detail}".rstrip(": ")}
    return {"field": _field(loc), "reason": str(error.get("msg", ""))}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TransitguardError)
    async def _transitguard(_request: Request, exc: TransitguardError) -> JSONResponse:
        if exc.http_status >= 500:
            log.error("%s: %s", exc.code, exc.message)
        return JSONResponse(exc.as_dict(), status_code=exc.http_status, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_problem(e) for e in exc.errors()]
        first = problems[0] if problems else {"field": "", "reason": "invalid request"}
        message = f"{first['field']}: {first['reason']}" if first["field"] else first["reason"]
        return JSONResponse(error_body("invalid_input", message, problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "internal error (logged on the server)"), status_code=500
        )
