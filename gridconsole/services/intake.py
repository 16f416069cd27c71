"""Writing new cases: one definition of what a report writes, for one case or a whole file.

A case row in state ``reported`` and its ``report`` event, with a code from the street's daily
sequence. Many drafts are written with one multi-row INSERT each for cases and events and one
counter update per street, so a 100,000-record import holds the write lock for seconds, not
minutes (one ORM flush per record measured ~3.5 ms).

A draft may also put its case on the escalation board (Art. 30) in the same transaction: raised
at intake with the kind and severity it carries, or proposed by the category's configured rule
when enough people are involved (待确认 for the shift lead). Only those rows cost more: the rule
is a lookup in the settings, and a draft that escalates nothing adds no query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gridconsole.domain import permissions
from gridconsole.domain.codes import format_case_code
from gridconsole.domain.enums import (
    Action,
    CaseState,
    EscalationKind,
    EscalationSource,
    Priority,
    Severity,
)
from gridconsole.domain.errors import FieldProblem, ValidationFailed
from gridconsole.domain.validators import CaseDraft
from gridconsole.i18n import t
from gridconsole.services.audit import record_audit
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.escalations import proposal_for, raise_on_board
from gridconsole.services.lookups import only_street
from gridconsole.store import case_search
from gridconsole.store.case_codes import reserve_sequences
from gridconsole.store.case_ids import reserve_case_ids
from gridconsole.store.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Community,
    Grid,
    Street,
    row_id,
)

_LOOKUP_CHUNK = 500
_cases = cast(Table, Case.__table__)  # type: ignore[attr-defined]
_events = cast(Table, CaseEvent.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewCase:
    """What was written for one draft."""

    id: int
    code: str
    grid_id: int | None
    category_id: int
    title: str
    description: str
    reported_at: datetime
    # put on the escalation board with the case: raised at intake or proposed by a rule
    escalation_id: int | None = None
    escalation_source: EscalationSource | None = None


@dataclass(frozen=True)
class _Raise:
    kind: EscalationKind
    severity: Severity
    reason: str
    source: EscalationSource


def _escalation_of(context: ServiceContext, draft: CaseDraft) -> _Raise | None:
    """What the draft asks for, else what its category's rule proposes (no query)."""
    if draft.escalation_kind is not None and draft.severity is not None:
        return _Raise(
            draft.escalation_kind,
            draft.severity,
            draft.escalation_reason or draft.title,
            EscalationSource.intake,
        )
    proposal = proposal_for(context.settings, draft.category_code, draft.people_involved)
    if proposal is None:
        return None
    return _Raise(
        EscalationKind(proposal.kind),
        Severity(proposal.severity),
        t(
            "intake.proposal_reason",
            title=draft.title,
            people=draft.people_involved,
            minimum=proposal.min_people,
        ),
        EscalationSource.proposal,
    )


@dataclass(frozen=True)
class _Place:
    street_id: int
    community_id: int | None
    grid_id: int | None


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[start : start + _LOOKUP_CHUNK] for start in range(0, len(values), _LOOKUP_CHUNK)]


def _category_ids(session: Session, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(codes)):
        rows = session.execute(
            select(col(CaseCategory.code), col(CaseCategory.id)).where(
                col(CaseCategory.code).in_(chunk), col(CaseCategory.active)
            )
        ).all()
        found.update((code, ident) for code, ident in rows if ident is not None)
    return found


def _grid_places(session: Session, codes: set[str]) -> dict[str, _Place]:
    found: dict[str, _Place] = {}
    for chunk in _chunks(sorted(codes)):
        rows = session.execute(
            select(col(Grid.code), col(Grid.id), col(Grid.community_id), col(Community.street_id))
            .join(Community, col(Community.id) == col(Grid.community_id))
            .where(col(Grid.code).in_(chunk))
        ).all()
        found.update(
            {code: _Place(street, community, grid) for code, grid, community, street in rows}
        )
    return found


def create_cases(
    session: Session,
    context: ServiceContext,
    drafts: Sequence[CaseDraft],
    *,
    import_batch_id: int | None = None,
) -> list[NewCase]:
    """Insert validated drafts and their report events in the caller's transaction.

    ``import_batch_id`` marks every case as brought in by that import (a batch is whole or absent).

    An unknown category or grid code raises :class:`ValidationFailed` before anything is written.
    """
    if not drafts:
        return []
    if any(draft.escalates for draft in drafts):
        actor = context.actor
        permissions.require(actor.role, Action.escalate, operator=actor.display_name)
    now = context.now()
    categories = _category_ids(session, {draft.category_code for draft in drafts})
    places = _grid_places(session, {draft.grid_code for draft in drafts if draft.grid_code})
    problems = []
    for draft in drafts:
        if draft.category_code not in categories:
            problems.append(
                FieldProblem("category", t("rule.unknown_code", value=draft.category_code))
            )
        if draft.grid_code and draft.grid_code not in places:
            problems.append(FieldProblem("grid", t("rule.unknown_code", value=draft.grid_code)))
    if problems:
        raise ValidationFailed(problems)
    default_place: _Place | None = None
    if any(not draft.grid_code for draft in drafts):
        street = only_street(session)
        default_place = _Place(street.id or 0, None, None)

    def place_of(draft: CaseDraft) -> _Place:
        if draft.grid_code:
            return places[draft.grid_code]
        assert default_place is not None
        return default_place

    # the code's date is the day the centre registers the case, in its own zone
    local_day = context.local(now).date()
    day = f"{local_day:%Y%m%d}"
    street_ids = {place_of(draft).street_id for draft in drafts}
    prefixes = dict(
        session.execute(
            select(col(Street.id), col(Street.case_prefix)).where(col(Street.id).in_(street_ids))
        ).all()
    )
    per_street: dict[int, int] = defaultdict(int)
    for draft in drafts:
        per_street[place_of(draft).street_id] += 1
    next_number = {
        street_id: reserve_sequences(session, prefixes[street_id], day, count)
        for street_id, count in sorted(per_street.items())
    }

    planner = DeadlinePlanner(session, context.settings)
    # a file's records mostly share category, priority and report instant: one working-time
    # computation per distinct combination, not per record
    clocks: dict[tuple[int, Priority, datetime], dict[str, Any]] = {}

    def clock_of(category_id: int, priority: Priority, reported_at: datetime) -> dict[str, Any]:
        key = (category_id, priority, reported_at)
        if key not in clocks:
            clocks[key] = planner.for_state(category_id, priority, CaseState.reported, reported_at)
        return clocks[key]

    rows: list[dict[str, Any]] = []
    for draft in drafts:
        place = place_of(draft)
        reported_at = draft.reported_at or now
        category_id = categories[draft.category_code]
        sequence = next_number[place.street_id]
        next_number[place.street_id] += 1
        rows.append(
            {
                "code": format_case_code(prefixes[place.street_id], local_day, sequence),
                "street_id": place.street_id,
                "community_id": place.community_id,
                "grid_id": place.grid_id,
                "category_id": category_id,
                "source": draft.source,
                "priority": draft.priority,
                "state": CaseState.reported,
                "title": draft.title,
                "description": draft.description,
                "address": draft.address,
                "reporter_name": draft.reporter_name,
                "reporter_phone": draft.reporter_phone,
                "external_id": draft.external_id,
                "lat": draft.lat,
                "lon": draft.lon,
                "people_involved": draft.people_involved,
                "reported_at": reported_at,
                # the acceptance clock runs from the report
                **clock_of(category_id, draft.priority, reported_at),
                "urge_count": 0,
                "supervised": False,
                "version": 1,
                "created_by_id": context.actor.id,
                "updated_at": now,
                "updated_by_id": context.actor.id,
                "import_batch_id": import_batch_id,
            }
        )
    # Core executemany with ids reserved beforehand: the ORM's bulk INSERT … RETURNING spent
    # most of a 100,000-record import compiling and processing its parameters
    ids = reserve_case_ids(session, len(rows))
    for case_id, row in zip(ids, rows, strict=True):
        row["id"] = case_id
    connection = session.connection()
    session.execute(_cases.insert(), rows)
    session.execute(
        _events.insert(),
        [
            {
                "case_id": case_id,
                "at": now,
                "operator_id": context.actor.id,
                "action": Action.report,
                "from_state": None,
                "to_state": CaseState.reported,
                "reason": "",
                "on_behalf": False,
                "detail": {"source": draft.source.value},
                "department_id": None,  # a case just reported has no dispatch to judge
            }
            for case_id, draft in zip(ids, drafts, strict=True)
        ],
    )
    # the search index, in the same transaction as the cases it finds
    case_search.index_rows(
        connection,
        (
            (case_id, *(row[name] for name in case_search.SEARCHED_FIELDS))
            for case_id, row in zip(ids, rows, strict=True)
        ),
    )
    raised = _raise_escalations(session, context, ids, drafts, now)
    if import_batch_id is None:  # an import records its batch as its one entry
        _audit_reports(session, context, ids, rows, raised)
    return [
        NewCase(
            id=case_id,
            code=row["code"],
            grid_id=row["grid_id"],
            category_id=row["category_id"],
            title=row["title"],
            description=row["description"],
            reported_at=row["reported_at"],
            escalation_id=raised[case_id][0] if case_id in raised else None,
            escalation_source=raised[case_id][1] if case_id in raised else None,
        )
        for case_id, row in zip(ids, rows, strict=True)
    ]


def _audit_reports(
    session: Session,
    context: ServiceContext,
    ids: Sequence[Any],
    rows: Sequence[Mapping[str, Any]],
    raised: Mapping[int, tuple[int, EscalationSource]],
) -> None:
    """One entry for the report: the case, or for a file the range of cases it brought in."""
    if len(ids) == 1:
        case_id = cast(int, ids[0])
        record_audit(
            session,
            context,
            "case.report",
            case_id=case_id,
            subject=f"case:{rows[0]['code']}",
            detail={"source": str(rows[0]["source"]), "escalated": case_id in raised},
        )
        return
    record_audit(
        session,
        context,
        "case.report_many",
        subject=f"cases:{rows[0]['code']}..{rows[-1]['code']}",
        detail={
            "count": len(ids),
            "first_id": cast(int, ids[0]),
            "last_id": cast(int, ids[-1]),
            "escalated": len(raised),
        },
    )


def _raise_escalations(
    session: Session,
    context: ServiceContext,
    ids: Sequence[Any],
    drafts: Sequence[CaseDraft],
    now: datetime,
) -> dict[int, tuple[int, EscalationSource]]:
    """Each new case its draft escalates, on the board with its event; case id → (escalation
    id, source). The cases are read in one query, and only when some draft escalates."""
    wanted = {
        cast(int, case_id): plan
        for case_id, draft in zip(ids, drafts, strict=True)
        if (plan := _escalation_of(context, draft)) is not None
    }
    if not wanted:
        return {}
    ordered = sorted(wanted)
    cases: dict[int, Case] = {}
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        cases.update(
            (row_id(case), case)
            for case in session.execute(select(Case).where(col(Case.id).in_(chunk))).scalars()
        )
    raised: dict[int, tuple[int, EscalationSource]] = {}
    for case_id in ordered:
        plan = wanted[case_id]
        escalation = raise_on_board(
            session,
            context.settings,
            case=cases[case_id],
            kind=plan.kind,
            severity=plan.severity,
            reason=plan.reason,
            source=plan.source,
            at=now,
            # a proposal is the rule's, not the operator's: the shift lead decides on it
            operator_id=None if plan.source is EscalationSource.proposal else context.actor.id,
        )
        raised[case_id] = (row_id(escalation), plan.source)
    return raised
