"""Security headers on every response, and a throttle on sign-in attempts per client address.

Nothing is loaded from another origin (border networks are closed): the Content-Security-Policy
allows this server only, and no inline script or style, so an injected <script> does not run.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def install_security_headers(app: FastAPI, *, https: bool) -> None:
    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Personal data must not stay in a shared tablet's browser cache; static assets may.
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


class SignInThrottle:
    """At most `limit` sign-in attempts per client address in any `window` seconds. Per-account
    lockout (services/accounts.py) stops guessing one password; this slows guessing across accounts."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            attempts = self._attempts.setdefault(client, deque())
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return False
            attempts.append(now)
            if len(self._attempts) > 10_000:  # forget idle clients, so memory stays bounded
                for key in [k for k, v in self._attempts.items() if not v]:
                    del self._attempts[key]
            return True

    def retry_after(self, client: str) -> int:
        with self._lock:
            attempts = self._attempts.get(client)
            if not attempts:
                return 0
            return max(1, int(attempts[0] + self.window - time.monotonic()) + 1)
