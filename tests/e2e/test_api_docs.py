"""docs/api.md stays true: its curl examples run against the API and answer what it shows, and its
table of routes is every API route with its permission. docs/security.md's matrix is PERMISSIONS.

A curl line is run through the test client (the flags the examples use: -s -X -H -d --data-binary
-c -b); `$TG` is the server, `$FEED_TOKEN` and `$ADMIN_TOKEN` tokens of those roles, `$CSRF` the token
of the last sign-in, `$ALERT_ID` the first alert of the last list of alerts. An answer matches the
documented one when every documented key has the documented value; "..." stands for any value.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import orjson
from test_access_matrix import routes_of
from test_api_support import PASSWORD, Api, api  # noqa: F401 - the fixture shared by the API tests

from transitguard.domain.access import PERMISSIONS, ROLES
from transitguard.entrypoints.api.auth import PUBLIC, SIGNED_IN

REPO = Path(__file__).resolve().parents[2]
API_DOC = REPO / "docs" / "api.md"
SECURITY_DOC = REPO / "docs" / "security.md"


def matches(documented: Any, answered: Any) -> bool:
    if documented == "...":
        return True
    if isinstance(documented, dict):
        return isinstance(answered, dict) and all(
            k in answered and matches(v, answered[k]) for k, v in documented.items()
        )
    if isinstance(documented, list):
        return (
            isinstance(answered, list)
            and len(documented) == len(answered)
            and all(matches(d, a) for d, a in zip(documented, answered, strict=True))
        )
    return bool(documented == answered)


def examples() -> list[tuple[str, str | None]]:
    """(curl line, the documented answer or None) of every `console api` block, in order."""
    text = API_DOC.read_text(encoding="utf-8")
    found: list[tuple[str, str | None]] = []
    for block in re.findall(r"```console api\n(.+?)\n```", text, flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], None))
            else:
                found[-1] = (found[-1][0], line)
    return found


def files() -> dict[str, bytes]:
    text = API_DOC.read_text(encoding="utf-8")
    return {
        name: (body + "\n").encode()
        for name, body in re.findall(r"```json (\S+)\n(.+?)\n```", text, flags=re.DOTALL)
    }


class Curl:
    def __init__(self, served: Api) -> None:
        self.api = served
        self.jars: dict[str, Any] = {}
        self.variables = {
            "TG": "http://testserver",
            "FEED_TOKEN": served.token("feed"),
            "ADMIN_TOKEN": served.token("admin"),
        }
        self.files = files()

    def _body(self, value: str) -> bytes:
        if not value.startswith("@"):
            return value.encode()
        name = value[1:]
        return self.files[name] if name in self.files else (REPO / name).read_bytes()

    def run(self, line: str) -> Any:
        words = shlex.split(re.sub(r"\$(\w+)", lambda m: self.variables.get(m.group(1), m.group(0)), line))
        assert words[0] == "curl", line
        method, headers, body, jar, url = None, {}, None, None, None
        args = iter(words[1:])
        for word in args:
            if word == "-s":
                continue
            if word == "-X":
                method = next(args)
            elif word == "-H":
                name, _, value = next(args).partition(": ")
                headers[name] = value
            elif word in ("-d", "--data-binary"):
                body = self._body(next(args))
            elif word in ("-c", "-b"):
                jar = next(args)
            else:
                assert not word.startswith("-"), f"{line}: {word!r} is not understood here"
                assert url is None, f"{line}: two URLs"
                url = word
        assert url is not None, line
        assert "$" not in url + "".join(headers.values()), f"{line}: a variable is not set"
        client = self.jars.setdefault(jar, self.api.client()) if jar else self.api.client()
        # curl posts when given data; -d sends form-encoded data unless a Content-Type says otherwise.
        method = method or ("POST" if body is not None else "GET")
        if body is not None and "Content-Type" not in headers:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = client.request(method, url, content=body, headers=headers)
        assert answer.status_code < 400, f"{line}\n{answer.status_code} {answer.text}"
        decoded = answer.json()
        if isinstance(decoded, dict) and "csrf_token" in decoded:
            self.variables["CSRF"] = decoded["csrf_token"]
        if (
            isinstance(decoded, list)
            and decoded
            and isinstance(decoded[0], dict)
            and "alert_id" in decoded[0]
        ):
            self.variables["ALERT_ID"] = decoded[0]["alert_id"]
        return decoded


def test_the_curl_examples_answer_what_the_document_shows(api: Api) -> None:  # noqa: F811
    api.application.accounts.create_user("guard.1", PASSWORD, ["border_guard"])
    curl = Curl(api)
    ran = examples()
    assert len(ran) >= 8
    for line, documented in ran:
        answered = curl.run(line)
        if documented is not None:
            assert matches(orjson.loads(documented), answered), (
                f"{line}\ndocumented: {documented}\nanswered: {answered}"
            )


def route_table(text: str) -> list[tuple[str, str, str]]:
    block = re.search(r"<!-- routes -->\n(.+?)\n<!-- /routes -->", text, flags=re.DOTALL)
    assert block, "docs/api.md has no routes table"
    table = []
    for line in block.group(1).splitlines()[2:]:
        method, path, permission = (cell.strip().strip("`") for cell in line.strip("|").split("|"))
        table.append((method, path, permission))
    return sorted(table)


def _permission_name(permission: str) -> str:
    return {PUBLIC: "anyone", SIGNED_IN: "signed in"}.get(permission, permission)


def test_the_table_of_routes_is_every_api_route_with_its_permission(api: Api) -> None:  # noqa: F811
    served = sorted(
        (method, path.removeprefix("/api/v1"), _permission_name(permission))
        for method, path, permission in routes_of(api.app)
        if path.startswith("/api/v1/")
    )
    documented = route_table(API_DOC.read_text(encoding="utf-8"))
    assert documented == served, "docs/api.md's routes table differs:\n" + "\n".join(
        f"| {m} | `{p}` | `{perm}` |" for m, p, perm in served
    )


def test_the_security_matrix_is_the_declared_one() -> None:
    text = SECURITY_DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- matrix -->\n(.+?)\n<!-- /matrix -->", text, flags=re.DOTALL)
    assert block, "docs/security.md has no matrix"
    header, _, *rows = block.group(1).splitlines()
    roles = [cell.strip().strip("`") for cell in header.strip("|").split("|")][1:]
    assert roles == list(ROLES)
    documented: dict[str, tuple[str, ...]] = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        permission = cells[0].strip("`")
        documented[permission] = tuple(r for r, cell in zip(roles, cells[1:], strict=True) if cell == "✓")
        assert set(cells[1:]) <= {"✓", ""}, row
    assert documented == {p: tuple(r for r in ROLES if r in holders) for p, holders in PERMISSIONS.items()}
