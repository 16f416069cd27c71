"""The overdue pane's data: running deadlines in warning (预警) or overdue (超期), and those
falling due within the next working hours (即将到期), soonest due first, a page at a time.

Besides the rows, a board carries the counts for the wall mode (one aggregate query) and a
:class:`~gridconsole.domain.countdown.DeadlineCountdown` over the calendar the deadlines were
computed with, so the pane ticks its countdowns from memory and reads the database only when
something changed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from gridconsole.domain.countdown import DeadlineCountdown
from gridconsole.domain.enums import CaseState, DeadlineStep, Priority, Role
from gridconsole.services.context import ServiceContext
from gridconsole.services.deadlines import DeadlinePlanner
from gridconsole.services.lookups import community_by_code
from gridconsole.services.overdue_records import (
    DepartmentOverdueCounts,
    OverdueBoard,
    OverdueCounts,
    OverdueCursor,
    OverdueFilter,
    OverdueFilterOptions,
    OverdueRow,
)
from gridconsole.services.records import Choice
from gridconsole.store.models import Community, Department, row_id
from gridconsole.store.overdue_queries import (
    filter_conditions,
    next_changes_statement,
    overdue_conditions,
    overdue_counts_statement,
    overdue_page_statement,
)

DEFAULT_PAGE_SIZE = 100


class OverdueService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def page(
        self,
        query: OverdueFilter,
        limit: int = DEFAULT_PAGE_SIZE,
        after: OverdueCursor | None = None,
    ) -> OverdueBoard:
        """One page of the board for ``query``, with its counts, read at the clock's now."""
        now = self.context.now()
        hours = self.context.settings.deadlines.upcoming_working_hours
        with self.context.db.read() as session:
            planner = DeadlinePlanner(session, self.context.settings)
            countdown = DeadlineCountdown(planner.calendar)
            horizon = countdown.horizon(now, hours)
            departments = dict(
                session.execute(select(col(Department.id), col(Department.name))).all()
            )
            department_id = None
            if self.context.actor.role is Role.liaison:
                # a liaison's board is their own department's: whatever the filter says
                department_id = self.context.actor.department_id or -1
            elif query.department_code:
                found = session.execute(
                    select(col(Department.id)).where(col(Department.code) == query.department_code)
                ).scalar_one_or_none()
                department_id = -1 if found is None else found  # unknown: leads nothing
            community_id = (
                row_id(community_by_code(session, query.community_code))
                if query.community_code
                else None
            )
            filters = filter_conditions(query.step, department_id, community_id)
            conditions = overdue_conditions(
                now=now,
                horizon=horizon,
                step=query.step,
                department_id=department_id,
                community_id=community_id,
            )
            cursor_key = (after.due_at, after.id) if after else None
            result = session.execute(
                overdue_page_statement(conditions, cursor_key, limit + 1)
            ).all()
            grouped = session.execute(overdue_counts_statement(conditions, now)).all()
            changes = session.execute(next_changes_statement(filters, now, horizon)).one()
            rows = tuple(
                OverdueRow(
                    id=row.id,
                    code=row.code,
                    version=row.version,
                    title=row.title,
                    state=CaseState(row.state),
                    priority=Priority(row.priority),
                    step=DeadlineStep(row.step),
                    department_name=departments.get(row.department_id, "")
                    if row.department_id is not None
                    else "",
                    grid_name=row.grid_name or "",
                    community_name=row.community_name or "",
                    due_at=row.due_at,
                    warn_at=row.warn_at,
                    working_time=planner.limit(
                        row.category_id, DeadlineStep(row.step), Priority(row.priority)
                    ).working_time,
                    provisional=bool(row.deadline_provisional),
                    urge_count=row.urge_count,
                    supervised=bool(row.supervised),
                    claimed_by_id=row.claimed_by_id,
                    claimed_by_name=row.claimed_by_name or "",
                    claimed_until=row.claimed_until,
                )
                for row in result[:limit]
            )
        by_department = tuple(
            sorted(
                (
                    DepartmentOverdueCounts(
                        departments.get(group.department_id, "")
                        if group.department_id is not None
                        else "",
                        OverdueCounts(int(group.warning), int(group.overdue), int(group.upcoming)),
                    )
                    for group in grouped
                ),
                key=lambda item: (
                    -item.counts.overdue,
                    -item.counts.warning,
                    -item.counts.upcoming,
                    item.name,
                ),
            )
        )
        counts = OverdueCounts(
            warning=sum(item.counts.warning for item in by_department),
            overdue=sum(item.counts.overdue for item in by_department),
            upcoming=sum(item.counts.upcoming for item in by_department),
        )
        next_cursor = None
        if len(result) > limit and rows:
            next_cursor = OverdueCursor(rows[-1].due_at, rows[-1].id)
        return OverdueBoard(
            rows=rows,
            total=counts.total,
            next_cursor=next_cursor,
            counts=counts,
            departments=by_department,
            read_at=now,
            horizon=horizon,
            upcoming_working_hours=hours,
            next_warn_at=changes.next_warn_at,
            next_due_after_horizon=changes.next_due_at,
            countdown=countdown,
        )

    def filter_options(self) -> OverdueFilterOptions:
        with self.context.db.read() as session:
            departments = session.execute(
                select(col(Department.code), col(Department.name))
                .where(col(Department.active))
                .order_by(col(Department.code))
            ).all()
            communities = session.execute(
                select(col(Community.code), col(Community.name)).order_by(col(Community.code))
            ).all()
        return OverdueFilterOptions(
            departments=tuple(Choice(code, name) for code, name in departments),
            communities=tuple(Choice(code, name) for code, name in communities),
        )
