"""Check a file of consignments against the goods rules: `transitguard freight check`.

Input: JSON Lines, one consignment per line (the contract is in docs/freight.md). Every line is checked
before anything is written, and the decisions go to a temporary file renamed into place at the end: a
bad line, or a bad baseline CSV, leaves no output file and an error naming the file, the line and the
field. Quotas are counted in input order, per calendar year of each consignment's date.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from transitguard.adapters.formats.jsonl import write_lines_atomically
from transitguard.adapters.lists.iso3166 import COUNTRIES
from transitguard.engines.freight import (
    Carrier,
    Consignment,
    ConsignmentDecision,
    FreightEngine,
    GoodsLine,
    Party,
    QuotaBalance,
    QuotaBaseline,
)
from transitguard.engines.screening import ScreeningIndex
from transitguard.errors import EventValidationError, InputError, Problem
from transitguard.rulepacks.goods import GoodsRules
from transitguard.services.screening_files import load_lists

_TOP = frozenset({"id", "date", "mode", "direction", "carrier", "consignor", "consignee", "lines"})
_CARRIER = frozenset({"name", "country", "vehicle_country", "trailer_country"})
_PARTY = frozenset({"name", "country"})
_LINE = frozenset({"cn_code", "description", "origin_country", "net_mass_kg", "value_eur", "control_code"})
_MODES = frozenset({"rail", "road"})
_DIRECTIONS = frozenset({"to_kaliningrad", "from_kaliningrad"})
_CN_LENGTHS = frozenset({6, 8, 10})
_NUMBERS = (int, float)
# Reg 2021/821 Annex I (5A002, 5A002.a.1), Reg 833/2014 Annex VII (X.A.I.001), Common Military List (ML10.a)
_CONTROL_CODE = re.compile(
    r"^(?:[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*|X\.[A-E]\.[IVX]+\.[0-9]{3}|ML(?:[1-9]|1[0-9]|2[0-2])(?:\.[a-z0-9]+)*)$",
    re.IGNORECASE,
)
_ALPHA2 = {code: alpha2 for alpha2, alpha3, _ in COUNTRIES for code in (alpha2, alpha3)}
_BASELINE_COLUMNS = ("cn_prefix", "annual_net_mass_kg")
_BASELINE_OPTIONAL = frozenset({"description"})


class _Bad(Exception):
    """One problem in one consignment line: the field path and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


# -- one consignment line -------------------------------------------------------------------------------


def _object(data: Any, field: str, known: frozenset[str], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _Bad(field, "expected an object")
    if not known.issuperset(data):
        unknown = [key for key in data if key not in known]
        raise _Bad(f"{field}.{unknown[0]}", f"unknown field (known: {', '.join(sorted(known))})")
    for key in required:
        if data.get(key) is None:
            raise _Bad(f"{field}.{key}", "required field is missing")
    return data


def _text(value: Any, field: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise _Bad(field, "expected a non-empty string" if not empty else "expected a string")
    return value


def _country(value: Any, field: str) -> str:
    code = _ALPHA2.get(value.upper()) if isinstance(value, str) else None
    if code is None:
        raise _Bad(field, f"{value!r} is not an ISO 3166-1 country code (RU, LT, BY, ... or RUS, LTU, BLR)")
    return code


def _optional_country(value: Any, field: str) -> str | None:
    return None if value is None or value == "" else _country(value, field)


def _amount(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise _Bad(field, f"{value!r} is not a number of zero or more")
    return float(value)


def _party(data: Any, field: str) -> Party:
    # The common case first, without building anything: a well-formed party of two strings.
    if type(data) is dict and len(data) == 2:
        name, country = data.get("name"), data.get("country")
        code = _ALPHA2.get(country) if type(country) is str else None
        if code is not None and type(name) is str and name.strip():
            return Party(name, code)
    body = _object(data, field, _PARTY, ("name", "country"))
    return Party(_text(body["name"], f"{field}.name"), _country(body["country"], f"{field}.country"))


def _carrier(data: Any) -> Carrier:
    body = _object(data, "carrier", _CARRIER, ("name", "country"))
    return Carrier(
        _text(body["name"], "carrier.name"),
        _country(body["country"], "carrier.country"),
        _optional_country(body.get("vehicle_country"), "carrier.vehicle_country"),
        _optional_country(body.get("trailer_country"), "carrier.trailer_country"),
    )


def cn_digits(value: Any, field: str) -> str:
    """A declared CN code, with or without spaces → its digits (6 HS, 8 CN or 10 TARIC)."""
    if not isinstance(value, str):
        raise _Bad(field, f"{value!r}: a CN code is a string (a number loses its leading zero)")
    digits = value.replace(" ", "")
    if not digits.isdigit() or not digits.isascii() or len(digits) not in _CN_LENGTHS:
        raise _Bad(field, f"{value!r} is not a CN code: 8 digits (CN), 10 (TARIC) or 6 (HS), spaces allowed")
    return digits


def _goods_line(data: Any, n: int) -> GoodsLine:
    # The common case first (no control code, canonical values); anything else takes the checked path,
    # which names the field that is wrong.
    if type(data) is dict and _LINE.issuperset(data) and data.get("control_code") is None:
        cn, description = data.get("cn_code"), data.get("description")
        origin = data.get("origin_country")
        mass: Any = data.get("net_mass_kg")
        value: Any = data.get("value_eur")
        if type(cn) is str and type(description) is str and type(origin) is str:
            digits = cn.replace(" ", "")
            country = _ALPHA2.get(origin)
            if (
                country is not None
                and len(digits) in _CN_LENGTHS
                and digits.isdigit()
                and digits.isascii()
                and type(mass) in _NUMBERS
                and type(value) in _NUMBERS
                and 0 <= mass < math.inf
                and 0 <= value < math.inf
            ):
                return GoodsLine(digits, description, country, float(mass), float(value), None)
    return _checked_goods_line(data, n)


def _checked_goods_line(data: Any, n: int) -> GoodsLine:
    field = f"lines[{n}]"
    body = _object(
        data, field, _LINE, ("cn_code", "description", "origin_country", "net_mass_kg", "value_eur")
    )
    control = body.get("control_code")
    if control is not None and control != "":
        if not isinstance(control, str) or not _CONTROL_CODE.match(control.strip()):
            raise _Bad(
                f"{field}.control_code",
                f"{control!r} is not a control code: Reg 2021/821 Annex I (5A002), "
                "Reg 833/2014 Annex VII (X.A.I.001) or Common Military List (ML10)",
            )
        control = control.strip()
    else:
        control = None
    return GoodsLine(
        cn_code=cn_digits(body["cn_code"], f"{field}.cn_code"),
        description=_text(body["description"], f"{field}.description", empty=True),
        origin_country=_country(body["origin_country"], f"{field}.origin_country"),
        net_mass_kg=_amount(body["net_mass_kg"], f"{field}.net_mass_kg"),
        value_eur=_amount(body["value_eur"], f"{field}.value_eur"),
        control_code=control,
    )


def _consignment(data: Any) -> Consignment:
    if not isinstance(data, dict):
        raise _Bad("", "expected a JSON object (one consignment per line)")
    body = _object(data, "", _TOP, ())
    for key in ("id", "date", "mode", "direction", "carrier", "consignor", "consignee", "lines"):
        if body.get(key) is None:
            raise _Bad(key, "required field is missing")
    ident = body["id"]
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    day = body["date"]
    try:
        if not isinstance(day, str) or len(day) != 10 or day[4] != "-" or day[7] != "-":
            raise ValueError
        parsed = date.fromisoformat(day)
    except ValueError:
        raise _Bad("date", f"{day!r} is not a date in the form YYYY-MM-DD") from None
    if body["mode"] not in _MODES:
        raise _Bad("mode", f"{body['mode']!r} is not a mode (rail or road)")
    if body["direction"] not in _DIRECTIONS:
        raise _Bad(
            "direction", f"{body['direction']!r} is not a direction (to_kaliningrad or from_kaliningrad)"
        )
    lines = body["lines"]
    if not isinstance(lines, list) or not lines:
        raise _Bad("lines", "expected a non-empty list of goods lines")
    return Consignment(
        id=_text(ident, "id"),
        date=parsed,
        mode=body["mode"],
        direction=body["direction"],
        carrier=_carrier(body["carrier"]),
        consignor=_party(body["consignor"], "consignor"),
        consignee=_party(body["consignee"], "consignee"),
        lines=tuple(_goods_line(line, n) for n, line in enumerate(lines)),
    )


def parse_consignment(raw: bytes | str, source: str, line: int) -> Consignment | Problem:
    """One JSON line → a Consignment, or the Problem naming the field and the reason."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Problem(source, line, "", f"not valid JSON: {exc}")
    try:
        return _consignment(data)
    except _Bad as bad:
        return Problem(source, line, bad.field.lstrip("."), bad.reason)


def read_consignments(path: Path, source: str) -> Iterator[tuple[int, Consignment | Problem]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, parse_consignment(raw, source, number)


def check_consignments(path: Path, source: str) -> tuple[int, int]:
    """(consignments, goods lines) in the file; EventValidationError naming every bad line (up to 100)."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    consignments = lines = 0
    for number, item in read_consignments(path, source):
        if isinstance(item, Consignment) and item.id in first_seen:
            item = Problem(
                source, number, "id", f"consignment {item.id!r} is already on line {first_seen[item.id]}"
            )
        if isinstance(item, Problem):
            if len(problems) < 100:
                problems.append(item)
            continue
        first_seen[item.id] = number
        consignments += 1
        lines += len(item.lines)
    if problems:
        raise EventValidationError(problems)
    return consignments, lines


# -- the baseline -----------------------------------------------------------------------------------------


def read_baseline(path: Path) -> QuotaBaseline:
    """The 2019–2021 average annual net mass per CN prefix: a CSV `cn_prefix,annual_net_mass_kg`."""
    source = str(path)
    problems: list[Problem] = []
    annual: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{source}: cannot read the baseline: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in _BASELINE_COLUMNS if c not in header]
        unknown = [c for c in header if c not in _BASELINE_COLUMNS and c not in _BASELINE_OPTIONAL]
        if missing or unknown:
            field = (missing or unknown)[0]
            reason = "required column is missing" if missing else "unknown column"
            raise EventValidationError(
                [
                    Problem(
                        source, 1, field, f"{reason} (columns: cn_prefix, annual_net_mass_kg, description?)"
                    )
                ]
            )
        for row in reader:
            number = reader.line_num
            prefix = (row.get("cn_prefix") or "").replace(" ", "")
            if not prefix.isdigit() or not prefix.isascii() or len(prefix) % 2 or not 2 <= len(prefix) <= 10:
                problems.append(
                    Problem(source, number, "cn_prefix", f"{row.get('cn_prefix')!r} is not a CN prefix")
                )
                continue
            if prefix in first_seen:
                problems.append(
                    Problem(source, number, "cn_prefix", f"{prefix} is already on line {first_seen[prefix]}")
                )
                continue
            try:
                mass = float(row.get("annual_net_mass_kg") or "")
            except ValueError:
                mass = -1.0
            if not math.isfinite(mass) or mass < 0:
                problems.append(
                    Problem(
                        source,
                        number,
                        "annual_net_mass_kg",
                        f"{row.get('annual_net_mass_kg')!r} is not a mass in kg of zero or more",
                    )
                )
                continue
            first_seen[prefix] = number
            annual[prefix] = mass
    if problems:
        raise EventValidationError(problems[:100])
    if not annual:
        raise EventValidationError([Problem(source, 1, "", "the baseline has no rows")])
    return QuotaBaseline(annual)


# -- the parties' lists ----------------------------------------------------------------------------------


def party_index(lists: Sequence[Path], fmt: str | None = None) -> ScreeningIndex | None:
    """A screening index over every entry (persons, companies, vessels) of the asset-freeze lists given
    with `--list`; None when none is given."""
    if not lists:
        return None
    loaded = load_lists(lists, fmt)
    return ScreeningIndex.build((e for listed in loaded for e in listed.entities), persons_only=False)


# -- the file ---------------------------------------------------------------------------------------------


def check_file(
    input: Path,
    output: Path,
    *,
    baseline: Path | None,
    rules: GoodsRules,
    index: ScreeningIndex | None = None,
    on_line: Callable[[int], None] | None = None,
) -> dict[str, int | str]:
    """Decide every consignment of `input`; write the decisions to `output` atomically.

    Returns counts for the summary line. Raises EventValidationError (bad input or baseline, naming
    file, line and field) before anything is written.
    """
    source = str(input)
    quotas = read_baseline(baseline) if baseline is not None else None
    consignments, lines = check_consignments(input, source)
    engine = FreightEngine(rules, baseline=quotas, index=index)
    balance = QuotaBalance()
    counts = {"ALLOW": 0, "DENY": 0, "HOLD": 0}

    def decisions() -> Iterator[ConsignmentDecision]:
        for _, item in read_consignments(input, source):
            if isinstance(item, Problem):  # the file changed since it was checked
                raise EventValidationError([item])
            decision = engine.check(item, balance)
            counts[decision.decision] += 1
            if on_line is not None:
                on_line(1)
            yield decision

    write_lines_atomically(output, decisions())
    return {
        "consignments": consignments,
        "lines": lines,
        "allow": counts["ALLOW"],
        "deny": counts["DENY"],
        "hold": counts["HOLD"],
        "rule_pack": f"{rules.id} {rules.version}",
    }
