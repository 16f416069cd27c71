"""The demo database: one invented street office with 90 days of cases, in one transaction.

``seed_demo`` is deterministic: the same seed and the same ``clock.now()`` give identical rows
(ids included), so screenshots, snapshots and benchmarks can rely on it. Rows are written with
bulk Core ``INSERT`` statements (executemany) and explicit primary keys, because building ORM
objects one at a time is ~6× slower (performance.md) and because events, dispatches, requests and
duplicates must reference case ids before anything is flushed.

This module builds the organisation (communities, grids and their workers, departments with the
categories they handle and the routing rules, operators) and writes the cases; each case's
history is planned by :mod:`gridconsole.services.demo_history`: a target state suited to its
age, a legal path to it, the operators the services would have allowed, and every deadline
computed in working time by the same planner the services use. A few departments' requests are
left waiting for the shift lead on open cases.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from gridconsole.clock import Clock
from gridconsole.config import Settings
from gridconsole.domain.codes import format_case_code
from gridconsole.domain.enums import (
    OPEN_STATES,
    Action,
    CaseSource,
    CaseState,
    DatabasePurpose,
    DeadlineStep,
    DepartmentKind,
    DispatchRole,
    EscalationKind,
    EscalationSource,
    GridKind,
    Priority,
    RejectReason,
    RequestKind,
    Role,
    Severity,
    TimeUnit,
    WorkerRole,
    WorkerStatus,
)
from gridconsole.domain.errors import DomainError
from gridconsole.domain.grid_work import grid_work_refusal
from gridconsole.domain.identifiers import id_check_character
from gridconsole.i18n import t
from gridconsole.services import demo_text as txt
from gridconsole.services.audit import record_audit_as
from gridconsole.services.database import PURPOSE_KEY
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.demo_escalations import (
    BOARD_ACTIONS,
    CASE_OVER,
    CLOSED_PLANS,
    OPEN_PLANS,
    PROPOSAL_PLANS,
    EscalationHistory,
)
from gridconsole.services.demo_history import (
    ZONE,
    CaseRecord,
    CategoryInfo,
    HistoryWorld,
    Timeline,
    add_pending_request,
    weighted,
)
from gridconsole.services.roster import fill_search_keys
from gridconsole.store import case_search
from gridconsole.store.engine import Database
from gridconsole.store.event_departments import pick_department
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseCodeCounter,
    CaseEvent,
    CaseRequest,
    CategoryTimeLimit,
    Community,
    DatabaseInfo,
    Department,
    DepartmentCategory,
    Dispatch,
    District,
    Escalation,
    EscalationAlert,
    EscalationReport,
    Grid,
    GridWorker,
    GridWorkerGrid,
    Operator,
    RoutingRule,
    Street,
    WorkerDeclaration,
)

A = Action
S = CaseState

HISTORY_DAYS = 90
# a duplicate is merged into a case reported at most this long before it
MERGE_WINDOW = timedelta(days=7)
# cases are written in chunks; a chunk leaves memory once no later duplicate can reach it
CHUNK = 5_000
COMPREHENSIVE_GRIDS_PER_COMMUNITY = (5, 4, 4, 4, 4, 5, 4, 4)  # 34 + 6 dedicated = 40 grids
PART_TIME_WORKERS = 46  # 34 × 2 + 6 heads + 46 = 120 workers
# open cases a department holds that end with a request waiting for the shift lead, and its kind
PENDING_SHARE = 0.35
PENDING_KINDS: tuple[tuple[RequestKind, float], ...] = (
    (RequestKind.return_, 3),
    (RequestKind.extension, 4),
    (RequestKind.suspension, 3),
)

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
    WorkerDeclaration,
    Department,
    CaseCategory,
    DepartmentCategory,
    RoutingRule,
    CategoryTimeLimit,
    Operator,
    Case,
    CaseEvent,
    Dispatch,
    CaseRequest,
    Escalation,
    EscalationReport,
    EscalationAlert,
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
    RoutingRule,
    Operator,
    Case,
    CaseEvent,
    Dispatch,
    CaseRequest,
    Escalation,
    EscalationReport,
    EscalationAlert,
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
    department_categories: int
    routing_rules: int
    time_limits: int
    operators: int
    cases: int
    events: int
    dispatches: int
    requests: int
    pending_requests: int
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
        generator = _Generator(random.Random(seed), clock.now(), username, settings or Settings())
        summary = generator.run(session, cases)
        # the cases went in as bulk rows: index their text for search in the same transaction
        case_search.rebuild(session.connection())
        session.execute(
            insert(_table(DatabaseInfo)),
            [{"key": PURPOSE_KEY, "value": DatabasePurpose.demo.value}],
        )
        if session.get_bind().dialect.name == "postgresql":
            _advance_sequences(session)
        record_audit_as(
            session,
            username,
            clock.now(),
            "demo.build",
            detail={"cases": cases, "seed": seed},
        )
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


def id_check_digit(first17: str) -> str:
    """The GB 11643 ISO 7064 MOD 11-2 check character of an 18-digit 居民身份证 number."""
    return id_check_character(first17)


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


class _Generator:
    def __init__(
        self, rng: random.Random, now: datetime, username: str, settings: Settings
    ) -> None:
        self.rng = rng
        self.now = now.astimezone(UTC)
        self.today = self.now.astimezone(ZONE).date()
        self.username = username
        self.settings = settings
        self.grids: list[_GridInfo] = []
        self.grid_ids: dict[str, int] = {}  # grid name -> id
        self.categories: list[CategoryInfo] = []
        self.department_ids: dict[str, int] = {}
        self.department_names: dict[int, str] = {}
        self.department_codes: dict[int, str] = {}
        self.units: set[int] = set()
        # routing rules: (category id, grid id) and (category id, community id) -> department
        self.grid_rules: dict[tuple[int, int], int] = {}
        self.community_rules: dict[tuple[int, int], int] = {}
        self.liaisons: dict[int, int] = {}  # department id -> operator id
        self.dispatchers: list[int] = []
        self.leads: list[int] = []
        self.prefix = txt.STREET[2]
        self.street_id = 1
        self.next_event_id = 1
        self.counts: Counter[str] = Counter()

    def run(self, session: Session, case_count: int) -> DemoSummary:
        self._hierarchy(session)
        self._departments_and_categories(session)
        self._operators(session)
        # after the categories' time limits: deadlines are planned from the rows just written
        world = HistoryWorld(
            rng=self.rng,
            now=self.now,
            planner=DeadlinePlanner(session, self.settings),
            warn_fraction=self.settings.deadlines.warn_fraction,
            leads=self.leads,
            dispatchers=self.dispatchers,
            liaisons=self.liaisons,
            department_codes=self.department_codes,
            department_names=self.department_names,
            units=frozenset(self.units),
        )
        self._cases(session, world, case_count)
        counts = self.counts
        return DemoSummary(
            districts=1,
            streets=1,
            communities=counts["communities"],
            grids=len(self.grids),
            workers=counts["workers"],
            departments=len(self.department_ids),
            categories=len(self.categories),
            department_categories=counts["department_categories"],
            routing_rules=counts["routing_rules"],
            time_limits=counts["time_limits"],
            operators=counts["operators"],
            cases=counts["cases"],
            events=counts["events"],
            dispatches=counts["dispatches"],
            requests=counts["requests"],
            pending_requests=sum(counts[f"pending_{kind.value}"] for kind in RequestKind),
            escalations=counts["escalations"],
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

        self.grid_ids = {grid["name"]: grid["id"] for grid in grids}
        workers, links = self._workers(grids)
        _insert(session, GridWorker, workers)
        _insert(session, Grid, grids)
        _insert(session, GridWorkerGrid, links)
        # the roster: pinyin search keys of the names, and the full-time workers' Art. 14
        # declarations (every one eligible)
        fill_search_keys(session)
        _insert(
            session,
            WorkerDeclaration,
            [
                {
                    "worker_id": worker["id"],
                    "citizen": True,
                    "criminal": False,
                    "detention": False,
                    "dismissal": False,
                    "dishonesty": False,
                    "recorded_at": self.now,
                    "recorded_by_id": None,
                }
                for worker in workers
                if worker["role"] is WorkerRole.full_time
            ],
        )
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
                status = weighted(
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
                    # on duty today: two in three serving heads and full-time workers (no draw
                    # from the generator, so the rest of the demo stays as it was)
                    "on_duty_on": self.today
                    if status is WorkerStatus.active
                    and role is not WorkerRole.part_time
                    and worker_id % 3
                    else None,
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
            if spec.kind is DepartmentKind.unit:
                self.units.add(department_id)
        _insert(session, Department, departments)

        categories: list[dict[str, Any]] = []
        handled: list[dict[str, Any]] = []
        limits: list[dict[str, Any]] = []
        for index, category in enumerate(txt.CATEGORIES):
            category_id = index + 1
            department_id = self.department_ids[category.department]
            # the default department handles its categories, and a few others share them
            handlers = (
                department_id,
                *(self.department_ids[code] for code in txt.EXTRA_HANDLERS.get(category.code, ())),
            )
            categories.append(
                {
                    "id": category_id,
                    "code": category.code,
                    "name": category.name,
                    "family": category.family,
                    "resolvable_in_grid": category.resolvable,
                    "on_matter_list": True,
                    "administrative_power": category.power,
                    "default_department_id": department_id,
                    "active": True,
                }
            )
            handled.extend(
                {"department_id": handler, "category_id": category_id} for handler in handlers
            )
            grid_work = (
                grid_work_refusal(
                    on_matter_list=True,
                    administrative_power=category.power,
                    resolvable_in_grid=category.resolvable,
                )
                is None
            )
            self.categories.append(
                CategoryInfo(category_id, category, department_id, handlers, grid_work)
            )
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
        handled.sort(key=lambda row: (row["department_id"], row["category_id"]))
        _insert(session, CaseCategory, categories)
        _insert(session, DepartmentCategory, handled)
        _insert(session, CategoryTimeLimit, limits)
        self.counts["department_categories"] = len(handled)
        self.counts["time_limits"] = len(limits)
        self._routing_rules(session)

    def _routing_rules(self, session: Session) -> None:
        """The rules before the categories' defaults: a 专属 grid's own unit (Art. 42), a
        community's own arrangement."""
        category_ids = {category.spec.code: category.id for category in self.categories}
        rules: list[dict[str, Any]] = []
        for category_code, community_index, grid_name, department_code in txt.ROUTING_RULES:
            category_id = category_ids[category_code]
            department_id = self.department_ids[department_code]
            grid_id = self.grid_ids[grid_name] if grid_name is not None else None
            community_id = community_index + 1 if community_index is not None else None
            rules.append(
                {
                    "id": len(rules) + 1,
                    "category_id": category_id,
                    "community_id": community_id,
                    "grid_id": grid_id,
                    "department_id": department_id,
                }
            )
            if grid_id is not None:
                self.grid_rules[(category_id, grid_id)] = department_id
            elif community_id is not None:
                self.community_rules[(category_id, community_id)] = department_id
        _insert(session, RoutingRule, rules)
        self.counts["routing_rules"] = len(rules)

    def _configured(self, category: CategoryInfo, grid: _GridInfo) -> int:
        """The department the routing rules name for a case: the grid's rule, the community's,
        else the category's default."""
        found = self.grid_rules.get((category.id, grid.id))
        if found is None:
            found = self.community_rules.get((category.id, grid.community_id))
        return found if found is not None else category.department_id

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
                    targets.append(weighted(rng, weights))
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

    def _cases(self, session: Session, world: HistoryWorld, count: int) -> None:
        rng = self.rng
        instants = self._reported_instants(count)
        targets = self._targets(instants)
        # cumulative weights once: what rng.choices would work out on every call
        grid_weights = list(itertools.accumulate(grid.weight for grid in self.grids))
        category_weights = list(
            itertools.accumulate(category.spec.weight for category in self.categories)
        )
        sources = [source for source, _ in txt.SOURCE_WEIGHTS]
        source_weights = list(itertools.accumulate(weight for _, weight in txt.SOURCE_WEIGHTS))
        day_sequences: dict[str, int] = {}
        recent_by_category: dict[int, deque[CaseRecord]] = {}
        pending: list[CaseRecord] = []
        escalation_candidates: list[tuple[CaseRecord, str]] = []

        for index, (reported_at, target) in enumerate(zip(instants, targets, strict=True)):
            case_id = index + 1
            grid = rng.choices(self.grids, cum_weights=grid_weights)[0]
            category = rng.choices(self.categories, cum_weights=category_weights)[0]
            source = rng.choices(sources, cum_weights=source_weights)[0]
            if source is CaseSource.patrol and not category.spec.ongoing:
                source = CaseSource.grid_worker  # patrols find problems, not questions
            day = f"{reported_at.astimezone(ZONE):%Y%m%d}"
            sequence = day_sequences.get(day, 0) + 1
            day_sequences[day] = sequence
            code = format_case_code(self.prefix, reported_at.astimezone(ZONE).date(), sequence)
            record = self._case(world, case_id, code, reported_at, target, grid, category, source)
            if rng.random() < PENDING_SHARE:
                self._leave_pending(world, record, weighted(rng, PENDING_KINDS))
            if target is S.rejected and rng.random() < 0.4:
                self._merge(record, recent_by_category.get(category.id, deque()))
            recent_by_category.setdefault(category.id, deque(maxlen=40)).append(record)
            pending.append(record)
            if category.spec.escalation:
                escalation_candidates.append((record, category.spec.escalation))
            if len(pending) >= 2 * CHUNK:
                # write the cases no later duplicate can still be merged into
                horizon = reported_at - MERGE_WINDOW - timedelta(days=1)
                cut = 0
                while cut < len(pending) and pending[cut].row["reported_at"] < horizon:
                    cut += 1
                if cut:
                    self._write(session, pending[:cut])
                    del pending[:cut]
        # the shift lead's approvals list has work of every kind, even in a small demo
        for kind in RequestKind:
            for record in reversed(pending):
                if self.counts[f"pending_{kind.value}"]:
                    break
                self._leave_pending(world, record, kind)
        # the board's events go on the timelines of cases not written yet (the recent ones)
        board = self._escalations(escalation_candidates)
        self._write(session, pending)
        _insert(
            session,
            CaseCodeCounter,
            [
                {"prefix": self.prefix, "day": day, "last_sequence": last}
                for day, last in day_sequences.items()
            ],
        )
        _insert(session, Escalation, board.escalations)
        _insert(session, EscalationReport, board.reports)
        _insert(session, EscalationAlert, board.alerts)
        self.counts.update(
            escalations=len(board.escalations),
            escalation_reports=len(board.reports),
            escalation_alerts=len(board.alerts),
        )

    def _leave_pending(self, world: HistoryWorld, record: CaseRecord, kind: RequestKind) -> None:
        """A request of ``kind`` left waiting for the shift lead, where the case allows one."""
        if add_pending_request(world, record, kind):
            self.counts[f"pending_{kind.value}"] += 1

    def _write(self, session: Session, records: list[CaseRecord]) -> None:
        case_rows, event_rows, dispatch_rows, request_rows = [], [], [], []
        for record in records:
            record.written = True
            row = record.row
            events = record.events
            # the services bump the version on every change after the report (flags included),
            # but not for the escalation board's steps
            changes = [event for event in events if event["action"] not in BOARD_ACTIONS]
            row["version"] = len(changes)
            row["updated_at"] = changes[-1]["at"]
            row["updated_by_id"] = changes[-1]["operator_id"]
            row["urge_count"] = sum(1 for event in events if event["action"] is A.urge)
            row["supervised"] = any(event["action"] is A.supervise for event in events)
            leads = [
                (dispatch["id"], dispatch["dispatched_at"], dispatch["department_id"])
                for dispatch in record.dispatches
                if dispatch["role"] is DispatchRole.lead
            ]
            for event in events:
                event["id"] = self.next_event_id
                self.next_event_id += 1
                event["department_id"] = pick_department(event["detail"], event["at"], leads)
            case_rows.append(row)
            event_rows.extend(events)
            dispatch_rows.extend(record.dispatches)
            request_rows.extend(record.requests)
        request_rows.sort(key=lambda request: request["id"])
        _insert(session, Case, case_rows)
        _insert(session, CaseEvent, event_rows)
        _insert(session, Dispatch, dispatch_rows)
        _insert(session, CaseRequest, request_rows)
        self.counts.update(
            cases=len(case_rows),
            events=len(event_rows),
            dispatches=len(dispatch_rows),
            requests=len(request_rows),
        )

    def _case(
        self,
        world: HistoryWorld,
        case_id: int,
        code: str,
        reported_at: datetime,
        target: CaseState,
        grid: _GridInfo,
        category: CategoryInfo,
        source: CaseSource,
    ) -> CaseRecord:
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
            "people_involved": None,  # where known: wage arrears (see _escalations)
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
        record = CaseRecord(row, [], [])
        configured = self._configured(category, grid)
        checkers = [name for name, _mobile in grid.reporters]
        Timeline(world, record, category, priority, target, configured, checkers).build()
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

    def _merge(self, record: CaseRecord, candidates: Iterable[CaseRecord]) -> None:
        """Turn a rejected case into a duplicate merged into an earlier open case, if any."""
        merge_event = record.events[-1]
        instant = merge_event["at"]
        earliest = record.row["reported_at"] - MERGE_WINDOW
        best: CaseRecord | None = None
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

    def _escalations(self, candidates: list[tuple[CaseRecord, str]]) -> EscalationHistory:
        """The board of a street office: open escalations in every stage, the 终报 of the last
        days, and the wage-arrears cases a rule proposed (their people counted), told through
        :class:`EscalationHistory` on the cases still in memory (the recent ones)."""
        rng = self.rng
        history = EscalationHistory(
            rng, self.now, self.settings, dispatchers=self.dispatchers, leads=self.leads
        )
        codes = {category.id: category.spec.code for category in self.categories}
        live = [(r, kind) for r, kind in candidates if not r.written]
        final_since = self.now - timedelta(days=self.settings.escalation.final_days - 0.5)

        def is_open(record: CaseRecord) -> bool:
            return record.row["state"] in OPEN_STATES

        def closed_lately(record: CaseRecord) -> bool:
            closed_at = record.row["closed_at"]
            return (
                record.row["state"] in CASE_OVER
                and record.row["state"] is not S.rejected
                and closed_at is not None
                and closed_at >= final_since
            )

        def newest_first(pair: tuple[CaseRecord, str]) -> int:
            return -int(pair[0].row["id"])

        # wage arrears: the rule proposes once enough people are involved
        proposals = self.settings.escalation.proposals
        ruled = [pair for pair in live if codes[pair[0].row["category_id"]] in proposals]
        for record, _kind in ruled:
            rule = proposals[codes[record.row["category_id"]]]
            record.row["people_involved"] = (
                rng.randint(2, rule.min_people - 1) if rule.min_people > 2 else None
            )
        proposed = sorted(
            (pair for pair in ruled if is_open(pair[0]) or closed_lately(pair[0])),
            key=newest_first,
        )
        for index, (record, _kind) in enumerate(proposed[: max(2, min(len(proposed) // 3, 8))]):
            rule = proposals[codes[record.row["category_id"]]]
            people = rng.randint(rule.min_people, rule.min_people * 5)
            record.row["people_involved"] = people
            plans = PROPOSAL_PLANS if is_open(record) else CLOSED_PLANS
            told = history.tell(
                record,
                EscalationKind(rule.kind),
                plan=plans[index % len(plans)],
                source=EscalationSource.proposal,
                severity=Severity(rule.severity),
                reason=t(
                    "intake.proposal_reason",
                    title=record.row["title"],
                    people=people,
                    minimum=rule.min_people,
                ),
            )
            if not told:  # the rule would have fired: the count stays below it
                record.row["people_involved"] = rng.randint(1, rule.min_people - 1)
        ruled_ids = {id(pair[0]) for pair in ruled}
        others = [pair for pair in live if id(pair[0]) not in ruled_ids]
        # open matters, urgent first: they are the ones a grid head phones in (Art. 30)
        open_ones = sorted(
            (pair for pair in others if is_open(pair[0])),
            key=lambda pair: (pair[0].row["priority"], newest_first(pair)),
        )
        for index, (record, kind) in enumerate(
            open_ones[: max(len(OPEN_PLANS), min(len(open_ones) // 4, 40))]
        ):
            source = (
                EscalationSource.intake
                if record.row["state"] is S.reported or rng.random() < 0.2
                else EscalationSource.manual
            )
            history.tell(
                record,
                EscalationKind(kind),
                plan=OPEN_PLANS[index % len(OPEN_PLANS)],
                source=source,
            )
        closed = sorted((pair for pair in others if closed_lately(pair[0])), key=newest_first)
        for index, (record, kind) in enumerate(
            closed[: max(len(CLOSED_PLANS), min(len(closed) // 3, 12))]
        ):
            history.tell(
                record,
                EscalationKind(kind),
                plan=CLOSED_PLANS[index % len(CLOSED_PLANS)],
                source=EscalationSource.manual,
            )
        return history
