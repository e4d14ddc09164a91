"""Screening inside the corridor, one contract on the in-memory fake, SQLite and PostgreSQL: a list
version, the hits a manifest raises, the review, suppression, a list update, and rebuild."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from factories import T0, manifest, passenger
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.errors import ConflictError, InputError
from transitguard.rulepacks import RulePack
from transitguard.services.corridor import CorridorService
from transitguard.services.ports import AlertFilter, HitFilter
from transitguard.services.screening import ScreeningService

NOW = T0 + timedelta(hours=1)


def listed(entity_id: str, name: str, born: str, gender: str = "female") -> dict[str, Any]:
    return {
        "id": entity_id,
        "schema": "Person",
        "properties": {"name": [name], "birthDate": [born], "gender": [gender], "nationality": ["ru"]},
    }


def write_list(path: Path, entities: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in entities))
    return path


def services(store: Any, pack: RulePack) -> tuple[CorridorService, ScreeningService]:
    corridor = CorridorService(store, pack, lambda: NOW)
    screening = ScreeningService(store, lambda: NOW)
    corridor.screening = screening
    return corridor, screening


def passengers(prefix: str, day: str) -> list[LedgerEntry]:
    zhuravleva = passenger("1", surname="ZHURAVLEVA", given="TATIANA", passport="751112233")
    zhuravleva.update(birth_date="1967-12-19", sex="F")
    other = passenger("2", surname="PETROV", given="ILIA", passport="751112234")
    return [LedgerEntry.of(parse_event(manifest(f"{prefix}-m", [zhuravleva, other], service_date=day)))]


def test_a_manifest_raises_one_hit_per_listed_person_and_a_train_alert(
    store: Any, pack: RulePack, tmp_path: Path
) -> None:
    corridor, screening = services(store, pack)
    path = write_list(
        tmp_path / "eu.ftm.jsonl", [listed("zh", "Татьяна Владимировна ЖУРАВЛЕВА", "1967-12-19")]
    )
    imported = screening.import_list("eu-fsf", path)
    assert (imported.changed, imported.entities) == (True, 1)
    corridor.apply_batch(passengers("a", "2023-05-01"))
    (hit,) = store.hits(HitFilter())
    assert (hit.entity_id, hit.passenger_ref, hit.status) == ("zh", "1", "open")
    assert "ZHURAVLEVA ~ ЖУРАВЛЕВА" in hit.explanation
    (alert,) = store.alerts(AlertFilter(type="WATCHLIST_HIT"))
    assert (alert.severity, alert.passenger_ref, alert.train.key) == ("critical", "1", hit.train_key)
    # the same content again is not a new version
    assert not screening.import_list("eu-fsf", path).changed


def test_a_false_positive_is_suppressed_until_the_listed_entry_changes(
    store: Any, pack: RulePack, tmp_path: Path
) -> None:
    corridor, screening = services(store, pack)
    path = write_list(
        tmp_path / "eu.ftm.jsonl", [listed("zh", "Татьяна Владимировна ЖУРАВЛЕВА", "1967-12-19")]
    )
    screening.import_list("eu-fsf", path)
    corridor.apply_batch(passengers("a", "2023-05-01"))
    (hit,) = store.hits(HitFilter())
    reviewed = screening.review(hit.hit_id, "false_positive", "officer.4", "another person")
    assert (reviewed.status, reviewed.reviewed_by) == ("false_positive", "officer.4")
    (alert,) = store.alerts(AlertFilter(type="WATCHLIST_HIT"))
    assert (alert.status, alert.outcome) == ("resolved", "false_alarm")
    with pytest.raises(ConflictError, match="already reviewed"):
        screening.review(hit.hit_id, "confirmed", "officer.5", "changed my mind")

    corridor.apply_batch(passengers("b", "2023-05-02"))  # same person, another train: suppressed
    assert len(store.hits(HitFilter())) == 1

    # The entry changes (a new alias): the pair is screened again and the open journey hits again.
    changed = listed("zh", "Татьяна Владимировна ЖУРАВЛЕВА", "1967-12-19")
    changed["properties"]["alias"] = ["Tatiana ZJURAVLEVA"]
    update = screening.import_list("eu-fsf", write_list(tmp_path / "eu2.ftm.jsonl", [changed]))
    assert update.changed
    assert update.hits == 2  # both trains' journeys are still open (expected)
    assert len(store.hits(HitFilter(status="open"))) == 2


def test_rebuild_gives_back_hits_reviews_and_alerts(store: Any, pack: RulePack, tmp_path: Path) -> None:
    corridor, screening = services(store, pack)
    path = write_list(
        tmp_path / "eu.ftm.jsonl", [listed("zh", "Татьяна Владимировна ЖУРАВЛЕВА", "1967-12-19")]
    )
    screening.import_list("eu-fsf", path)
    corridor.apply_batch(passengers("a", "2023-05-01"))
    (hit,) = store.hits(HitFilter())
    screening.review(hit.hit_id, "confirmed", "officer.4", "same person, photo matches")
    before = (store.hits(HitFilter()), store.alerts(AlertFilter()), store.watchlists())
    report = corridor.rebuild(workers=1)
    assert report.screening_events == 3  # watchlist.updated, screening.hit, screening.reviewed
    assert (store.hits(HitFilter()), store.alerts(AlertFilter()), store.watchlists()) == before
    assert store.verify_ledger().intact


def test_a_list_that_does_not_parse_leaves_the_active_version(
    store: Any, pack: RulePack, tmp_path: Path
) -> None:
    _, screening = services(store, pack)
    good = write_list(tmp_path / "eu.ftm.jsonl", [listed("zh", "Татьяна ЖУРАВЛЕВА", "1967-12-19")])
    screening.import_list("eu-fsf", good)
    bad = tmp_path / "bad.ftm.jsonl"
    bad.write_bytes(
        good.read_bytes() + b'{"id": "x", "schema": "Person", "properties": {"birthDate": ["1999-02-30"]}}\n'
    )
    with pytest.raises(InputError, match=r"bad\.ftm\.jsonl"):
        screening.import_list("eu-fsf", bad, "ftm")
    (version,) = store.watchlists()
    assert version.source == "eu.ftm.jsonl"
    assert store.ledger_count() == 1
