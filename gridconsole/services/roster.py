"""The roster of grids and grid workers (Art. 6–20): reads for the centre, edits for admins.

Every read is a page or a bounded aggregate, never a whole table into memory; every edit is one
transaction that checks the actor, validates every field (:class:`ValidationFailed` lists all
problems), checks the version the operator saw (compare-and-set: another console's change is
never overwritten) and keeps the pinyin search keys with the names. A full-time worker is
checked against Art. 14 on every add or change (:class:`NotEligible` names each rule); a change
of a grid's code or area needs a reason and is logged for filing with the city (Art. 7).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.enums import (
    OPEN_STATES,
    AdminAction,
    CaseSource,
    ComplaintOutcome,
    ComplaintSource,
    GridChangeKind,
    GridKind,
    WorkerRole,
    WorkerStatus,
)
from gridconsole.domain.errors import FieldProblem, NotFound, ValidationFailed
from gridconsole.domain.identifiers import GridCodeRule, parse_id_number
from gridconsole.domain.pinyin_keys import is_pinyin_query, search_keys, search_needle
from gridconsole.domain.privacy import mask_id_number, mask_phone
from gridconsole.domain.roster import (
    COMPLAINANT_MAX,
    COMPLAINT_MAX,
    DECLARED_RULES,
    CoverageRule,
    EligibilityDeclaration,
    GridDraft,
    GridStaffing,
    NotEligible,
    StoredNumbers,
    WorkerDraft,
    WorkerLoad,
    check_coverage,
    check_eligibility,
    check_grid,
    split_codes,
    validate_grid,
    validate_worker,
)
from gridconsole.domain.text import clean_text
from gridconsole.domain.validators import parse_phone, validate_reason
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.roster_records import (
    CommunityNode,
    ComplaintRecord,
    CoverageReport,
    GridChangeRecord,
    GridDetail,
    GridNode,
    NoticeGrid,
    NoticePerson,
    RosterQuery,
    StaleRosterRecord,
    WorkerCursor,
    WorkerDetail,
    WorkerPage,
    WorkerRow,
)
from gridconsole.store.models import (
    Case,
    Community,
    Grid,
    GridChange,
    GridWorker,
    GridWorkerGrid,
    Operator,
    WorkerComplaint,
    WorkerDeclaration,
    row_id,
)

PAGE_SIZE_MAX = 500
_LIKE_ESCAPE = "\\"

__all__ = ["RosterService", "fill_search_keys", "like_pattern"]


def like_pattern(needle: str) -> str:
    """``%needle%`` with the LIKE wildcards in ``needle`` escaped."""
    escaped = needle.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like(column: Any, pattern: str) -> ColumnElement[bool]:
    result: ColumnElement[bool] = col(column).like(pattern, escape=_LIKE_ESCAPE)
    return result


class RosterService:
    """Grids, grid workers, their declarations and complaints."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    # -- who may -----------------------------------------------------------------------------

    def _require_reader(self) -> None:
        actor = self.context.actor
        permissions.require_roster_reader(actor.role, operator=actor.display_name)

    def _require(self, action: AdminAction) -> None:
        actor = self.context.actor
        permissions.require_admin_action(actor.role, action, operator=actor.display_name)

    @property
    def may_manage(self) -> bool:
        return permissions.admin_allowed(self.context.actor.role, AdminAction.manage_roster)

    def may(self, action: AdminAction) -> bool:
        return permissions.admin_allowed(self.context.actor.role, action)

    # -- settings ------------------------------------------------------------------------------

    def today(self) -> date:
        return self.context.local(self.context.now()).date()

    def code_rule(self) -> GridCodeRule:
        settings = self.context.settings.roster
        return GridCodeRule(settings.grid_code_sequence_digits, settings.grid_code_pattern)

    def coverage_rule(self) -> CoverageRule:
        settings = self.context.settings.roster
        return CoverageRule(
            settings.max_grids_per_worker, settings.households_low, settings.households_high
        )

    def _month_start(self) -> datetime:
        today = self.today()
        return datetime.combine(today.replace(day=1), time(0), self.context.settings.centre.zone)

    # -- the tree and coverage -----------------------------------------------------------------

    def tree(self) -> tuple[CommunityNode, ...]:
        """Communities by code, each with its grids by code and their coverage counts."""
        self._require_reader()
        rule = self.coverage_rule()
        with self.context.db.read() as session:
            staffing = _staffing(session)
            serving = _serving_counts(session)
            communities = session.execute(
                select(col(Community.id), col(Community.code), col(Community.name)).order_by(
                    col(Community.code)
                )
            ).all()
            grids = session.execute(
                select(
                    col(Grid.community_id), col(Grid.code), col(Grid.name), col(Grid.kind)
                ).order_by(col(Grid.code))
            ).all()
        by_community: dict[int, list[GridNode]] = defaultdict(list)
        for community_id, code, name, kind in grids:
            findings = check_grid(staffing[code], rule)
            breaches = sum(1 for finding in findings if not finding.warning)
            by_community[community_id].append(
                GridNode(
                    code,
                    name,
                    GridKind(kind),
                    serving.get(code, 0),
                    breaches,
                    len(findings) - breaches,
                )
            )
        return tuple(
            CommunityNode(code, name, tuple(by_community.get(int(ident or 0), ())))
            for ident, code, name in communities
        )

    def coverage(self) -> CoverageReport:
        """Every coverage finding: grids without head or full-time worker, overloaded workers,
        households outside the usual range."""
        self._require_reader()
        with self.context.db.read() as session:
            staffing = _staffing(session)
            loads = _loads(session)
        findings = check_coverage(list(staffing.values()), loads, self.coverage_rule())
        return CoverageReport(len(staffing), len(loads), findings)

    # -- workers: pages, detail ----------------------------------------------------------------

    def page(
        self, query: RosterQuery, after: WorkerCursor | None = None, limit: int | None = None
    ) -> WorkerPage:
        """One page of the workers the query matches, in pinyin order of their names."""
        self._require_reader()
        size = min(limit or self.context.settings.queue.page_size, PAGE_SIZE_MAX)
        conditions = _worker_conditions(query)
        with self.context.db.read() as session:
            total = session.execute(
                select(func.count()).select_from(GridWorker).where(*conditions)
            ).scalar_one()
            statement = select(GridWorker).where(*conditions)
            if after is not None:
                statement = statement.where(
                    tuple_(col(GridWorker.name_pinyin), col(GridWorker.id))
                    > tuple_(after.name_pinyin, after.id)
                )
            workers = list(
                session.execute(
                    statement.order_by(col(GridWorker.name_pinyin), col(GridWorker.id)).limit(
                        size + 1
                    )
                ).scalars()
            )
            more = len(workers) > size
            workers = workers[:size]
            rows = self._rows(session, workers)
        last = rows[-1] if rows else None
        cursor = WorkerCursor(last.name_pinyin, last.id) if more and last is not None else None
        return WorkerPage(tuple(rows), total, cursor)

    def worker(self, worker_id: int) -> WorkerDetail:
        """A worker's record: grids, declarations, complaints; the numbers masked for every role
        (an admin's edit form too: the full ones come only by :meth:`PrivacyService.reveal_worker`,
        with a reason and its audit entry)."""
        self._require_reader()
        with self.context.db.read() as session:
            worker = _worker(session, worker_id)
            return self._detail(session, worker)

    def _detail(self, session: Session, worker: GridWorker) -> WorkerDetail:
        (row,) = self._rows(session, [worker])
        declaration_row = session.execute(
            select(WorkerDeclaration)
            .where(col(WorkerDeclaration.worker_id) == row.id)
            .order_by(col(WorkerDeclaration.id).desc())
            .limit(1)
        ).scalar_one_or_none()
        return WorkerDetail(
            row=row,
            mobile=row.mobile_masked,
            id_number=row.id_masked,
            declaration=_declaration(declaration_row),
            declared_at=None if declaration_row is None else declaration_row.recorded_at,
            complaints=_complaints(
                session, col(WorkerComplaint.worker_id) == row.id, limit=PAGE_SIZE_MAX
            ),
        )

    def _rows(self, session: Session, workers: Sequence[GridWorker]) -> list[WorkerRow]:
        """Rows for ``workers`` with their grids and counts: a fixed handful of queries a page."""
        if not workers:
            return []
        ids = [row_id(worker) for worker in workers]
        links = session.execute(
            select(col(GridWorkerGrid.worker_id), col(Grid.id), col(Grid.code), col(Grid.name))
            .join(Grid, col(Grid.id) == col(GridWorkerGrid.grid_id))
            .where(col(GridWorkerGrid.worker_id).in_(ids))
            .order_by(col(Grid.code))
        ).all()
        grids_of: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for worker_id, grid_id, code, name in links:
            grids_of[worker_id].append((int(grid_id or 0), code, name))
        heads: dict[int, list[str]] = defaultdict(list)
        for head_id, code in session.execute(
            select(col(Grid.head_worker_id), col(Grid.code)).where(
                col(Grid.head_worker_id).in_(ids)
            )
        ):
            heads[int(head_id or 0)].append(code)
        grid_ids = sorted({int(grid_id or 0) for _, grid_id, _, _ in links})
        open_by_grid: dict[int, int] = {}
        if grid_ids:
            open_by_grid = {
                int(grid_id or 0): count
                for grid_id, count in session.execute(
                    select(col(Case.grid_id), func.count())
                    .where(
                        col(Case.grid_id).in_(grid_ids),
                        col(Case.state).in_([state.value for state in OPEN_STATES]),
                    )
                    .group_by(col(Case.grid_id))
                )
            }
        mobiles = sorted({worker.mobile for worker in workers if worker.mobile})
        reported: dict[str, int] = {}
        if mobiles:
            reported = {
                str(phone): count
                for phone, count in session.execute(
                    select(col(Case.reporter_phone), func.count())
                    .where(
                        col(Case.reporter_phone).in_(mobiles),
                        col(Case.reported_at) >= self._month_start(),
                        col(Case.source) == CaseSource.grid_worker,
                    )
                    .group_by(col(Case.reporter_phone))
                )
            }
        complaints: dict[int, tuple[int, int]] = {}
        for worker_id, total, still_open in session.execute(
            select(
                col(WorkerComplaint.worker_id),
                func.count(),
                func.count(col(WorkerComplaint.id)).filter(
                    col(WorkerComplaint.handled_at).is_(None)
                ),
            )
            .where(col(WorkerComplaint.worker_id).in_(ids))
            .group_by(col(WorkerComplaint.worker_id))
        ):
            complaints[worker_id] = (total, still_open)
        today = self.today()
        rows: list[WorkerRow] = []
        for worker in workers:
            ident = row_id(worker)
            birth: date | None = None
            age: int | None = None
            if worker.id_number:
                try:
                    parsed = parse_id_number(worker.id_number, today=today)
                    birth, age = parsed.birth_date, parsed.age_on(today)
                except ValueError:
                    pass  # a number stored before the checks: shown, not interpreted
            grids = grids_of.get(ident, [])
            total, still_open = complaints.get(ident, (0, 0))
            rows.append(
                WorkerRow(
                    id=ident,
                    name=worker.name,
                    role=worker.role,
                    part_time_category=worker.part_time_category,
                    mobile_masked=mask_phone(worker.mobile),
                    id_masked=mask_id_number(worker.id_number),
                    birth_date=birth,
                    age=age,
                    status=worker.status,
                    on_duty_today=worker.on_duty_on == today
                    and worker.status is WorkerStatus.active,
                    grid_codes=tuple(code for _, code, _ in grids),
                    grid_names=tuple(name for _, _, name in grids),
                    heads=tuple(sorted(heads.get(ident, ()))),
                    open_cases=sum(open_by_grid.get(grid_id, 0) for grid_id, _, _ in grids),
                    reported_this_month=reported.get(worker.mobile, 0) if worker.mobile else 0,
                    complaints=total,
                    open_complaints=still_open,
                    version=worker.version,
                    name_pinyin=worker.name_pinyin,
                )
            )
        return rows

    # -- workers: edits ------------------------------------------------------------------------

    def add_worker(self, raw: Mapping[str, object]) -> WorkerDetail:
        """A new grid worker. ``raw`` as :func:`validate_worker` reads it, plus ``head_of``
        (codes of the grids the worker heads; they are added to the worker's grids)."""
        self._require(AdminAction.manage_roster)
        draft = validate_worker(raw, today=self.today())
        with self.context.db.write() as session:
            worker = GridWorker(name=draft.name, role=draft.role)
            self._apply_worker(session, worker, draft, split_codes(raw.get("head_of")), new=True)
            record_audit(session, self.context, "roster.add_worker", subject=f"worker:{worker.id}")
            return self._detail(session, worker)

    def update_worker(
        self, worker_id: int, version: int, raw: Mapping[str, object]
    ) -> WorkerDetail:
        """Change a worker; ``version`` is the one the operator saw. ``mobile`` or ``id_number``
        absent or None keeps the stored number (read here, under the row's lock: the form shows
        it masked and never holds it), ``""`` clears it, other text replaces it."""
        self._require(AdminAction.manage_roster)
        with self.context.db.write() as session:
            worker = _worker(session, worker_id, lock=True)
            stored = StoredNumbers(mobile=worker.mobile or "", id_number=worker.id_number or "")
            draft = validate_worker(raw, today=self.today(), stored=stored)
            self._check_version(session, "worker", worker.name, worker, version)
            self._apply_worker(session, worker, draft, split_codes(raw.get("head_of")), new=False)
            record_audit(
                session,
                self.context,
                "roster.update_worker",
                subject=f"worker:{worker_id}",
                detail={"version": version + 1},
            )
            return self._detail(session, worker)

    def set_on_duty(self, worker_id: int, version: int, on_duty: bool) -> WorkerDetail:
        """Mark a serving worker on duty today (or not)."""
        self._require(AdminAction.manage_roster)
        with self.context.db.write() as session:
            worker = _worker(session, worker_id, lock=True)
            self._check_version(session, "worker", worker.name, worker, version)
            if on_duty and worker.status is not WorkerStatus.active:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "status",
                            t(
                                "roster.rule.not_serving",
                                name=worker.name,
                                status=t(f"roster.WorkerStatus.{worker.status.value}"),
                            ),
                        )
                    ]
                )
            worker.on_duty_on = self.today() if on_duty else None
            record_audit(
                session,
                self.context,
                "roster.on_duty",
                subject=f"worker:{worker_id}",
                detail={"on_duty": on_duty},
            )
            self._touch(worker)
            session.flush()
            return self._detail(session, worker)

    def _apply_worker(
        self,
        session: Session,
        worker: GridWorker,
        draft: WorkerDraft,
        head_of: tuple[str, ...],
        *,
        new: bool,
    ) -> None:
        problems: list[FieldProblem] = []
        grid_codes = tuple(dict.fromkeys((*draft.grid_codes, *head_of)))
        grids = _grids_by_code(session, grid_codes)
        for code in grid_codes:
            if code not in grids:
                field = "grids" if code in draft.grid_codes else "head_of"
                problems.append(FieldProblem(field, t("roster.rule.grid_unknown", value=code)))
        if head_of:
            if draft.role not in (WorkerRole.grid_head, WorkerRole.full_time):
                problems.append(
                    FieldProblem(
                        "head_of",
                        t(
                            "roster.rule.head_role",
                            name=draft.name,
                            role=t(f"roster.WorkerRole.{draft.role.value}"),
                        ),
                    )
                )
            elif draft.status is WorkerStatus.left:
                problems.append(
                    FieldProblem("head_of", t("roster.rule.head_left", name=draft.name))
                )
        if draft.id_number is not None:
            holder = session.execute(
                select(col(GridWorker.id), col(GridWorker.name)).where(
                    col(GridWorker.id_number) == draft.id_number.number,
                    col(GridWorker.id) != (worker.id or 0),
                )
            ).first()
            if holder is not None:
                problems.append(
                    FieldProblem(
                        "id_number",
                        t(
                            "roster.rule.id_taken",
                            value=mask_id_number(draft.id_number.number),
                            name=holder[1],
                        ),
                    )
                )
        if problems:
            raise ValidationFailed(problems)
        previous = None if new else _latest_declaration(session, row_id(worker))
        declaration = _merged(previous, draft.declaration)
        if draft.role is WorkerRole.full_time and draft.status is not WorkerStatus.left:
            refusals = check_eligibility(draft.id_number, declaration, self.today())
            if refusals:
                raise NotEligible(draft.name, refusals)
        keys = search_keys(draft.name)
        worker.name = draft.name
        worker.name_pinyin = keys.pinyin
        worker.name_initials = keys.initials
        worker.role = draft.role
        worker.part_time_category = draft.part_time_category
        worker.mobile = draft.mobile
        worker.id_number = "" if draft.id_number is None else draft.id_number.number
        worker.status = draft.status
        if draft.status is not WorkerStatus.active:
            worker.on_duty_on = None
        self._touch(worker)
        session.add(worker)
        session.flush()
        ident = row_id(worker)
        if declaration != (previous or EligibilityDeclaration()):
            session.add(
                WorkerDeclaration(
                    worker_id=ident,
                    **{rule.value: declaration.answer(rule) for rule in DECLARED_RULES},
                    recorded_at=self.context.now(),
                    recorded_by_id=self.context.actor.id,
                )
            )
        # the grids the worker covers: exactly those listed
        wanted = {row_id(grids[code]) for code in grid_codes}
        current: set[int] = {
            int(grid_id)
            for grid_id in session.execute(
                select(col(GridWorkerGrid.grid_id)).where(col(GridWorkerGrid.worker_id) == ident)
            ).scalars()
        }
        for grid_id in current - wanted:
            link = session.get(GridWorkerGrid, (ident, grid_id))
            if link is not None:
                session.delete(link)
        for grid_id in sorted(wanted - current):
            session.add(GridWorkerGrid(worker_id=ident, grid_id=grid_id))
        # the grids the worker heads: exactly those in head_of (a left worker heads none)
        headed = {row_id(grids[code]) for code in head_of}
        for grid in session.execute(
            select(Grid).where(
                or_(col(Grid.head_worker_id) == ident, col(Grid.id).in_(sorted(headed)))
            )
        ).scalars():
            new_head = ident if grid.id in headed else None
            if grid.head_worker_id != new_head:
                grid.head_worker_id = new_head
                self._touch(grid)
        session.flush()

    # -- grids ---------------------------------------------------------------------------------

    def grid(self, code: str) -> GridDetail:
        self._require_reader()
        with self.context.db.read() as session:
            return self._grid_detail(session, _grid(session, code))

    def _grid_detail(self, session: Session, grid: Grid) -> GridDetail:
        community = session.get(Community, grid.community_id)
        assert community is not None
        ident = row_id(grid)
        workers = session.execute(
            select(
                col(GridWorker.id),
                col(GridWorker.name),
                col(GridWorker.role),
                col(GridWorker.status),
            )
            .join(GridWorkerGrid, col(GridWorkerGrid.worker_id) == col(GridWorker.id))
            .where(col(GridWorkerGrid.grid_id) == ident)
            .order_by(col(GridWorker.name_pinyin), col(GridWorker.id))
        ).all()
        head = None if grid.head_worker_id is None else session.get(GridWorker, grid.head_worker_id)
        staffing = _staffing(session, grid_id=ident)
        return GridDetail(
            code=grid.code,
            name=grid.name,
            kind=grid.kind,
            community_code=community.code,
            community_name=community.name,
            unit_name=grid.unit_name,
            households=grid.households,
            units=grid.units,
            staff=grid.staff,
            area_description=grid.area_description,
            head_id=grid.head_worker_id,
            head_name="" if head is None else head.name,
            workers=tuple(
                (int(worker_id or 0), name, WorkerRole(role), WorkerStatus(status))
                for worker_id, name, role, status in workers
            ),
            findings=check_grid(staffing[grid.code], self.coverage_rule()),
            changes=_changes(session, col(GridChange.grid_id) == ident),
            version=grid.version,
        )

    def add_grid(
        self, community_code: str, raw: Mapping[str, object], reason: str = ""
    ) -> GridDetail:
        """A new grid in a community (logged as 新划分 for filing)."""
        self._require(AdminAction.manage_roster)
        with self.context.db.write() as session:
            community = _community(session, community_code)
            draft = validate_grid(raw, community_code=community.code, rule=self.code_rule())
            _check_code_free(session, draft.code, None)
            grid = Grid(
                community_id=row_id(community), code=draft.code, name=draft.name, kind=draft.kind
            )
            _assign_grid(grid, draft)
            self._touch(grid)
            session.add(grid)
            session.flush()
            self._log_change(
                session, grid, GridChangeKind.created, "", _grid_summary(grid), clean_text(reason)
            )
            record_audit(session, self.context, "roster.add_grid", subject=f"grid:{grid.code}")
            return self._grid_detail(session, grid)

    def update_grid(
        self, code: str, version: int, raw: Mapping[str, object], reason: str = ""
    ) -> GridDetail:
        """Change a grid; a new code, area or size needs ``reason`` (filed, Art. 7)."""
        self._require(AdminAction.manage_roster)
        with self.context.db.write() as session:
            grid = _grid(session, code, lock=True)
            self._check_version(session, "grid", grid.code, grid, version)
            community = session.get(Community, grid.community_id)
            assert community is not None
            draft = validate_grid(raw, community_code=community.code, rule=self.code_rule())
            changes = _grid_changes(grid, draft)
            filed = {GridChangeKind.code, GridChangeKind.boundary}
            cleaned_reason = clean_text(reason)
            if any(kind in filed for kind, _, _ in changes) and not cleaned_reason:
                raise ValidationFailed([FieldProblem("reason", t("roster.rule.reason_required"))])
            if cleaned_reason:
                validate_reason(cleaned_reason)
            if draft.code != grid.code:
                _check_code_free(session, draft.code, row_id(grid))
            _assign_grid(grid, draft)
            self._touch(grid)
            session.flush()
            for kind, old, new in changes:
                self._log_change(session, grid, kind, old, new, cleaned_reason)
            record_audit(
                session,
                self.context,
                "roster.update_grid",
                subject=f"grid:{grid.code}",
                detail={"changes": [kind.value for kind, _, _ in changes]},
            )
            return self._grid_detail(session, grid)

    def grid_changes(
        self, since: date | None = None, until: date | None = None
    ) -> tuple[GridChangeRecord, ...]:
        """The grid changes between two local dates (inclusive), oldest first: the filing list
        for the city's centre (Art. 7)."""
        self._require_reader()
        zone = self.context.settings.centre.zone
        conditions: list[ColumnElement[bool]] = []
        if since is not None:
            conditions.append(col(GridChange.changed_at) >= datetime.combine(since, time(0), zone))
        if until is not None:
            end = datetime.combine(until, time(0), zone) + _ONE_DAY
            conditions.append(col(GridChange.changed_at) < end)
        with self.context.db.read() as session:
            return _changes(session, *conditions)

    def _log_change(
        self,
        session: Session,
        grid: Grid,
        kind: GridChangeKind,
        old: str,
        new: str,
        reason: str,
    ) -> None:
        session.add(
            GridChange(
                grid_id=row_id(grid),
                kind=kind,
                old_value=old,
                new_value=new,
                reason=reason,
                changed_at=self.context.now(),
                changed_by_id=self.context.actor.id,
            )
        )

    # -- complaints (Art. 19) ------------------------------------------------------------------

    def record_complaint(
        self,
        worker_id: int,
        *,
        source: ComplaintSource,
        content: str,
        complainant: str = "",
        complainant_phone: str = "",
    ) -> ComplaintRecord:
        self._require(AdminAction.record_complaint)
        problems: list[FieldProblem] = []
        text = clean_text(content, multiline=True)
        if not text:
            problems.append(FieldProblem("content", t("rule.required")))
        elif len(text) > COMPLAINT_MAX:
            problems.append(
                FieldProblem("content", t("rule.too_long", maximum=COMPLAINT_MAX, length=len(text)))
            )
        who = clean_text(complainant)
        if len(who) > COMPLAINANT_MAX:
            problems.append(
                FieldProblem(
                    "complainant", t("rule.too_long", maximum=COMPLAINANT_MAX, length=len(who))
                )
            )
        phone = clean_text(complainant_phone)
        if phone:
            try:
                phone = parse_phone(phone)
            except ValueError:
                problems.append(FieldProblem("complainant_phone", t("rule.phone", value=phone)))
        try:
            source = ComplaintSource(source)
        except ValueError:
            choices = ", ".join(member.value for member in ComplaintSource)
            problems.append(FieldProblem("source", t("rule.one_of", value=source, choices=choices)))
        if problems:
            raise ValidationFailed(problems)
        with self.context.db.write() as session:
            worker = _worker(session, worker_id)
            complaint = WorkerComplaint(
                worker_id=row_id(worker),
                source=source,
                complainant=who,
                complainant_phone=phone,
                content=text,
                received_at=self.context.now(),
                recorded_by_id=self.context.actor.id,
            )
            session.add(complaint)
            session.flush()
            record_audit(
                session,
                self.context,
                "roster.complaint",
                subject=f"worker:{worker_id}",
                detail={"complaint": row_id(complaint)},
            )
            (record,) = _complaints(session, col(WorkerComplaint.id) == row_id(complaint))
            return record

    def handle_complaint(
        self, complaint_id: int, *, outcome: ComplaintOutcome, note: str
    ) -> ComplaintRecord:
        """Settle a complaint with its outcome and what was done (once)."""
        self._require(AdminAction.handle_complaint)
        handling = validate_reason(note, field="note")
        with self.context.db.write() as session:
            statement = select(WorkerComplaint).where(col(WorkerComplaint.id) == complaint_id)
            complaint = session.execute(statement.with_for_update()).scalar_one_or_none()
            if complaint is None:
                raise NotFound("complaint", complaint_id)
            if complaint.handled_at is not None and complaint.outcome is not None:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "outcome",
                            t(
                                "roster.error.complaint_handled",
                                ident=complaint_id,
                                outcome=t(f"roster.ComplaintOutcome.{complaint.outcome.value}"),
                            ),
                        )
                    ]
                )
            complaint.outcome = ComplaintOutcome(outcome)
            complaint.handling_note = handling
            complaint.handled_at = self.context.now()
            complaint.handled_by_id = self.context.actor.id
            session.flush()
            record_audit(
                session,
                self.context,
                "roster.complaint_handled",
                subject=f"complaint:{complaint_id}",
                detail={"outcome": complaint.outcome.value},
            )
            (record,) = _complaints(session, col(WorkerComplaint.id) == complaint_id)
            return record

    def complaints(
        self, *, open_only: bool = False, limit: int = 200
    ) -> tuple[ComplaintRecord, ...]:
        """Complaints, newest first (open ones only, if asked)."""
        self._require_reader()
        conditions = [col(WorkerComplaint.handled_at).is_(None)] if open_only else []
        with self.context.db.read() as session:
            return _complaints(session, *conditions, limit=min(limit, PAGE_SIZE_MAX))

    # -- the public notice (Art. 19) -----------------------------------------------------------

    def public_notice(self, community_code: str | None = None) -> tuple[NoticeGrid, ...]:
        """Each grid's name and area, its head and full-time workers with their mobile numbers
        (published in full: the regulation asks for it), by community and grid code."""
        self._require_reader()
        with self.context.db.read() as session:
            statement = (
                select(Grid, col(Community.name))
                .join(Community, col(Community.id) == col(Grid.community_id))
                .order_by(col(Community.code), col(Grid.code))
            )
            if community_code:
                statement = statement.where(col(Community.code) == community_code)
            grids = session.execute(statement).all()
            grid_ids = [row_id(grid) for grid, _ in grids]
            people: dict[int, list[GridWorker]] = defaultdict(list)
            for grid_id, worker in session.execute(
                select(col(GridWorkerGrid.grid_id), GridWorker)
                .join(GridWorker, col(GridWorker.id) == col(GridWorkerGrid.worker_id))
                .where(
                    col(GridWorkerGrid.grid_id).in_(grid_ids),
                    col(GridWorker.role) == WorkerRole.full_time,
                    col(GridWorker.status) != WorkerStatus.left,
                )
                .order_by(col(GridWorker.name_pinyin), col(GridWorker.id))
            ):
                people[grid_id].append(worker)
            head_ids = sorted({grid.head_worker_id for grid, _ in grids if grid.head_worker_id})
            heads = {
                row_id(worker): worker
                for worker in session.execute(
                    select(GridWorker).where(
                        col(GridWorker.id).in_(head_ids),
                        col(GridWorker.status) != WorkerStatus.left,
                    )
                ).scalars()
            }
        notice: list[NoticeGrid] = []
        for grid, community_name in grids:
            head = heads.get(grid.head_worker_id or 0)
            notice.append(
                NoticeGrid(
                    community=community_name,
                    code=grid.code,
                    name=grid.name,
                    area=grid.area_description,
                    head=None if head is None else NoticePerson(head.name, head.role, head.mobile),
                    full_time=tuple(
                        NoticePerson(worker.name, worker.role, worker.mobile)
                        for worker in people.get(row_id(grid), ())
                    ),
                )
            )
        return tuple(notice)

    # -- files the console writes (the formats are roster_files.py's) ------------------------

    def write_notice(self, path: Path, community_code: str | None = None) -> int:
        """The public notice of Art. 19 to ``path``: .xlsx, .csv, or text for any other suffix."""
        from gridconsole.services.roster_files import write_notice

        notice = self.public_notice(community_code)
        return write_notice(notice, path, self.context.settings.centre.name)

    def export_workers(self, path: Path) -> int:
        """Every worker to ``path`` (.csv or .xlsx) as the import reads them (admins)."""
        from gridconsole.services.roster_files import RosterKind, export_roster

        return export_roster(self, path, RosterKind.workers)

    def refresh_search_keys(self, *, every: bool = False) -> int:
        """Write the pinyin keys of names that have none (rows written outside this service:
        the demo, a database filled by hand); ``every`` rewrites them all. Returns how many."""
        self._require(AdminAction.manage_roster)
        with self.context.db.write() as session:
            filled = fill_search_keys(session, every=every)
            if filled:
                record_audit(session, self.context, "roster.search_keys", detail={"filled": filled})
            return filled

    # -- shared --------------------------------------------------------------------------------

    def _touch(self, row: Grid | GridWorker) -> None:
        row.updated_at = self.context.now()
        row.updated_by_id = self.context.actor.id
        if row.id is not None:
            row.version = row.version + 1

    def _check_version(
        self, session: Session, what: str, ident: str, row: Grid | GridWorker, version: int
    ) -> None:
        if row.version == version:
            return
        changed_by = ""
        if row.updated_by_id is not None:
            operator = session.get(Operator, row.updated_by_id)
            changed_by = "" if operator is None else operator.display_name
        changed_at = "" if row.updated_at is None else self.context.local_text(row.updated_at)
        raise StaleRosterRecord(what, ident, changed_by or t("entity.system"), changed_at)


def fill_search_keys(session: Session, *, every: bool = False) -> int:
    """The pinyin keys of communities, grids and workers lacking them (or of all)."""
    changed = 0
    models: tuple[type[Community] | type[Grid] | type[GridWorker], ...] = (
        Community,
        Grid,
        GridWorker,
    )
    for model in models:
        statement = select(model)
        if not every:
            statement = statement.where(col(model.name_pinyin) == "", col(model.name) != "")
        rows: list[Community | Grid | GridWorker] = [
            row for row in session.execute(statement).scalars() if isinstance(row, model)
        ]
        for row in rows:
            keys = search_keys(row.name)
            if (row.name_pinyin, row.name_initials) != (keys.pinyin, keys.initials):
                row.name_pinyin = keys.pinyin
                row.name_initials = keys.initials
                changed += 1
    session.flush()
    return changed


# -- queries ----------------------------------------------------------------------------------------

_ONE_DAY = timedelta(days=1)


def _pinyin_match(model: type[Community | Grid | GridWorker], needle: str) -> ColumnElement[bool]:
    """``needle`` begins the name's pinyin, or one of its initials variants."""
    prefix = like_pattern(needle)[1:]
    return or_(
        _like(model.name_pinyin, prefix),
        _like(model.name_initials, prefix),
        _like(model.name_initials, f"% {prefix}"),
    )


def _covering(grid_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The worker covers a grid meeting ``grid_condition`` (grids joined to communities).

    An uncorrelated ``IN``: the grids (hundreds) are matched once, not once per worker row.
    """
    grid_ids = (
        select(col(Grid.id))
        .join(Community, col(Community.id) == col(Grid.community_id))
        .where(grid_condition)
    )
    return col(GridWorker.id).in_(
        select(col(GridWorkerGrid.worker_id)).where(col(GridWorkerGrid.grid_id).in_(grid_ids))
    )


def _worker_conditions(query: RosterQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not query.include_left:
        conditions.append(col(GridWorker.status) != WorkerStatus.left)
    if query.grid_code:
        conditions.append(_covering(col(Grid.code) == query.grid_code))
    elif query.community_code:
        conditions.append(_covering(col(Community.code) == query.community_code))
    needle = search_needle(query.text)
    if needle:
        pattern = like_pattern(needle)
        worker_match: list[ColumnElement[bool]] = [_like(GridWorker.name, pattern)]
        grid_match: list[ColumnElement[bool]] = [
            _like(Grid.name, pattern),
            _like(Grid.code, pattern),
            _like(Community.name, pattern),
        ]
        if is_pinyin_query(needle):
            # pinyin from the start of a name: initials (any reading) or the full spelling
            worker_match.append(_pinyin_match(GridWorker, needle))
            grid_match += [_pinyin_match(Grid, needle), _pinyin_match(Community, needle)]
        if needle.isdigit() and len(needle) >= 4:
            worker_match.append(_like(GridWorker.mobile, pattern))
        conditions.append(or_(*worker_match, _covering(or_(*grid_match))))
    return conditions


def _staffing(session: Session, grid_id: int | None = None) -> dict[str, GridStaffing]:
    """Coverage facts of every grid (or one), by code: one query for the grids, one for the
    serving full-time workers."""
    statement = (
        select(
            col(Grid.id),
            col(Grid.code),
            col(Grid.name),
            col(Grid.kind),
            col(Community.code),
            col(Grid.households),
            col(GridWorker.status),
        )
        .join(Community, col(Community.id) == col(Grid.community_id))
        .outerjoin(GridWorker, col(GridWorker.id) == col(Grid.head_worker_id))
    )
    full_time = (
        select(col(GridWorkerGrid.grid_id), func.count())
        .join(GridWorker, col(GridWorker.id) == col(GridWorkerGrid.worker_id))
        .where(
            col(GridWorker.role) == WorkerRole.full_time,
            col(GridWorker.status) != WorkerStatus.left,
        )
        .group_by(col(GridWorkerGrid.grid_id))
    )
    if grid_id is not None:
        statement = statement.where(col(Grid.id) == grid_id)
        full_time = full_time.where(col(GridWorkerGrid.grid_id) == grid_id)
    counts = {int(ident or 0): count for ident, count in session.execute(full_time)}
    staffing: dict[str, GridStaffing] = {}
    for ident, code, name, kind, community_code, households, head_status in session.execute(
        statement
    ):
        staffing[code] = GridStaffing(
            code=code,
            name=name,
            kind=GridKind(kind),
            community_code=community_code,
            households=households,
            head_serving=head_status is not None and head_status != WorkerStatus.left,
            full_time_serving=counts.get(int(ident or 0), 0),
        )
    return staffing


def _serving_counts(session: Session) -> dict[str, int]:
    return {
        str(code): count
        for code, count in session.execute(
            select(col(Grid.code), func.count())
            .join(GridWorkerGrid, col(GridWorkerGrid.grid_id) == col(Grid.id))
            .join(GridWorker, col(GridWorker.id) == col(GridWorkerGrid.worker_id))
            .where(col(GridWorker.status) != WorkerStatus.left)
            .group_by(col(Grid.code))
        )
    }


def _loads(session: Session) -> list[WorkerLoad]:
    """Serving workers covering more than one grid, with their grids (the rest cannot be over
    any limit of at least one)."""
    several = (
        select(col(GridWorkerGrid.worker_id))
        .group_by(col(GridWorkerGrid.worker_id))
        .having(func.count() > 1)
    )
    rows = session.execute(
        select(col(GridWorker.id), col(GridWorker.name), col(Grid.code))
        .join(GridWorkerGrid, col(GridWorkerGrid.worker_id) == col(GridWorker.id))
        .join(Grid, col(Grid.id) == col(GridWorkerGrid.grid_id))
        .where(col(GridWorker.id).in_(several), col(GridWorker.status) != WorkerStatus.left)
        .order_by(col(GridWorker.id), col(Grid.code))
    ).all()
    grouped: dict[int, tuple[str, list[str]]] = {}
    for worker_id, name, code in rows:
        grouped.setdefault(int(worker_id or 0), (name, []))[1].append(code)
    return [WorkerLoad(ident, name, tuple(codes)) for ident, (name, codes) in grouped.items()]


def _worker(session: Session, worker_id: int, *, lock: bool = False) -> GridWorker:
    statement = select(GridWorker).where(col(GridWorker.id) == worker_id)
    if lock:
        statement = statement.with_for_update()
    worker = session.execute(statement).scalar_one_or_none()
    if worker is None:
        raise NotFound("worker", worker_id)
    return worker


def _grid(session: Session, code: str, *, lock: bool = False) -> Grid:
    statement = select(Grid).where(col(Grid.code) == code)
    if lock:
        statement = statement.with_for_update()
    grid = session.execute(statement).scalar_one_or_none()
    if grid is None:
        raise NotFound("grid", code)
    return grid


def _community(session: Session, code: str) -> Community:
    community = session.execute(
        select(Community).where(col(Community.code) == code)
    ).scalar_one_or_none()
    if community is None:
        raise ValidationFailed(
            [FieldProblem("community", t("roster.rule.community_unknown", value=code))]
        )
    return community


def _grids_by_code(session: Session, codes: Iterable[str]) -> dict[str, Grid]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {
        grid.code: grid
        for grid in session.execute(select(Grid).where(col(Grid.code).in_(wanted))).scalars()
    }


def _check_code_free(session: Session, code: str, own_id: int | None) -> None:
    holder = session.execute(
        select(col(Grid.id), col(Grid.name)).where(col(Grid.code) == code)
    ).first()
    if holder is not None and holder[0] != own_id:
        raise ValidationFailed(
            [FieldProblem("code", t("roster.rule.code_taken", value=code, name=holder[1]))]
        )


def _assign_grid(grid: Grid, draft: GridDraft) -> None:
    keys = search_keys(draft.name)
    grid.code = draft.code
    grid.name = draft.name
    grid.name_pinyin = keys.pinyin
    grid.name_initials = keys.initials
    grid.kind = draft.kind
    grid.unit_name = draft.unit_name
    grid.households = draft.households
    grid.units = draft.units
    grid.staff = draft.staff
    grid.area_description = draft.area_description


def _size(households: int | None, units: int | None, staff: int | None) -> str:
    parts = []
    if households is not None:
        parts.append(t("roster.text.size_households", count=households))
    if units is not None:
        parts.append(t("roster.text.size_units", count=units))
    if staff is not None:
        parts.append(t("roster.text.size_staff", count=staff))
    return " ".join(parts)


def _grid_summary(grid: Grid) -> str:
    size = _size(grid.households, grid.units, grid.staff)
    return " ".join(part for part in (grid.code, grid.name, grid.area_description, size) if part)


def _grid_changes(grid: Grid, draft: GridDraft) -> list[tuple[GridChangeKind, str, str]]:
    changes: list[tuple[GridChangeKind, str, str]] = []
    if draft.code != grid.code:
        changes.append((GridChangeKind.code, grid.code, draft.code))
    old_size = _size(grid.households, grid.units, grid.staff)
    new_size = _size(draft.households, draft.units, draft.staff)
    if draft.area_description != grid.area_description or old_size != new_size:
        changes.append(
            (
                GridChangeKind.boundary,
                " ".join(part for part in (grid.area_description, old_size) if part),
                " ".join(part for part in (draft.area_description, new_size) if part),
            )
        )
    if draft.name != grid.name:
        changes.append((GridChangeKind.renamed, grid.name, draft.name))
    return changes


def _changes(session: Session, *conditions: ColumnElement[bool]) -> tuple[GridChangeRecord, ...]:
    rows = session.execute(
        select(
            GridChange,
            col(Grid.code),
            col(Grid.name),
            col(Community.name),
            col(Operator.display_name),
        )
        .join(Grid, col(Grid.id) == col(GridChange.grid_id))
        .join(Community, col(Community.id) == col(Grid.community_id))
        .outerjoin(Operator, col(Operator.id) == col(GridChange.changed_by_id))
        .where(*conditions)
        .order_by(col(GridChange.changed_at), col(GridChange.id))
        .limit(10_000)
    ).all()
    return tuple(
        GridChangeRecord(
            grid_code=code,
            grid_name=name,
            community=community,
            kind=change.kind,
            old_value=change.old_value,
            new_value=change.new_value,
            reason=change.reason,
            changed_at=change.changed_at,
            changed_by=operator or "",
        )
        for change, code, name, community, operator in rows
    )


def _declaration(row: WorkerDeclaration | None) -> EligibilityDeclaration | None:
    if row is None:
        return None
    return EligibilityDeclaration(
        citizen=row.citizen,
        criminal=row.criminal,
        detention=row.detention,
        dismissal=row.dismissal,
        dishonesty=row.dishonesty,
    )


def _latest_declaration(session: Session, worker_id: int) -> EligibilityDeclaration | None:
    return _declaration(
        session.execute(
            select(WorkerDeclaration)
            .where(col(WorkerDeclaration.worker_id) == worker_id)
            .order_by(col(WorkerDeclaration.id).desc())
            .limit(1)
        ).scalar_one_or_none()
    )


def _merged(
    previous: EligibilityDeclaration | None, given: EligibilityDeclaration
) -> EligibilityDeclaration:
    """The answers given now, and the earlier ones where none is given."""
    if previous is None:
        return given
    answers: dict[str, bool | None] = {}
    for rule in DECLARED_RULES:
        answer = given.answer(rule)
        answers[rule.value] = previous.answer(rule) if answer is None else answer
    return EligibilityDeclaration(**answers)


def _complaints(
    session: Session, *conditions: ColumnElement[bool], limit: int = 1
) -> tuple[ComplaintRecord, ...]:
    recorder = Operator.__table__.alias("recorder")  # type: ignore[attr-defined]
    handler = Operator.__table__.alias("handler")  # type: ignore[attr-defined]
    rows = session.execute(
        select(
            WorkerComplaint, col(GridWorker.name), recorder.c.display_name, handler.c.display_name
        )
        .join(GridWorker, col(GridWorker.id) == col(WorkerComplaint.worker_id))
        .outerjoin(recorder, recorder.c.id == col(WorkerComplaint.recorded_by_id))
        .outerjoin(handler, handler.c.id == col(WorkerComplaint.handled_by_id))
        .where(*conditions)
        .order_by(col(WorkerComplaint.received_at).desc(), col(WorkerComplaint.id).desc())
        .limit(limit)
    ).all()
    return tuple(
        ComplaintRecord(
            id=row_id(complaint),
            worker_id=complaint.worker_id,
            worker_name=worker_name,
            source=complaint.source,
            complainant=complaint.complainant,
            complainant_phone_masked=mask_phone(complaint.complainant_phone),
            content=complaint.content,
            received_at=complaint.received_at,
            recorded_by=recorded_by or "",
            handled_at=complaint.handled_at,
            handled_by=handled_by or "",
            outcome=complaint.outcome,
            handling_note=complaint.handling_note,
        )
        for complaint, worker_name, recorded_by, handled_by in rows
    )
