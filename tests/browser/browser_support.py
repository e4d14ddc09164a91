"""What the browser tests share besides their fixtures (conftest.py): the served console, signing in,
and screenshots for tests/browser/artifacts/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transitguard.bootstrap import Application

ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "a browser test password"
TABLET = {"width": 1180, "height": 820}  # a 10-11" tablet in landscape


@dataclass
class Console:
    url: str
    application: Application

    def username(self, role: str) -> str:
        return f"{role}.browser"


def sign_in(page: Any, console: Console, role: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(console.username(role))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Any, name: str, height: int = 2000, width: int = TABLET["width"]) -> None:
    """The top of the page, up to `height` pixels: long tables need not be photographed to the end."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky header is drawn where the page was scrolled
    full = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": min(full, height)}
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, clip=clip)
