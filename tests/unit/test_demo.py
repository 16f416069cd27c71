"""The demo database generator: shape, legality of every timeline, determinism, PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, select

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain import lifecycle
from gridconsole.domain.codes import CASE_CODE_PATTERN
from gridconsole.domain.deadlines import running_step
from gridconsole.domain.enums import (
    Action,
    CaseState,
    DatabasePurpose,
    DeadlineStep,
    DispatchRole,
    EscalationStage,
    GridKind,
    Priority,
    RejectReason,
    Role,
    WorkerRole,
    WorkerStatus,
)
from gridconsole.domain.errors import DomainError
from gridconsole.i18n import set_locale
from gridconsole.services import database
from gridconsole.services.bundle import Services
from gridconsole.services.demo import DemoDatabaseNotEmpty, DemoSummary, seed_demo
from gridconsole.services.records import QueueFilter
from gridconsole.store.engine import Database
from gridconsole.store.models import metadata
from tests.factories import sqlite_url
from tests.postgres import fresh_schema_url

# a Sunday morning in Nanjing, like the other fixtures
NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
CASES = 300
USER = "oskar"
ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Seeded:
    db: Database
    summary: DemoSummary
    rows: dict[str, list[dict[str, Any]]]  # every table's rows, ordered by primary key


def _table(name: str) -> Table:
    return metadata.tables[name]


def _dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    with db.reader.connect() as connection:
        return {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def _seed(url: str, *, cases: int = CASES, seed: int = 20261129) -> Seeded:
    db = Database.connect(url)
    database.upgrade(db)
    summary = seed_demo(db, FrozenClock(NOW), cases=cases, username=USER, seed=seed)
    return Seeded(db, summary, _dump(db))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    result = _seed(sqlite_url(tmp_path_factory.mktemp("demo") / "demo.db"))
    yield result
    result.db.dispose()


def _by_case(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["case_id"]].append(row)
    return grouped


# -- shape --------------------------------------------------------------------------------------


def test_counts(seeded: Seeded) -> None:
    rows = seeded.rows
    assert 7 <= len(rows["communities"]) <= 9
    assert len(rows["grids"]) == 40
    assert 110 <= len(rows["grid_workers"]) <= 130
    assert len(rows["departments"]) >= 16
    assert len(rows["case_categories"]) >= 20
    assert len(rows["cases"]) == CASES
    summary = seeded.summary
    assert summary.cases == CASES
    assert summary.events == len(rows["case_events"])
    assert summary.dispatches == len(rows["dispatches"])
    assert summary.grids == 40
    assert summary.workers == len(rows["grid_workers"])
    assert summary.operators == len(rows["operators"])
    assert summary.escalations == len(rows["escalations"]) > 0
    assert rows["database_info"] == [{"key": "purpose", "value": DatabasePurpose.demo.value}]
    assert database.purpose(seeded.db) is DatabasePurpose.demo


def test_hierarchy_codes(seeded: Seeded) -> None:
    rows = seeded.rows
    (street,) = rows["streets"]
    assert re.fullmatch(r"[A-Z]{2,6}", street["case_prefix"])
    communities = {c["id"]: c for c in rows["communities"]}
    for community in communities.values():
        assert re.fullmatch(r"\d{12}", community["code"])
        assert community["code"].startswith(street["code"])
    for grid in rows["grids"]:
        # Art. 8 in practice: the community's division code and a 3-digit sequence
        assert re.fullmatch(communities[grid["community_id"]]["code"] + r"\d{3}", grid["code"])
        if grid["kind"] is GridKind.comprehensive:
            assert 300 <= grid["households"] <= 500
            assert grid["unit_name"] is None
        else:
            assert grid["unit_name"]
    kinds = Counter(grid["kind"] for grid in rows["grids"])
    assert kinds[GridKind.dedicated] >= 4
    assert kinds[GridKind.comprehensive] >= 30


def test_every_urban_comprehensive_grid_has_a_head_and_a_full_time_worker(seeded: Seeded) -> None:
    rows = seeded.rows
    workers = {w["id"]: w for w in rows["grid_workers"]}
    by_grid: dict[int, set[WorkerRole]] = defaultdict(set)
    for link in rows["grid_worker_grids"]:
        worker = workers[link["worker_id"]]
        if worker["status"] is not WorkerStatus.left:
            by_grid[link["grid_id"]].add(worker["role"])
    for grid in rows["grids"]:
        assert grid["head_worker_id"] is not None
        head = workers[grid["head_worker_id"]]
        assert head["role"] is WorkerRole.grid_head
        assert WorkerRole.grid_head in by_grid[grid["id"]]
        if grid["kind"] is GridKind.comprehensive:
            assert WorkerRole.full_time in by_grid[grid["id"]], grid["name"]
    part_time = [w for w in workers.values() if w["role"] is WorkerRole.part_time]
    assert part_time
    assert all(w["part_time_category"] for w in part_time)
    assert Counter(w["status"] for w in workers.values()).most_common(1)[0][0] is (
        WorkerStatus.active
    )


def _mod11_2_valid(number: str) -> bool:
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # ISO 7064 MOD 11-2, GB 11643
    total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17]


def test_id_numbers_are_valid_and_full_time_workers_adult(seeded: Seeded) -> None:
    today = NOW.astimezone(ZONE).date()
    for worker in seeded.rows["grid_workers"]:
        number = worker["id_number"]
        assert re.fullmatch(r"\d{17}[\dX]", number), number
        assert _mod11_2_valid(number), number
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        assert age >= 18
        assert re.fullmatch(r"1[3-9]\d{9}", worker["mobile"])
        assert 2 <= len(worker["name"]) <= 3
    assert len({w["id_number"] for w in seeded.rows["grid_workers"]}) == len(
        seeded.rows["grid_workers"]
    )


def test_the_check_digit_test_itself_rejects_a_wrong_digit() -> None:
    assert _mod11_2_valid("11010519491231002X")  # the standard's published example
    assert not _mod11_2_valid("110105194912310021")


def test_time_limits_cover_every_step_and_priority(seeded: Seeded) -> None:
    limits = {
        (r["category_id"], r["step"], r["priority"]) for r in seeded.rows["category_time_limits"]
    }
    for category in seeded.rows["case_categories"]:
        for step in DeadlineStep:
            for priority in Priority:
                assert (category["id"], step, priority) in limits
        assert 1 <= category["family"] <= 12
        assert category["default_department_id"] is not None
    assert any(c["resolvable_in_grid"] for c in seeded.rows["case_categories"])
    assert not all(c["resolvable_in_grid"] for c in seeded.rows["case_categories"])


def test_operators(seeded: Seeded) -> None:
    operators = {o["username"]: o for o in seeded.rows["operators"]}
    assert operators[USER]["role"] is Role.shift_lead
    roles = Counter(o["role"] for o in operators.values())
    assert roles[Role.dispatcher] >= 2
    assert roles[Role.admin] == 1
    assert roles[Role.auditor] == 1
    liaisons = [o for o in operators.values() if o["role"] is Role.liaison]
    assert liaisons
    assert all(o["department_id"] is not None for o in liaisons)


# -- cases ---------------------------------------------------------------------------------------


def test_every_state_is_present(seeded: Seeded) -> None:
    states = Counter(case["state"] for case in seeded.rows["cases"])
    assert set(states) == set(CaseState)
    # an old street office closes most of what it receives
    closed = states[CaseState.closed] + states[CaseState.followed_up]
    assert closed > CASES / 2


def test_every_timeline_replays_through_the_state_machine(seeded: Seeded) -> None:
    events_by_case = _by_case(seeded.rows["case_events"])
    operator_ids = {o["id"] for o in seeded.rows["operators"]}
    for case in seeded.rows["cases"]:
        events = events_by_case[case["id"]]
        first = events[0]
        assert (first["action"], first["from_state"], first["to_state"]) == (
            Action.report,
            None,
            CaseState.reported,
        )
        assert first["at"] == case["reported_at"]
        state = CaseState.reported
        for event in events[1:]:
            assert event["from_state"] is state, (case["code"], event)
            after = lifecycle.next_state(event["action"], state, case_code=case["code"])
            assert event["to_state"] == (after if after is not state else None)
            state = after
        assert case["state"] is state
        # the services bump the version on every change after the report
        assert case["version"] == len(events)
        times = [event["at"] for event in events]
        assert times == sorted(times)
        assert len(set(times)) == len(times), case["code"]
        assert times[-1] <= NOW
        assert case["updated_at"] == times[-1]
        assert case["updated_by_id"] == events[-1]["operator_id"]
        assert all(event["operator_id"] in operator_ids for event in events)
        assert [e["id"] for e in events] == sorted(e["id"] for e in events)


def test_case_fields_agree_with_the_timeline(seeded: Seeded) -> None:
    events_by_case = _by_case(seeded.rows["case_events"])
    cases = {case["id"]: case for case in seeded.rows["cases"]}
    for case in cases.values():
        events = events_by_case[case["id"]]
        actions = [event["action"] for event in events]
        accepted = [
            e["at"] for e in events if e["action"] in (Action.accept, Action.resolve_in_grid)
        ]
        assert case["accepted_at"] == (accepted[0] if accepted else None)
        if case["state"] in (CaseState.closed, CaseState.followed_up, CaseState.rejected):
            closing = [
                e["at"]
                for e in events
                if e["action"] in (Action.verify_pass, Action.close, Action.reject, Action.merge)
            ]
            assert case["closed_at"] == closing[-1]
        else:
            assert case["closed_at"] is None
        assert case["urge_count"] == actions.count(Action.urge)
        assert case["supervised"] == (Action.supervise in actions)
        # the clock of the step the case is in runs from when it entered the state (handling
        # from the latest dispatch); finished and suspended cases run none
        step = running_step(case["state"])
        assert case["step"] == step, case["code"]
        if step is None:
            assert case["due_at"] is None
            assert case["warn_at"] is None
        else:
            entered = [e["at"] for e in events if e["to_state"] == case["state"]]
            if step is DeadlineStep.handle:
                entered = [
                    e["at"] for e in events if e["action"] in (Action.dispatch, Action.redispatch)
                ]
            assert case["step_started_at"] == (entered[-1] if entered else case["reported_at"])
            assert case["step_started_at"] < case["warn_at"] <= case["due_at"]
        if case["state"] is CaseState.rejected:
            assert case["reject_reason"] is not None
            for event in events:
                if event["action"] in (Action.reject, Action.suspend, Action.return_):
                    assert event["reason"], (case["code"], event["action"])
        if case["merged_into_id"] is not None:
            assert case["reject_reason"] is RejectReason.duplicate
            target = cases[case["merged_into_id"]]
            assert target["id"] < case["id"]
            absorbed = [
                e
                for e in events_by_case[target["id"]]
                if e["action"] is Action.absorb_duplicate
                and e["detail"] == {"duplicate": case["code"]}
            ]
            assert len(absorbed) == 1
            assert (
                absorbed[0]["from_state"] in lifecycle.TRANSITIONS[Action.absorb_duplicate].sources
            )
        assert len(case["title"]) <= 60
        assert 80 <= len(case["description"]) <= 200
        if case["state"] is CaseState.followed_up:
            assert case["satisfaction"]
    assert any(case["merged_into_id"] for case in cases.values())


def test_dispatches_agree_with_the_timeline(seeded: Seeded) -> None:
    events_by_case = _by_case(seeded.rows["case_events"])
    dispatches_by_case = _by_case(seeded.rows["dispatches"])
    categories = {c["id"]: c for c in seeded.rows["case_categories"]}
    assisted = 0
    for case in seeded.rows["cases"]:
        events = events_by_case[case["id"]]
        dispatches = dispatches_by_case.get(case["id"], [])
        sends = [e for e in events if e["action"] in (Action.dispatch, Action.redispatch)]
        leads = [d for d in dispatches if d["role"] is DispatchRole.lead]
        assert [d["dispatched_at"] for d in leads] == [e["at"] for e in sends]
        assisted += len(dispatches) - len(leads)
        signs = [e["at"] for e in events if e["action"] is Action.sign]
        assert [d["signed_at"] for d in leads if d["signed_at"]] == signs
        returns = [e["at"] for e in events if e["action"] is Action.return_]
        assert [d["returned_at"] for d in leads if d["returned_at"]] == returns
        feedbacks = [e["at"] for e in events if e["action"] is Action.feedback]
        assert [d["feedback_at"] for d in leads if d["feedback_at"]] == feedbacks
        active = [d for d in leads if d["active"]]
        if case["state"] in (CaseState.dispatched, CaseState.in_progress, CaseState.suspended):
            assert len(active) == 1
            assert active[0] is leads[-1]
        if case["state"] is CaseState.returned:
            assert active == []
        if leads and not returns:
            assert (
                leads[0]["department_id"]
                == categories[case["category_id"]]["default_department_id"]
            )
    assert assisted > 0


def test_case_codes_are_unique_and_counters_continue_them(seeded: Seeded) -> None:
    cases = seeded.rows["cases"]
    codes = [case["code"] for case in cases]
    assert len(set(codes)) == len(codes)
    last_by_day: dict[str, int] = {}
    for case in cases:
        match = CASE_CODE_PATTERN.match(case["code"])
        assert match is not None, case["code"]
        assert match["prefix"] == seeded.rows["streets"][0]["case_prefix"]
        assert match["day"] == f"{case['reported_at'].astimezone(ZONE):%Y%m%d}"
        sequence = int(match["seq"])
        assert sequence == last_by_day.get(match["day"], 0) + 1  # gapless, in reporting order
        last_by_day[match["day"]] = sequence
    counters = {row["day"]: row["last_sequence"] for row in seeded.rows["case_code_counters"]}
    assert counters == last_by_day


def test_reporters_and_sources(seeded: Seeded) -> None:
    cases = seeded.rows["cases"]
    sources = Counter(case["source"] for case in cases)
    assert len(sources) >= 5
    urgent = sum(1 for case in cases if case["priority"] is Priority.urgent)
    assert 0.03 * CASES <= urgent <= 0.2 * CASES
    for case in cases:
        if case["reporter_phone"]:
            assert re.fullmatch(r"1[3-9]\d{9}", case["reporter_phone"])


def test_open_escalations_exist(seeded: Seeded) -> None:
    cases = {case["id"]: case for case in seeded.rows["cases"]}
    for escalation in seeded.rows["escalations"]:
        assert escalation["stage"] not in (
            EscalationStage.final_reported,
            EscalationStage.withdrawn,
        )
        case = cases[escalation["case_id"]]
        assert case["reported_at"] <= escalation["raised_at"] <= NOW


def test_the_queue_service_pages_the_demo(seeded: Seeded) -> None:
    services = Services.build(seeded.db, Settings(), FrozenClock(NOW), USER)
    assert services.context.actor.role is Role.shift_lead
    page = services.queue.page(QueueFilter(), limit=50)
    assert page.total == CASES
    assert len(page.rows) == 50
    assert page.next_cursor is not None
    waiting = services.queue.page(QueueFilter(states=(CaseState.reported, CaseState.returned)))
    assert waiting.total > 0
    counts = services.queue.header_counts()
    assert counts.escalated > 0
    assert counts.waiting == waiting.total
    detail = services.queue.detail(page.rows[0].code)
    assert detail.events


def test_reseeding_refuses(seeded: Seeded) -> None:
    with pytest.raises(DemoDatabaseNotEmpty, match="已有数据") as refused:
        seed_demo(seeded.db, FrozenClock(NOW), cases=10, username=USER)
    assert isinstance(refused.value, DomainError)
    assert isinstance(refused.value, ValueError)
    assert "cases: 300" in str(refused.value)
    set_locale("en")
    assert "already holds data" in str(refused.value)
    assert _dump(seeded.db)["cases"] == seeded.rows["cases"]


def test_same_seed_and_clock_give_identical_content(tmp_path: Path, seeded: Seeded) -> None:
    again = _seed(sqlite_url(tmp_path / "again.db"))
    try:
        assert again.rows == seeded.rows
        assert again.summary == seeded.summary
    finally:
        again.db.dispose()


def test_another_seed_gives_other_cases(tmp_path: Path, seeded: Seeded) -> None:
    other = _seed(sqlite_url(tmp_path / "other.db"), seed=7, cases=50)
    try:
        titles = [case["title"] for case in other.rows["cases"]]
        assert titles != [case["title"] for case in seeded.rows["cases"][:50]]
        assert set(CaseState) == {case["state"] for case in other.rows["cases"]}
    finally:
        other.db.dispose()


def test_no_cases_at_all(tmp_path: Path) -> None:
    empty = _seed(sqlite_url(tmp_path / "none.db"), cases=0)
    try:
        assert empty.rows["cases"] == []
        assert len(empty.rows["grids"]) == 40
    finally:
        empty.db.dispose()


@pytest.mark.postgres
def test_seeds_postgresql_and_new_rows_get_free_ids(seeded: Seeded) -> None:
    with fresh_schema_url() as url:
        db = Database.connect(url)
        try:
            database.upgrade(db)
            seed_demo(db, FrozenClock(NOW), cases=CASES, username=USER)
            rows = _dump(db)
            # the same content as on SQLite
            assert rows == seeded.rows
            services = Services.build(db, Settings(), FrozenClock(NOW), USER)
            assert services.queue.page(QueueFilter()).total == CASES
            # explicit ids must not leave the sequences behind: a new case gets a fresh id
            created = services.cases.report(
                {
                    "title": "测试新事件",
                    "description": "演示库上新增的事件。",
                    "category": "11-noise",
                    "grid": rows["grids"][0]["code"],
                    "source": "phone",
                }
            )
            assert created.id == CASES + 1
            assert created.version == 1
            # and the case-code counter continues the day's sequence
            today = f"{NOW.astimezone(ZONE):%Y%m%d}"
            last = {r["day"]: r["last_sequence"] for r in rows["case_code_counters"]}.get(today, 0)
            assert created.code == f"{rows['streets'][0]['case_prefix']}-{today}-{last + 1:04d}"
            with pytest.raises(DemoDatabaseNotEmpty):
                seed_demo(db, FrozenClock(NOW), cases=10, username=USER)
        finally:
            db.dispose()


def test_the_case_service_continues_demo_cases(tmp_path: Path) -> None:
    small = _seed(sqlite_url(tmp_path / "small.db"), cases=80)
    try:
        services = Services.build(small.db, Settings(), FrozenClock(NOW), USER)
        waiting = services.queue.page(QueueFilter(states=(CaseState.reported,)))
        row = waiting.rows[0]
        grid_code = small.rows["grids"][0]["code"]  # some hotline cases still lack a grid
        accepted = services.cases.accept(row.code, row.version, grid_code=grid_code)
        assert accepted.state is CaseState.registered
        assert accepted.version == row.version + 1
        today = f"{NOW.astimezone(ZONE):%Y%m%d}"
        last = {r["day"]: r["last_sequence"] for r in small.rows["case_code_counters"]}
        created = services.cases.report(
            {
                "title": "测试新事件",
                "description": "演示库上新增的事件。",
                "category": "11-noise",
                "grid": grid_code,
            }
        )
        assert created.code == f"MY-{today}-{last.get(today, 0) + 1:04d}"
        assert created.id == 81
    finally:
        small.db.dispose()
