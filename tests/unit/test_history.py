"""The history generator: what an analyst looking at its facts would notice, on small plans."""

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from chalicelib.domain import facts
from chalicelib.domain.deidentify import mask_text
from chalicelib.domain.dispatch import route
from chalicelib.domain.model import Location
from chalicelib.reference_data import categories, divisions

from infra.local.history import TEXTS, HistoryPlan, generate, write_bucket, write_directory
from tests.fakes import MemoryReference

BEIJING = timezone(timedelta(hours=8))
COLUMNS = [c for c, _ in facts.ORDER_COLUMNS] + ["day", "month"]
# An 11-digit mainland mobile number standing on its own (hashes are hex and may hold digit runs).
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
HEATING = {"heating_insufficient", "heating_outage"}
NOISE = {"construction_noise", "commercial_noise", "square_dance_noise"}
SETTLED = {"not_dispatched", "merged", "answered"}
HANDLING = (
    "created_at",
    "dispatched_at",
    "signed_at",
    "contacted_at",
    "replied_at",
    "evaluated_at",
    "closed_at",
)

WINTER_TO_SUMMER = HistoryPlan("2026-01", "2026-07", 3000, seed=7)
BUSY_MONTH = HistoryPlan("2026-09", "2026-09", 12_000, seed=7)
SMALL = HistoryPlan("2026-10", "2026-10", 400, seed=11)


def rows_of(files: list[tuple[str, bytes]], table: str = "order_changes") -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for key, body in files
        if key.startswith(f"facts/{table}/")
        for line in body.decode().splitlines()
    ]


def beijing(epoch: int, pattern: str) -> str:
    return datetime.fromtimestamp(epoch, BEIJING).strftime(pattern)


@pytest.fixture(scope="module")
def everything() -> list[tuple[str, bytes]]:
    return list(generate(WINTER_TO_SUMMER, progress=False))


@pytest.fixture(scope="module")
def files(everything) -> list[tuple[str, bytes]]:
    return [(key, body) for key, body in everything if key.startswith("facts/order_changes/")]


@pytest.fixture(scope="module")
def rows(files) -> list[dict[str, Any]]:
    return rows_of(files)


@pytest.fixture(scope="module")
def small() -> list[tuple[str, bytes]]:
    return list(generate(SMALL, progress=False))


@pytest.fixture(scope="module")
def busy() -> list[dict[str, Any]]:
    return rows_of(list(generate(BUSY_MONTH, progress=False)))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(small):
    assert list(generate(SMALL, progress=False)) == small
    assert list(generate(HistoryPlan("2026-10", "2026-10", 400, seed=12), progress=False)) != small


def test_every_row_is_a_fact_of_the_day_of_its_last_change(files, rows):
    assert len(rows) == WINTER_TO_SUMMER.orders
    assert len({r["id"] for r in rows}) == len(rows)
    assert [key for key, _ in files] == sorted(key for key, _ in files)
    for key, body in files:
        day = re.fullmatch(r"facts/order_changes/day=(\d{4}-\d\d-\d\d)/history-7\.json", key)
        assert day is not None and body.endswith(b"\n")
        for line in body.decode().splitlines():
            row = json.loads(line)
            assert list(row) == COLUMNS
            assert row["day"] == day.group(1) == beijing(row["changed_at"], "%Y-%m-%d")
            assert row["month"] == beijing(row["created_at"], "%Y-%m")
            assert row["id"][:6] == beijing(row["created_at"], "%y%m%d") and len(row["id"]) == 13


def test_streets_blow_whistles_and_departments_report_in_time_or_late_or_never(everything):
    whistles = rows_of(everything, "summons_changes")
    keys = [key for key, _ in everything if "summons_changes" in key]
    by_whistle: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in whistles:
        by_whistle[row["whistle"]].append(row)

    assert keys == sorted(keys) and all(k.endswith("/history-7.json") for k in keys)
    assert list(whistles[0]) == [c for c, _ in facts.SUMMONS_COLUMNS] + ["day"]
    # Seven months of 3,000 orders: at least the monthly least of twelve each.
    assert len(by_whistle) >= 7 * 10
    street_district = {s.code: d.code for d in divisions() for s in d.streets}
    for rows in by_whistle.values():
        first = rows[0]
        assert re.fullmatch(r"W\d{12}", first["whistle"]) and 1 <= len(rows) <= 3
        assert street_district[first["street"]] == first["district"]
        assert len({r["department"] for r in rows}) == len(rows)
        assert all(r["department"].startswith((f"{first['district']}-", "bj-")) for r in rows)
        assert first["day"] == beijing(first["changed_at"], "%Y-%m-%d")
        assert first["month"] == beijing(first["summoned_at"], "%Y-%m")
        for r in rows:
            assert r["report_by"] == r["summoned_at"] + 30 * 60
            assert r["late"] == (r["reported_at"] is None or r["reported_at"] > r["report_by"])
            assert r["changed_at"] >= max(r["reported_at"] or 0, r["whistle_closed_at"] or 0)
    outcomes = Counter(
        "never" if r["reported_at"] is None else "late" if r["late"] else "in time" for r in whistles
    )
    assert outcomes["in time"] > outcomes["late"] > outcomes["never"] > 0
    assert (
        0.6
        < sum(rows[0]["whistle_closed_at"] is not None for rows in by_whistle.values()) / len(by_whistle)
        < 1
    )


def test_no_phone_number_leaves_the_hotline(files, rows):
    texts = [r["text"] for r in rows if r["text"] is not None]

    assert not any(MOBILE.search(body.decode()) for _, body in files)
    assert all(mask_text(text) == text for text in texts)
    assert any("****" in text for text in texts)  # callback numbers, masked as the export masks them
    assert 0 < sum(r["text"] is None for r in rows) < 0.05 * len(rows)  # confidential orders


def test_heating_peaks_in_winter_and_noise_in_summer(rows):
    volume = Counter((r["month"], r["category"]) for r in rows)

    def of(month: str, codes: set[str]) -> int:
        return sum(volume[(month, code)] for code in codes)

    assert of("2026-01", HEATING) > 5 * of("2026-07", HEATING)
    assert of("2026-07", NOISE) > 1.5 * of("2026-01", NOISE)


def worded_as(text: str, template: str) -> bool:
    """The text is the template's, whatever place (and callback number) it was given."""
    head, tail = template.removesuffix("。").split("{place}")
    return text.startswith(head) and tail in text


def test_requests_are_in_written_words_and_some_categories_words_drift_over_the_months(rows):
    written = json.loads(TEXTS.read_text(encoding="utf-8"))
    drifting = written["drift"]
    spoken = [r for r in rows if r["text"] is not None]
    in_new_words: defaultdict[str, list[bool]] = defaultdict(list)
    for r in spoken:
        if r["category"] in drifting:
            new = any(worded_as(r["text"], t) for _, t in drifting[r["category"]])
            in_new_words[r["month"]].append(new)

    # Every category's requests read as a citizen writes, never as the catalogue's keyword
    assert set(written["templates"]) == {c.code for c in categories()}
    assert not [r["text"] for r in spoken if r["text"].startswith("反映")]
    assert all(len(texts) >= 2 for texts in written["templates"].values())
    # and the drifting categories' new words, rare at first, are most of them by the end
    share = {month: sum(new) / len(new) for month, new in in_new_words.items()}
    assert share["2026-01"] < 0.15 < 0.3 < share["2026-04"] < 0.6 < share["2026-07"]
    assert not [
        r
        for r in spoken
        if r["category"] not in drifting
        and any(worded_as(r["text"], t) for texts in drifting.values() for _, t in texts)
    ]


def comes_back(orders: list[dict[str, Any]]) -> bool:
    """An order of the place was created after an earlier one there had been closed."""
    closed_before: int | None = None
    for r in sorted(orders, key=lambda r: (r["created_at"], r["id"])):
        if closed_before is not None and closed_before < r["created_at"]:
            return True
        if r["closed_at"] is not None:
            closed_before = max(closed_before or 0, r["closed_at"])
    return False


def test_some_places_come_back_after_their_order_was_closed(rows):
    by_place = defaultdict(list)
    for r in rows:
        if r["place"] is not None and r["status"] != "merged":
            by_place[(r["place"], r["category"])].append(r)

    assert sum(comes_back(orders) for orders in by_place.values()) >= 10


def test_some_people_ask_several_times_in_a_month(rows):
    asked = Counter((r["requester"], r["month"]) for r in rows)

    assert sum(1 for n in asked.values() if n >= 2) >= 10
    assert all(re.fullmatch(r"[0-9a-f]{32}", r["requester"]) for r in rows)


def test_requesters_are_keyed_hashes_under_the_plans_key(small):
    requesters = {r["requester"] for r in rows_of(small)}
    synthetic = [f"person-{n}" for n in range(SMALL.orders)]

    assert requesters & {facts.keyed_hash(SMALL.key, s) for s in synthetic}
    assert not requesters & {facts.keyed_hash(b"another key", s) for s in synthetic}


def test_a_few_streets_flare_up_in_the_final_week(rows):
    end = int(datetime(2026, 8, 1, tzinfo=BEIJING).timestamp())
    weekly: Counter[tuple[str, str, int]] = Counter()
    for r in rows:
        if r["status"] != "merged" and end - 9 * 604800 <= r["created_at"] < end:
            weekly[(r["street"], r["category"], (end - r["created_at"]) // 604800)] += 1
    flaring = [
        (street, category)
        for (street, category, week), orders in weekly.items()
        if week == 0
        and orders >= 8
        and orders >= 3 * sum(weekly[(street, category, w)] for w in range(1, 9)) / 8
    ]

    assert len(flaring) >= 3


def test_orders_go_to_the_unit_dispatch_routes_them_to(rows):
    reference = MemoryReference()
    dispatched = [r for r in rows if r["unit"] is not None]

    for r in dispatched[::25]:
        location = Location(district=r["district"], street=r["street"])
        found = route(location, reference.category(r["category"]), reference)
        assert found is not None and found.first_receiver.id == r["unit"]


def test_units_differ_in_how_soon_they_contact_the_requester(busy):
    dispatched: Counter[str] = Counter()
    in_time: Counter[str] = Counter()
    for r in busy:
        if r["unit"] is not None and r["dispatched_at"] is not None:
            dispatched[r["unit"]] += 1
            in_time[r["unit"]] += r["contacted_at"] is not None and not r["contact_late"]
    shares = [in_time[u] / n for u, n in dispatched.items() if n >= 40]

    assert len(shares) >= 30
    assert max(shares) - min(shares) >= 0.3


def test_orders_no_unit_handles_keep_their_reason_and_have_no_unit(rows):
    settled = [r for r in rows if r["status"] in SETTLED]
    share = Counter(r["status"] for r in rows)

    assert 0.015 < share["not_dispatched"] / len(rows) < 0.05
    assert 0.01 < share["merged"] / len(rows) < 0.04
    assert 0.03 < share["answered"] / len(rows) < 0.08
    assert all(r["unit"] is None and r["dispatched_at"] is None and r["deadline"] is None for r in settled)
    assert {r["reason"] for r in settled if r["status"] == "not_dispatched"} <= {
        "outside_duties",
        "legal_channel",
        "unlawful",
        "secrets_privacy",
        "emergency",
        "transferred",
    }
    assert {r["reason"] for r in settled if r["status"] == "merged"} == {"duplicate"}
    assert {(r["reason"], r["type"]) for r in settled if r["status"] == "answered"} == {
        ("answered", "consultation")
    }
    assert all(r["reason"] is None for r in rows if r["status"] not in SETTLED)


def test_instants_follow_the_course_of_an_order(rows):
    for r in rows:
        present = [r[c] for c in HANDLING if r[c] is not None]
        if r["reopened"]:
            # Reopening starts a new round from the first verdict: the unit had signed before it,
            # and the first verdict stays on record until a second one replaces it.
            assert r["created_at"] <= r["signed_at"] <= r["dispatched_at"] <= (r["evaluated_at"] or 0)
            present = [r[c] for c in HANDLING if r[c] is not None and c not in ("signed_at", "evaluated_at")]
        assert present == sorted(present)
        assert max(present) <= r["changed_at"]
        if r["status"] == "closed":
            assert r["closed_at"] is not None and (r["resolved"] is None) == (r["evaluated_at"] is None)
        if r["unreasonable"]:
            assert r["satisfaction"] == "dissatisfied"
    assert any(r["status"] in ("dispatched", "signed", "in_progress", "follow_up") for r in rows)


def test_the_files_go_to_a_directory_or_a_bucket(small, tmp_path: Path):
    class Bucket:
        def __init__(self) -> None:
            self.objects: dict[str, bytes] = {}

        def put_object(self, Bucket: str, Key: str, Body: bytes) -> None:
            assert Bucket == "analytics"
            self.objects[Key] = Body

    s3 = Bucket()
    assert write_directory(SMALL, tmp_path, progress=False) == SMALL.orders
    assert write_bucket(SMALL, s3, "analytics", progress=False) == SMALL.orders
    assert s3.objects == dict(small)
    assert {key: (tmp_path / key).read_bytes() for key, _ in small} == dict(small)


def test_a_plan_names_whole_months_in_order():
    with pytest.raises(ValueError):
        HistoryPlan("2026-13", "2027-01", 10)
    with pytest.raises(ValueError):
        HistoryPlan("2026-10", "2026-09", 10)
