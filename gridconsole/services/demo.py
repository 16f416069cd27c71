"""The demo database: one invented street office with 90 days of cases, in one transaction.

``seed_demo`` is deterministic: the same seed and the same ``clock.now()`` give identical rows
(ids included), so screenshots, snapshots and benchmarks can rely on it. Rows are written with
bulk Core ``INSERT`` statements (executemany) and explicit primary keys, because building ORM
objects one at a time is ~6× slower (performance.md) and because events, dispatches and
duplicates must reference case ids before anything is flushed.

Cases are simulated rather than drawn state by state: each gets a target state suited to its
age, a legal path to it through :mod:`gridconsole.domain.lifecycle`, and plausible timestamps
(department steps mostly in office hours). Deadlines (``due_at``/``warn_at``, ``sign_due_at``,
``handle_due_at``) are left empty: they are computed in working time by the deadlines service.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain import lifecycle
from gridconsole.domain.codes import format_case_code
from gridconsole.domain.enums import (
    OPEN_STATES,
    Action,
    CaseSource,
    CaseState,
    DatabasePurpose,
    DeadlineStep,
    DispatchRole,
    EscalationKind,
    EscalationStage,
    GridKind,
    Priority,
    RejectReason,
    Role,
    Severity,
    TimeUnit,
    WorkerRole,
    WorkerStatus,
)
from gridconsole.domain.errors import DomainError
from gridconsole.services import demo_text as txt
from gridconsole.services.database import PURPOSE_KEY
from gridconsole.services.deadlines import start_missing_steps
from gridconsole.store.engine import Database
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseCodeCounter,
    CaseEvent,
    CategoryTimeLimit,
    Community,
    DatabaseInfo,
    Department,
    Dispatch,
    District,
    Escalation,
    Grid,
    GridWorker,
    GridWorkerGrid,
    Operator,
    Street,
)

A = Action
S = CaseState

# The centre's zone for case-code dates and office hours. The demo is a Nanjing street office
# whatever the console's settings say, so the fixture does not depend on configuration.
ZONE = ZoneInfo("Asia/Shanghai")
HISTORY_DAYS = 90
# departments sign, return and feed back in office hours on weekdays (mostly)
OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
# the centre's day shift, every day
CENTRE_HOURS = ((time(7, 30), time(21, 0)),)
# a duplicate is merged into a case reported at most this long before it
MERGE_WINDOW = timedelta(days=7)
# cases are written in chunks; a chunk leaves memory once no later duplicate can reach it
CHUNK = 5_000
COMPREHENSIVE_GRIDS_PER_COMMUNITY = (5, 4, 4, 4, 4, 5, 4, 4)  # 34 + 6 dedicated = 40 grids
PART_TIME_WORKERS = 46  # 34 × 2 + 6 heads + 46 = 120 workers

# Target states by age of the case: recent cases are still being worked, old ones are closed.
_AGE_BUCKETS: tuple[tuple[timedelta, tuple[tuple[CaseState, float], ...]], ...] = (
    (timedelta(minutes=30), ((S.reported, 1.0),)),
    (
        timedelta(days=1),
        (
            (S.reported, 22),
            (S.registered, 8),
            (S.dispatched, 18),
            (S.in_progress, 25),
            (S.feedback_given, 8),
            (S.returned, 5),
            (S.rejected, 6),
            (S.closed, 5),
        ),
    ),
    (
        timedelta(days=7),
        (
            (S.reported, 1),
            (S.registered, 2),
            (S.dispatched, 5),
            (S.in_progress, 26),
            (S.feedback_given, 10),
            (S.returned, 3),
            (S.suspended, 3),
            (S.reopened, 3),
            # most closed cases are followed up within a working day or two
            (S.closed, 6),
            (S.followed_up, 31),
            (S.rejected, 8),
        ),
    ),
    (
        timedelta(days=30),
        (
            (S.in_progress, 3),
            (S.suspended, 3),
            (S.reopened, 1),
            (S.feedback_given, 1),
            (S.returned, 0.5),
            (S.closed, 3),
            (S.followed_up, 78),
            (S.rejected, 9),
        ),
    ),
    (
        timedelta(days=HISTORY_DAYS + 1),
        (
            (S.in_progress, 0.3),
            (S.suspended, 0.5),
            (S.closed, 0.5),
            (S.followed_up, 90),
            (S.rejected, 8),
        ),
    ),
)

# §3 defaults for the steps whose limit does not depend on the category.
_FIXED_LIMITS: dict[DeadlineStep, tuple[tuple[int, TimeUnit], tuple[int, TimeUnit]]] = {
    DeadlineStep.accept: ((1, TimeUnit.working_hours), (15, TimeUnit.calendar_minutes)),
    DeadlineStep.dispatch: ((1, TimeUnit.working_hours), (15, TimeUnit.calendar_minutes)),
    DeadlineStep.sign: ((1, TimeUnit.working_hours), (15, TimeUnit.calendar_minutes)),
    DeadlineStep.verify: ((1, TimeUnit.working_days), (2, TimeUnit.calendar_hours)),
    DeadlineStep.follow_up: ((1, TimeUnit.working_days), (1, TimeUnit.working_days)),
}

# the tables seed_demo fills, in insert order; a database with rows in any of them is refused
_DATA_MODELS: tuple[type[SQLModel], ...] = (
    District,
    Street,
    Community,
    GridWorker,
    Grid,
    GridWorkerGrid,
    Department,
    CaseCategory,
    CategoryTimeLimit,
    Operator,
    Case,
    CaseEvent,
    Dispatch,
    Escalation,
    CaseCodeCounter,
)
_ID_MODELS: tuple[type[SQLModel], ...] = (
    District,
    Street,
    Community,
    GridWorker,
    Grid,
    Department,
    CaseCategory,
    Operator,
    Case,
    CaseEvent,
    Dispatch,
    Escalation,
)


class DemoDatabaseNotEmpty(DomainError, ValueError):
    """The demo is only seeded into an empty database: it never mixes with existing rows.

    A :class:`DomainError` so the CLI reports it as a refusal, not a traceback.
    """

    key = "error.demo_not_empty"

    def __init__(self, url: str, found: list[str]) -> None:
        shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
        super().__init__(url=url, found=shown)
        self.url = url
        self.found = found


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind the demo wrote."""

    districts: int
    streets: int
    communities: int
    grids: int
    workers: int
    departments: int
    categories: int
    time_limits: int
    operators: int
    cases: int
    events: int
    dispatches: int
    escalations: int


def seed_demo(
    db: Database,
    clock: Clock,
    *,
    cases: int = 2000,
    username: str,
    seed: int = 20261129,
    settings: Settings | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with the demo street office and ``cases`` cases.

    ``username`` (the operating-system account at the keyboard) becomes a shift lead so the
    console opens on the demo straight away. Raises :class:`DemoDatabaseNotEmpty` when the
    database already holds data.
    """
    if cases < 0:
        raise ValueError(f"cases must be 0 or more, not {cases}")
    with db.write() as session:
        _refuse_unless_empty(session, db.url)
        summary = _Generator(random.Random(seed), clock.now(), username).run(session, cases)
        session.execute(
            insert(_table(DatabaseInfo)),
            [{"key": PURPOSE_KEY, "value": DatabasePurpose.demo.value}],
        )
        if session.get_bind().dialect.name == "postgresql":
            _advance_sequences(session)
        # open cases run the clock of the step they are in, timed like any other case
        start_missing_steps(session, settings or Settings())
    return summary


# -- database helpers -------------------------------------------------------------------------


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _insert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(_table(model)), list(rows))


def _refuse_unless_empty(session: Session, url: str) -> None:
    found: list[str] = []
    # the case and operator tables first: they say most about what the database is
    models: tuple[type[SQLModel], ...] = (Case, Operator, Street, *_DATA_MODELS, DatabaseInfo)
    for model in models:
        count = session.execute(select(func.count()).select_from(_table(model))).scalar_one()
        entry = f"{_table(model).name}: {count}"
        if count and entry not in found:
            found.append(entry)
    if found:
        raise DemoDatabaseNotEmpty(url, found)


def _advance_sequences(session: Session) -> None:
    """Explicit ids do not move PostgreSQL's serial sequences: move them past the demo rows so
    the next case, event or operator gets a free id."""
    for model in _ID_MODELS:
        name = _table(model).name
        session.execute(
            sql_text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT MAX(id) FROM {name})) WHERE EXISTS (SELECT 1 FROM {name})"
            )
        )


# -- small generators ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    """The GB 11643 ISO 7064 MOD 11-2 check character of an 18-digit 居民身份证 number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _person_name(rng: random.Random, female: bool) -> str:
    given = txt.GIVEN_FEMALE if female else txt.GIVEN_MALE
    name = rng.choice(txt.SURNAMES) + rng.choice(given)
    if rng.random() < 0.7:
        name += rng.choice(given)
    return name


def _id_number(rng: random.Random, birth: date, female: bool) -> str:
    sequence = rng.randrange(0, 500) * 2 + (0 if female else 1)  # 17th digit: odd for men
    first17 = f"{rng.choice(txt.ID_AREA_CODES)}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)


def _birth_date(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    earliest = today.replace(year=today.year - max_age - 1) + timedelta(days=1)
    latest = today.replace(year=today.year - min_age) - timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def _in_hours(
    rng: random.Random,
    instant: datetime,
    periods: tuple[tuple[time, time], ...],
    *,
    weekdays_only: bool,
) -> datetime:
    """``instant`` if it falls in ``periods``, else a few minutes after the next period opens."""
    local = instant.astimezone(ZONE)
    day = local.date()
    for _ in range(10):
        if not weekdays_only or day.weekday() < 5:
            for start, end in periods:
                opens = datetime.combine(day, start, ZONE)
                if local < opens:
                    return (opens + timedelta(seconds=rng.randrange(60, 40 * 60))).astimezone(UTC)
                if local < datetime.combine(day, end, ZONE):
                    return instant
        day += timedelta(days=1)
        local = datetime.combine(day, time.min, ZONE)
    return instant


# -- the organisation ---------------------------------------------------------------------------


@dataclass
class _GridInfo:
    id: int
    community_id: int
    kind: GridKind
    road: str
    estate: str
    lat: float
    lon: float
    weight: float
    reporters: list[tuple[str, str]] = field(default_factory=list)  # active workers: name, mobile


@dataclass
class _CategoryInfo:
    id: int
    spec: txt.CategorySpec
    department_id: int


@dataclass
class _CaseRecord:
    """One case while it is generated: its row, timeline and dispatches before the insert."""

    row: dict[str, Any]
    events: list[dict[str, Any]]
    dispatches: list[dict[str, Any]]
    written: bool = False

    def state_at(self, instant: datetime) -> CaseState | None:
        state: CaseState | None = None
        for event in self.events:
            if event["at"] > instant:
                break
            if event["to_state"] is not None:
                state = event["to_state"]
        return state


class _Generator:
    def __init__(self, rng: random.Random, now: datetime, username: str) -> None:
        self.rng = rng
        self.now = now.astimezone(UTC)
        self.today = self.now.astimezone(ZONE).date()
        self.username = username
        self.grids: list[_GridInfo] = []
        self.categories: list[_CategoryInfo] = []
        self.department_ids: dict[str, int] = {}
        self.department_names: dict[int, str] = {}
        self.department_codes: dict[int, str] = {}
        self.liaisons: dict[int, int] = {}  # department id -> operator id
        self.dispatchers: list[int] = []
        self.leads: list[int] = []
        self.prefix = txt.STREET[2]
        self.street_id = 1
        self.next_event_id = 1
        self.next_dispatch_id = 1
        self.counts: dict[str, int] = {}

    def run(self, session: Session, case_count: int) -> DemoSummary:
        self._hierarchy(session)
        self._departments_and_categories(session)
        self._operators(session)
        cases, events, dispatches = self._cases(session, case_count)
        return DemoSummary(
            districts=1,
            streets=1,
            communities=self.counts["communities"],
            grids=len(self.grids),
            workers=self.counts["workers"],
            departments=len(self.department_ids),
            categories=len(self.categories),
            time_limits=self.counts["time_limits"],
            operators=self.counts["operators"],
            cases=cases,
            events=events,
            dispatches=dispatches,
            escalations=self.counts["escalations"],
        )

    # -- hierarchy, workers -----------------------------------------------------------------

    def _hierarchy(self, session: Session) -> None:
        rng = self.rng
        district_code, district_name = txt.DISTRICT
        street_code, street_name, prefix = txt.STREET
        _insert(session, District, [{"id": 1, "code": district_code, "name": district_name}])
        _insert(
            session,
            Street,
            [
                {
                    "id": self.street_id,
                    "district_id": 1,
                    "code": street_code,
                    "name": street_name,
                    "case_prefix": prefix,
                }
            ],
        )
        communities = [
            {
                "id": index + 1,
                "street_id": self.street_id,
                "code": f"{street_code}{index + 1:03d}",
                "name": name,
            }
            for index, (name, _roads, _estates) in enumerate(txt.COMMUNITIES)
        ]
        _insert(session, Community, communities)
        self.counts["communities"] = len(communities)

        grids: list[dict[str, Any]] = []
        sequence_in_community = [0] * len(txt.COMMUNITIES)

        def grid_code(community_index: int) -> str:
            sequence_in_community[community_index] += 1
            code = communities[community_index]["code"]
            return f"{code}{sequence_in_community[community_index]:03d}"

        for index, (name, roads, estates) in enumerate(txt.COMMUNITIES):
            short = name.removesuffix("社区")
            for number in range(COMPREHENSIVE_GRIDS_PER_COMMUNITY[index]):
                road = roads[number % len(roads)]
                estate = estates[number % len(estates)]
                households = rng.randint(300, 500)
                first = number // len(estates) * 12 + 1
                grids.append(
                    {
                        "id": len(grids) + 1,
                        "community_id": index + 1,
                        "code": grid_code(index),
                        "name": f"{short}第{number + 1}网格",
                        "kind": GridKind.comprehensive,
                        "unit_name": None,
                        "households": households,
                        "area_description": f"{road}沿线，{estate}{first}–{first + 11}栋，"
                        f"约{households}户",
                        "head_worker_id": None,
                        "resolves_in_grid": True,
                    }
                )
                self.grids.append(
                    _GridInfo(
                        len(grids),
                        index + 1,
                        GridKind.comprehensive,
                        road,
                        estate,
                        32.040 + index * 0.002 + rng.uniform(-0.003, 0.003),
                        118.790 + number * 0.002 + rng.uniform(-0.003, 0.003),
                        households / 100,
                    )
                )
        for community_index, name, unit in txt.DEDICATED_GRIDS:
            road = txt.COMMUNITIES[community_index][1][0]
            grids.append(
                {
                    "id": len(grids) + 1,
                    "community_id": community_index + 1,
                    "code": grid_code(community_index),
                    "name": name,
                    "kind": GridKind.dedicated,
                    "unit_name": unit,
                    "households": None,
                    "area_description": f"{unit}（{road}）用地范围，由单位与属地共同管理",
                    "head_worker_id": None,
                    "resolves_in_grid": True,
                }
            )
            self.grids.append(
                _GridInfo(
                    len(grids),
                    community_index + 1,
                    GridKind.dedicated,
                    road,
                    unit,
                    32.040 + community_index * 0.002,
                    118.800 + rng.uniform(-0.004, 0.004),
                    1.0,
                )
            )

        workers, links = self._workers(grids)
        _insert(session, GridWorker, workers)
        _insert(session, Grid, grids)
        _insert(session, GridWorkerGrid, links)
        self.counts["workers"] = len(workers)

    def _workers(
        self, grids: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        workers: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []

        def add(role: WorkerRole, grid_index: int, *, category: str | None = None) -> int:
            female = rng.random() < 0.55
            min_age, max_age = (18, 72) if role is WorkerRole.part_time else (22, 55)
            status = WorkerStatus.active
            if role is WorkerRole.part_time:
                status = _weighted(
                    rng,
                    ((WorkerStatus.active, 90), (WorkerStatus.on_leave, 5), (WorkerStatus.left, 5)),
                )
            elif rng.random() < 0.04:
                status = WorkerStatus.on_leave
            worker_id = len(workers) + 1
            name = _person_name(rng, female)
            mobile = f"1700000{worker_id:04d}"  # 170-0000: an unused-looking range
            birth = _birth_date(rng, self.today, min_age, max_age)
            workers.append(
                {
                    "id": worker_id,
                    "name": name,
                    "role": role,
                    "part_time_category": category,
                    "mobile": mobile,
                    "id_number": _id_number(rng, birth, female),
                    "status": status,
                }
            )
            links.append({"worker_id": worker_id, "grid_id": grids[grid_index]["id"]})
            if status is WorkerStatus.active:
                self.grids[grid_index].reporters.append((name, mobile))
            return worker_id

        for index, grid in enumerate(grids):
            grid["head_worker_id"] = add(WorkerRole.grid_head, index)
            if grid["kind"] is GridKind.comprehensive:
                # Art. 13: every urban comprehensive grid has a full-time worker
                add(WorkerRole.full_time, index)
        for _ in range(PART_TIME_WORKERS):
            grid_index = rng.randrange(len(grids))
            worker_id = add(
                WorkerRole.part_time, grid_index, category=rng.choice(txt.PART_TIME_CATEGORIES)
            )
            if rng.random() < 0.15:  # a volunteer who also helps the neighbouring grid
                neighbour = (grid_index + 1) % len(grids)
                links.append({"worker_id": worker_id, "grid_id": grids[neighbour]["id"]})
        links.sort(key=lambda link: (link["worker_id"], link["grid_id"]))
        return workers, links

    # -- departments, categories, time limits -----------------------------------------------

    def _departments_and_categories(self, session: Session) -> None:
        departments = []
        for index, spec in enumerate(txt.DEPARTMENTS):
            department_id = index + 1
            departments.append(
                {
                    "id": department_id,
                    "code": spec.code,
                    "name": spec.name,
                    "kind": spec.kind,
                    "duty_phone": f"025-5550{department_id:04d}",  # 555: an obviously fake line
                    "active": True,
                }
            )
            self.department_ids[spec.code] = department_id
            self.department_names[department_id] = spec.name
            self.department_codes[department_id] = spec.code
        _insert(session, Department, departments)

        categories: list[dict[str, Any]] = []
        limits: list[dict[str, Any]] = []
        for index, category in enumerate(txt.CATEGORIES):
            category_id = index + 1
            department_id = self.department_ids[category.department]
            categories.append(
                {
                    "id": category_id,
                    "code": category.code,
                    "name": category.name,
                    "family": category.family,
                    "resolvable_in_grid": category.resolvable,
                    "default_department_id": department_id,
                    "active": True,
                }
            )
            self.categories.append(_CategoryInfo(category_id, category, department_id))
            for step in DeadlineStep:
                if step is DeadlineStep.handle:
                    normal, urgent = category.limits
                else:
                    normal, urgent = _FIXED_LIMITS[step]
                for priority, (amount, unit) in (
                    (Priority.urgent, urgent),
                    (Priority.normal, normal),
                ):
                    limits.append(
                        {
                            "category_id": category_id,
                            "step": step,
                            "priority": priority,
                            "amount": amount,
                            "unit": unit,
                        }
                    )
        _insert(session, CaseCategory, categories)
        _insert(session, CategoryTimeLimit, limits)
        self.counts["time_limits"] = len(limits)

    # -- operators --------------------------------------------------------------------------

    def _operators(self, session: Session) -> None:
        rng = self.rng
        created_at = (self.now - timedelta(days=HISTORY_DAYS + 10)).replace(microsecond=0)
        people: list[tuple[str, str, Role, int | None]] = [
            (self.username, "演示值班长", Role.shift_lead, None),
            ("demo-lead2", _person_name(rng, rng.random() < 0.5), Role.shift_lead, None),
        ]
        people += [
            (f"demo-disp{n}", _person_name(rng, rng.random() < 0.5), Role.dispatcher, None)
            for n in range(1, 5)
        ]
        for spec in txt.DEPARTMENTS:
            if spec.has_liaison:
                people.append(
                    (
                        f"demo-{spec.code.lower()}",
                        _person_name(rng, rng.random() < 0.5),
                        Role.liaison,
                        self.department_ids[spec.code],
                    )
                )
        people += [
            ("demo-admin", "演示管理员", Role.admin, None),
            ("demo-audit", "演示审计员", Role.auditor, None),
        ]
        rows: list[dict[str, Any]] = []
        for username, display_name, role, department_id in people:
            if any(row["username"] == username for row in rows):
                continue  # the OS account happens to be named like a demo account: keep it
            operator_id = len(rows) + 1
            rows.append(
                {
                    "id": operator_id,
                    "username": username,
                    "display_name": display_name,
                    "role": role,
                    "department_id": department_id,
                    "active": True,
                    "created_at": created_at,
                }
            )
            if role is Role.shift_lead:
                self.leads.append(operator_id)
            elif role is Role.dispatcher:
                self.dispatchers.append(operator_id)
            elif role is Role.liaison and department_id is not None:
                self.liaisons[department_id] = operator_id
        _insert(session, Operator, rows)
        self.counts["operators"] = len(rows)

    # -- cases ------------------------------------------------------------------------------

    def _reported_instants(self, count: int) -> list[datetime]:
        rng = self.rng
        span = HISTORY_DAYS * 86_400
        instants = []
        for _ in range(count):
            for _attempt in range(4):
                instant = self.now - timedelta(seconds=rng.randrange(1, span))
                hour = instant.astimezone(ZONE).hour
                # reports cluster in the day; the hotline still brings some at night
                if 8 <= hour < 21 or rng.random() < 0.25:
                    break
            instants.append(instant.replace(microsecond=0))
        instants.sort()
        return instants

    def _targets(self, instants: list[datetime]) -> list[CaseState]:
        rng = self.rng
        targets = []
        for instant in instants:
            age = self.now - instant
            for limit, weights in _AGE_BUCKETS:
                if age < limit:
                    targets.append(_weighted(rng, weights))
                    break
            else:
                targets.append(S.followed_up)
        # every state appears, even in a small demo: take the most recent cases old enough
        # for the state, from states that are plentiful
        counts: dict[CaseState, int] = {}
        for target in targets:
            counts[target] = counts.get(target, 0) + 1
        for state in CaseState:
            if counts.get(state):
                continue
            minimum_age = timedelta(minutes=30) if state is S.reported else timedelta(days=2)
            for index in range(len(targets) - 1, -1, -1):
                if self.now - instants[index] < minimum_age or counts[targets[index]] < 2:
                    continue
                counts[targets[index]] -= 1
                targets[index] = state
                counts[state] = 1
                break
        return targets

    def _cases(self, session: Session, count: int) -> tuple[int, int, int]:
        rng = self.rng
        instants = self._reported_instants(count)
        targets = self._targets(instants)
        grid_weights = [grid.weight for grid in self.grids]
        category_weights = [category.spec.weight for category in self.categories]
        sources = [source for source, _ in txt.SOURCE_WEIGHTS]
        source_weights = [weight for _, weight in txt.SOURCE_WEIGHTS]
        day_sequences: dict[str, int] = {}
        recent_by_category: dict[int, deque[_CaseRecord]] = {}
        pending: list[_CaseRecord] = []
        escalation_candidates: list[tuple[_CaseRecord, str]] = []
        totals = [0, 0, 0]

        for index, (reported_at, target) in enumerate(zip(instants, targets, strict=True)):
            case_id = index + 1
            grid = rng.choices(self.grids, weights=grid_weights)[0]
            category = rng.choices(self.categories, weights=category_weights)[0]
            source = rng.choices(sources, weights=source_weights)[0]
            if source is CaseSource.patrol and not category.spec.ongoing:
                source = CaseSource.grid_worker  # patrols find problems, not questions
            day = f"{reported_at.astimezone(ZONE):%Y%m%d}"
            sequence = day_sequences.get(day, 0) + 1
            day_sequences[day] = sequence
            code = format_case_code(self.prefix, reported_at.astimezone(ZONE).date(), sequence)
            record = self._case(case_id, code, reported_at, target, grid, category, source)
            if target is S.rejected and rng.random() < 0.4:
                self._merge(record, recent_by_category.get(category.id, deque()))
            recent_by_category.setdefault(category.id, deque(maxlen=40)).append(record)
            pending.append(record)
            if category.spec.escalation and record.row["state"] in OPEN_STATES:
                escalation_candidates.append((record, category.spec.escalation))
            if len(pending) >= 2 * CHUNK:
                # write the cases no later duplicate can still be merged into
                horizon = reported_at - MERGE_WINDOW - timedelta(days=1)
                cut = 0
                while cut < len(pending) and pending[cut].row["reported_at"] < horizon:
                    cut += 1
                if cut:
                    self._write(session, pending[:cut], totals)
                    del pending[:cut]
        self._write(session, pending, totals)
        _insert(
            session,
            CaseCodeCounter,
            [
                {"prefix": self.prefix, "day": day, "last_sequence": last}
                for day, last in day_sequences.items()
            ],
        )
        self._escalations(session, escalation_candidates)
        return totals[0], totals[1], totals[2]

    def _write(self, session: Session, records: list[_CaseRecord], totals: list[int]) -> None:
        case_rows, event_rows, dispatch_rows = [], [], []
        for record in records:
            record.written = True
            row = record.row
            events = record.events
            # the services bump the version on every change after the report (flags included)
            row["version"] = len(events)
            row["updated_at"] = events[-1]["at"]
            row["updated_by_id"] = events[-1]["operator_id"]
            row["urge_count"] = sum(1 for event in events if event["action"] is A.urge)
            row["supervised"] = any(event["action"] is A.supervise for event in events)
            for event in events:
                event["id"] = self.next_event_id
                self.next_event_id += 1
            case_rows.append(row)
            event_rows.extend(events)
            dispatch_rows.extend(record.dispatches)
        _insert(session, Case, case_rows)
        _insert(session, CaseEvent, event_rows)
        _insert(session, Dispatch, dispatch_rows)
        totals[0] += len(case_rows)
        totals[1] += len(event_rows)
        totals[2] += len(dispatch_rows)

    def _case(
        self,
        case_id: int,
        code: str,
        reported_at: datetime,
        target: CaseState,
        grid: _GridInfo,
        category: _CategoryInfo,
        source: CaseSource,
    ) -> _CaseRecord:
        rng = self.rng
        spec = category.spec
        priority = Priority.urgent if rng.random() < spec.urgent_share + 0.02 else Priority.normal
        slots = {
            "road": grid.road,
            "num": rng.randint(1, 300),
            "estate": grid.estate,
            "building": rng.randint(1, 30),
            "unit": rng.randint(1, 4),
            "room": f"{rng.randint(1, 18)}0{rng.randint(1, 4)}",
            "shop": rng.choice(txt.SHOPS),
            "eatery": rng.choice(txt.EATERIES),
            "when": rng.choice(txt.WHENS),
            "duration": rng.choice(txt.DURATIONS),
            "topic": rng.choice(txt.TOPICS),
        }
        template = rng.choice(spec.templates)
        title = template.title.format(**slots)[:60]
        address = self._address(grid, template.scope, slots)
        description = self._description(source, address, template.what, spec, slots)
        reporter_name, reporter_phone = self._reporter(source, grid)
        has_grid = not (
            target is S.reported and source is not CaseSource.grid_worker and rng.random() < 0.2
        )
        row: dict[str, Any] = {
            "id": case_id,
            "code": code,
            "street_id": self.street_id,
            "community_id": grid.community_id if has_grid else None,
            "grid_id": grid.id if has_grid else None,
            "category_id": category.id,
            "source": source,
            "priority": priority,
            "title": title,
            "description": description,
            "address": address,
            "reporter_name": reporter_name,
            "reporter_phone": reporter_phone,
            "external_id": f"12345-{code[3:]}" if source is CaseSource.hotline else None,
            "lat": round(grid.lat + rng.uniform(-0.001, 0.001), 6),
            "lon": round(grid.lon + rng.uniform(-0.001, 0.001), 6),
            "reported_at": reported_at,
            "accepted_at": None,
            "closed_at": None,
            "due_at": None,
            "warn_at": None,
            "reject_reason": None,
            "merged_into_id": None,
            "satisfaction": None,
            "created_by_id": None,
        }
        record = _CaseRecord(row, [], [])
        _Timeline(self, record, category, priority, target).build()
        return record

    @staticmethod
    def _address(grid: _GridInfo, scope: str, slots: dict[str, Any]) -> str:
        street_number = f"{grid.road}{slots['num']}号"
        if grid.kind is GridKind.dedicated:
            return f"{grid.estate}（{street_number}）"
        if scope == txt.ROOM:
            return f"{grid.estate}{slots['building']}栋{slots['unit']}单元{slots['room']}室"
        if scope == txt.BUILDING:
            return f"{grid.estate}{slots['building']}栋"
        if scope == txt.ESTATE:
            return f"{street_number}{grid.estate}"
        return street_number

    def _description(
        self,
        source: CaseSource,
        address: str,
        what: str,
        spec: txt.CategorySpec,
        slots: dict[str, Any],
    ) -> str:
        rng = self.rng
        parts = [
            f"{rng.choice(txt.INTROS[source])}{address}，{what.format(**slots)}"
            f"{rng.choice(spec.impacts)}。"
        ]
        pool = txt.EXTRAS if spec.ongoing else txt.CONSULT_EXTRAS
        if spec.ongoing and rng.random() < 0.7:
            parts.append(rng.choice(txt.HISTORIES).format(**slots))
        extras = rng.sample(pool, k=rng.randint(0, 2))
        parts.extend(extras)
        parts.append(f"{rng.choice(spec.requests)}。")
        extras = [extra for extra in pool if extra not in extras]
        while sum(map(len, parts)) < 80 and extras:
            parts.insert(-1, extras.pop(rng.randrange(len(extras))))
        while sum(map(len, parts)) > 200 and len(parts) > 2:
            parts.pop(-2)
        return "".join(parts)[:200]

    def _reporter(self, source: CaseSource, grid: _GridInfo) -> tuple[str, str]:
        rng = self.rng
        if source is CaseSource.grid_worker:
            return rng.choice(grid.reporters) if grid.reporters else ("", "")
        if source in (CaseSource.patrol, CaseSource.department):
            return "", ""
        female = rng.random() < 0.5
        if rng.random() < 0.5:  # callers often give only a surname
            name = rng.choice(txt.SURNAMES) + ("女士" if female else "先生")
        else:
            name = _person_name(rng, female)
        phone = f"1701{rng.randrange(10_000_000):07d}"
        if source is CaseSource.visit and rng.random() < 0.3:
            phone = ""
        return name, phone

    def _merge(self, record: _CaseRecord, candidates: Iterable[_CaseRecord]) -> None:
        """Turn a rejected case into a duplicate merged into an earlier open case, if any."""
        merge_event = record.events[-1]
        instant = merge_event["at"]
        earliest = record.row["reported_at"] - MERGE_WINDOW
        best: _CaseRecord | None = None
        for candidate in reversed(list(candidates)):
            if candidate.written or candidate.row["reported_at"] < earliest:
                continue
            if candidate.state_at(instant) not in OPEN_STATES:
                continue
            if candidate.row["grid_id"] == record.row["grid_id"]:
                best = candidate
                break
            best = best or candidate
        if best is None or merge_event["from_state"] is not S.reported:
            return
        target_code = best.row["code"]
        merge_event.update(
            action=A.merge,
            reason=self.rng.choice(txt.MERGE_NOTES),
            detail={"into": target_code},
        )
        record.row["reject_reason"] = RejectReason.duplicate
        record.row["merged_into_id"] = best.row["id"]
        state = best.state_at(instant)
        absorbed = {
            "case_id": best.row["id"],
            "at": instant,
            "operator_id": merge_event["operator_id"],
            "action": A.absorb_duplicate,
            "from_state": state,
            "to_state": None,
            "reason": merge_event["reason"],
            "on_behalf": False,
            "detail": {"duplicate": record.row["code"]},
        }
        position = bisect.bisect_right([event["at"] for event in best.events], instant)
        best.events.insert(position, absorbed)

    def _escalations(self, session: Session, candidates: list[tuple[_CaseRecord, str]]) -> None:
        rng = self.rng
        wanted = max(3, min(len(candidates) // 4, 40))
        open_ones = [c for c in candidates if c[0].row["state"] is not S.reported]
        # urgent cases first: they are the ones a grid head phones in (Art. 30)
        open_ones.sort(key=lambda c: (c[0].row["priority"], -c[0].row["id"]))
        chosen = open_ones[:wanted]
        rows: list[dict[str, Any]] = []
        for record, kind in chosen:
            first = record.events[0]["at"]
            raised_at = min(first + timedelta(minutes=rng.randint(5, 30)), self.now)
            stage = _weighted(
                rng,
                (
                    (EscalationStage.pending, 30),
                    (EscalationStage.reported_street, 30),
                    (EscalationStage.handling, 30),
                    (EscalationStage.reported_district, 10),
                ),
            )
            confirmed = None
            if stage is not EscalationStage.pending:
                confirmed = min(raised_at + timedelta(minutes=rng.randint(5, 40)), self.now)
            rows.append(
                {
                    "id": len(rows) + 1,
                    "case_id": record.row["id"],
                    "kind": EscalationKind(kind),
                    "severity": _weighted(
                        rng,
                        ((Severity.general, 60), (Severity.larger, 30), (Severity.major, 10)),
                    ),
                    "stage": stage,
                    "raised_at": raised_at,
                    "raised_by_id": rng.choice(self.dispatchers),
                    "confirmed_at": confirmed,
                    "closed_at": None,
                    "reason": txt.ESCALATION_REASONS[kind],
                }
            )
        _insert(session, Escalation, rows)
        self.counts["escalations"] = len(rows)


class _Timeline:
    """Plans one case's legal path to its target state and writes its events and dispatches."""

    def __init__(
        self,
        generator: _Generator,
        record: _CaseRecord,
        category: _CategoryInfo,
        priority: Priority,
        target: CaseState,
    ) -> None:
        self.g = generator
        self.rng = generator.rng
        self.record = record
        self.category = category
        self.urgent = priority is Priority.urgent
        self.target = target
        self.state: CaseState | None = None
        self.at: datetime = record.row["reported_at"]
        self.lead: dict[str, Any] | None = None  # the active lead dispatch
        self.assists: list[dict[str, Any]] = []

    # -- the path -----------------------------------------------------------------------------

    def _work(self, *, wrong_department: bool = True) -> list[Action]:
        """Dispatch to feedback, with the detours departments take."""
        rng = self.rng
        path = [A.dispatch]
        if wrong_department and rng.random() < 0.08:
            path += ([A.sign] if rng.random() < 0.4 else []) + [A.return_, A.redispatch]
        path.append(A.sign)
        if rng.random() < 0.05:
            path += [A.suspend, A.resume]
        path.append(A.feedback)
        return path

    def _to_feedback(self) -> list[Action]:
        rng = self.rng
        if self.category.spec.resolvable and rng.random() < 0.35:
            return [A.report, *([A.accept] if rng.random() < 0.7 else []), A.resolve_in_grid]
        return [A.report, A.accept, *self._work()]

    def plan(self) -> list[Action]:
        rng = self.rng
        target = self.target
        if target is S.reported:
            return [A.report]
        if target is S.rejected:
            return [A.report, A.reject]  # _Generator._merge may turn it into a merge
        if target is S.registered:
            return [A.report, A.accept]
        start = [A.report, A.accept, A.dispatch]
        detour = [A.return_, A.redispatch] if rng.random() < 0.15 else []
        if target is S.dispatched:
            return start + detour
        if target is S.returned:
            return start + ([A.sign] if rng.random() < 0.4 else []) + [A.return_]
        if target is S.in_progress:
            pause = [A.suspend, A.resume] if rng.random() < 0.1 else []
            return [*start, *detour, A.sign, *pause]
        if target is S.suspended:
            return [*start, *detour, A.sign, A.suspend]
        path = self._to_feedback()
        if target is S.feedback_given:
            return path
        if target is S.reopened:
            return [*path, A.verify_fail]
        if rng.random() < 0.05:
            path += [A.verify_fail, *self._work(wrong_department=False)]
        path.append(A.close if rng.random() < 0.15 else A.verify_pass)
        if target is S.followed_up:
            path.append(A.follow_up)
        return path

    # -- timing -------------------------------------------------------------------------------

    def _delay(self, action: Action) -> timedelta:
        rng = self.rng
        minutes: float
        if action in (A.accept, A.dispatch):
            minutes = rng.uniform(1, 10) if self.urgent else rng.uniform(3, 50)
        elif action in (A.reject, A.merge):
            minutes = rng.uniform(10, 120)
        elif action is A.sign:
            minutes = rng.uniform(3, 15) if self.urgent else rng.uniform(10, 180)
        elif action is A.return_:
            minutes = rng.uniform(30, 480)
        elif action is A.redispatch:
            minutes = rng.uniform(10, 90)
        elif action is A.suspend:
            minutes = rng.uniform(1, 3) * 1440
        elif action is A.feedback:
            minutes = self._handle_minutes() * rng.uniform(0.15, 1.1)
        elif action in (A.verify_pass, A.verify_fail, A.close):
            minutes = rng.uniform(20, 120) if self.urgent else rng.uniform(120, 1800)
        elif action is A.follow_up:
            minutes = rng.uniform(60, 2880)
        elif action is A.resolve_in_grid:
            minutes = rng.uniform(20, 240)
        else:
            minutes = rng.uniform(5, 60)
        return timedelta(seconds=int(minutes * 60) + 1)

    def _handle_minutes(self) -> float:
        amount, unit = self.category.spec.limits[1 if self.urgent else 0]
        if unit is TimeUnit.working_hours:
            return amount * 60 * 2.5  # office hours are ~7.5 of 24: a little more than twice
        if unit is TimeUnit.working_days:
            return amount * 1440 * 1.4  # weekends
        if unit is TimeUnit.calendar_minutes:
            return float(amount)
        return amount * 60.0

    def _next_instant(self, action: Action) -> datetime:
        rng = self.rng
        instant: datetime = self.at + self._delay(action)
        if self.urgent:
            return instant
        if action in (A.sign, A.return_, A.feedback, A.suspend):
            if rng.random() < 0.85:
                instant = _in_hours(rng, instant, OFFICE_HOURS, weekdays_only=True)
        elif action is not A.report and rng.random() < 0.7:
            instant = _in_hours(rng, instant, CENTRE_HOURS, weekdays_only=False)
        return instant

    # -- actors and side effects ----------------------------------------------------------------

    def _centre(self) -> int:
        g = self.g
        return (
            self.rng.choice(g.leads) if self.rng.random() < 0.15 else self.rng.choice(g.dispatchers)
        )

    def _department_actor(self) -> tuple[int, bool]:
        """The lead department's liaison, or a dispatcher recording a phone call for it."""
        assert self.lead is not None
        liaison = self.g.liaisons.get(self.lead["department_id"])
        if liaison is not None and self.rng.random() < 0.8:
            return liaison, False
        return self.rng.choice(self.g.dispatchers), True

    def _dispatch(self, department_id: int, event: dict[str, Any]) -> dict[str, Any]:
        g, rng = self.g, self.rng
        if self.lead is not None:
            self.lead["active"] = False
        for assist in self.assists:
            assist["active"] = False
        lead = self._dispatch_row(department_id, DispatchRole.lead, event)
        self.lead = lead
        self.assists = []
        if rng.random() < 0.12:
            others = [d for d in g.department_codes if d != department_id]
            self.assists.append(self._dispatch_row(rng.choice(others), DispatchRole.assist, event))
        return lead

    def _dispatch_row(
        self, department_id: int, role: DispatchRole, event: dict[str, Any]
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.g.next_dispatch_id,
            "case_id": self.record.row["id"],
            "department_id": department_id,
            "role": role,
            "instruction": self.rng.choice(txt.INSTRUCTIONS),
            # the events themselves until their instants are final (see _resolve)
            "dispatched_at": event,
            "dispatched_by_id": event["operator_id"],
            "sign_due_at": None,
            "handle_due_at": None,
            "signed_at": None,
            "returned_at": None,
            "feedback_at": None,
            "feedback": "",
            "active": True,
        }
        self.g.next_dispatch_id += 1
        self.record.dispatches.append(row)
        return row

    def build(self) -> None:
        row = self.record.row
        accepted: dict[str, Any] | None = None
        closed: dict[str, Any] | None = None
        plan = self.plan()
        returned_later = A.return_ in plan
        for action in plan:
            event = self._step(action, returned_later=returned_later)
            if action is A.accept or (action is A.resolve_in_grid and accepted is None):
                accepted = event
            elif action in (A.reject, A.verify_pass, A.close):
                closed = event
            elif action is A.verify_fail:
                closed = None
        row["state"] = self.state
        self._fit_before_now()
        self._flags()
        row["accepted_at"] = accepted["at"] if accepted is not None else None
        row["closed_at"] = closed["at"] if closed is not None else None
        for dispatch in self.record.dispatches:
            for name in ("dispatched_at", "signed_at", "returned_at", "feedback_at"):
                if dispatch[name] is not None:
                    dispatch[name] = dispatch[name]["at"]

    def _step(self, action: Action, *, returned_later: bool) -> dict[str, Any]:
        """Append the event of ``action`` at a plausible instant, with its side effects."""
        rng, g = self.rng, self.g
        row = self.record.row
        events = self.record.events
        default_department = self.category.department_id
        from_state = self.state
        to_state = (
            S.reported
            if from_state is None
            else lifecycle.next_state(action, from_state, case_code=row["code"])
        )
        event: dict[str, Any] = {
            "case_id": row["id"],
            "at": row["reported_at"] if action is A.report else self._next_instant(action),
            "operator_id": self._centre(),
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "reason": "",
            "on_behalf": False,
            "detail": {},
        }
        if action is A.report:
            event["detail"] = {"source": row["source"].value}
            row["created_by_id"] = event["operator_id"]
        elif action is A.reject:
            reject_reason = _weighted(
                rng,
                (
                    (RejectReason.out_of_scope, 50),
                    (RejectReason.insufficient_info, 35),
                    (RejectReason.malicious, 15),
                ),
            )
            row["reject_reason"] = reject_reason
            event["reason"] = rng.choice(txt.REJECT_NOTES[reject_reason.value])
            event["detail"] = {"reject_reason": reject_reason.value}
        elif action is A.resolve_in_grid:
            event["reason"] = rng.choice(txt.RESOLVE_NOTES)
        elif action is A.dispatch:
            if self.lead is not None:  # after a failed verification: back to the same one
                department = self.lead["department_id"]
            elif returned_later:  # first sent to the wrong department, which returns it
                department = rng.choice([d for d in g.department_codes if d != default_department])
            else:
                department = default_department
            self._dispatch(department, event)
            event["detail"] = {"lead": g.department_codes[department]}
            if self.assists:
                event["detail"]["assist"] = [
                    g.department_codes[assist["department_id"]] for assist in self.assists
                ]
        elif action is A.redispatch:
            assert self.lead is not None
            previous = self.lead["department_id"]
            department = default_department
            if department == previous:
                department = rng.choice([d for d in g.department_codes if d != previous])
            self._dispatch(department, event)
            event["detail"] = {
                "lead": g.department_codes[department],
                "from": g.department_codes[previous],
            }
        elif action in (A.sign, A.return_, A.feedback):
            assert self.lead is not None
            event["operator_id"], event["on_behalf"] = self._department_actor()
            if action is A.sign:
                for dispatch in (self.lead, *self.assists):
                    dispatch["signed_at"] = event
            elif action is A.return_:
                basis = rng.choice(txt.RETURN_BASES)
                suggestion = rng.choice(txt.RETURN_REASONS).format(
                    department=g.department_names[default_department]
                )
                event["reason"] = f"{suggestion}；{basis}"
                event["detail"] = {"department": g.department_codes[self.lead["department_id"]]}
                for dispatch in (self.lead, *self.assists):
                    dispatch["returned_at"] = event if dispatch is self.lead else None
                    dispatch["active"] = False
            else:
                event["reason"] = rng.choice(self.category.spec.feedbacks)
                self.lead["feedback_at"] = event
                self.lead["feedback"] = event["reason"]
        elif action is A.suspend:
            event["operator_id"] = rng.choice(g.leads)
            resume_on = (event["at"] + timedelta(days=rng.randint(3, 15))).astimezone(ZONE).date()
            event["reason"] = rng.choice(txt.SUSPEND_REASONS).format(
                resume_on=resume_on.isoformat()
            )
            event["detail"] = {"resume_on": resume_on.isoformat()}
        elif action is A.resume:
            event["operator_id"] = rng.choice(g.leads)
            planned = date.fromisoformat(events[-1]["detail"]["resume_on"])
            event["at"] = max(
                datetime.combine(planned, time(9, 0), ZONE).astimezone(UTC)
                + timedelta(minutes=rng.randint(0, 300)),
                self.at + timedelta(hours=1),
            )
        elif action is A.verify_fail:
            event["reason"] = rng.choice(txt.VERIFY_FAIL_REASONS)
        elif action is A.follow_up:
            satisfaction = _weighted(rng, txt.SATISFACTION)
            row["satisfaction"] = satisfaction
            event["reason"] = txt.FOLLOW_UP_NOTES[satisfaction]
            event["detail"] = {"satisfaction": satisfaction}
        events.append(event)
        self.state = to_state
        self.at = event["at"]
        return event

    def _flags(self) -> None:
        """Reminders (催办) and supervision orders (督办) on cases that waited on a department."""
        rng, g = self.rng, self.g
        events = self.record.events
        allowed = lifecycle.TRANSITIONS[A.urge].sources
        limit = g.now - timedelta(seconds=30)
        draws: list[Action] = []
        if rng.random() < 0.12:
            draws.append(A.urge)
            if rng.random() < 0.3:
                draws.append(A.urge)
        if rng.random() < 0.03:
            draws.append(A.supervise)
        for action in draws:
            # a gap after an event that leaves the case waiting on a department
            gaps = [
                index
                for index, event in enumerate(events)
                if event["to_state"] in allowed
                and (index + 1 < len(events) or event["to_state"] in OPEN_STATES)
            ]
            if not gaps:
                return
            index = rng.choice(gaps)
            start = events[index]["at"]
            end = events[index + 1]["at"] if index + 1 < len(events) else limit
            span = int((end - start).total_seconds())
            if span < 2:
                continue
            state = events[index]["to_state"]
            events.insert(
                index + 1,
                {
                    "case_id": self.record.row["id"],
                    "at": start + timedelta(seconds=rng.randrange(1, span)),
                    "operator_id": rng.choice(g.leads) if action is A.supervise else self._centre(),
                    "action": action,
                    "from_state": state,
                    "to_state": None,
                    "reason": "请加快处置进度" if action is A.urge else "事件久拖未决，下达督办单",
                    "on_behalf": False,
                    "detail": {},
                },
            )

    def _fit_before_now(self) -> None:
        """Squeeze a timeline that would run past now into the time the case has had."""
        events = self.record.events
        limit = self.g.now - timedelta(seconds=30)
        start = events[0]["at"]
        end = events[-1]["at"]
        if end > limit:
            available = max((limit - start).total_seconds(), 1.0)
            factor = available / (end - start).total_seconds()
            for event in events[1:]:
                offset = (event["at"] - start).total_seconds() * factor
                event["at"] = start + timedelta(seconds=int(offset))
        for previous, event in itertools.pairwise(events):
            if event["at"] <= previous["at"]:
                event["at"] = previous["at"] + timedelta(seconds=1)
