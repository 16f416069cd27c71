"""Reading cases for the lists and the header: pages, details, counts, filter options."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.domain.enums import (
    QUEUE_STATES,
    WORKING_STATES,
    CaseState,
    EscalationStage,
    Role,
)
from gridconsole.domain.errors import NotFound
from gridconsole.domain.text import clean_text
from gridconsole.services.case_requests import ever_dispatched_to
from gridconsole.services.case_views import case_detail
from gridconsole.services.context import ServiceContext
from gridconsole.services.duplicates import DuplicateFinder, DuplicateProbe
from gridconsole.services.lookups import (
    case_by_code,
    category_by_code,
    community_by_code,
    grid_by_code,
)
from gridconsole.services.records import (
    CaseDetail,
    CaseRow,
    Choice,
    DuplicateCandidate,
    FilterOptions,
    HeaderCounts,
    Page,
    QueueCursor,
    QueueFilter,
)
from gridconsole.store.case_queries import (
    case_filter_conditions,
    change_token_statement,
    count_statement,
    queue_page_statement,
)
from gridconsole.store.models import Case, CaseCategory, Community, Escalation, Grid, row_id


class QueueService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def page(
        self, query: QueueFilter, after: QueueCursor | None = None, limit: int | None = None
    ) -> Page[CaseRow]:
        """One page of cases matching ``query``, and how many match in all."""
        limit = limit or self.context.settings.queue.page_size
        with self.context.db.read() as session:
            conditions = case_filter_conditions(
                states=query.states,
                category_id=category_by_code(session, query.category_code).id
                if query.category_code
                else None,
                grid_id=grid_by_code(session, query.grid_code).id if query.grid_code else None,
                community_id=community_by_code(session, query.community_code).id
                if query.community_code
                else None,
                source=query.source,
                priority=query.priority,
                search=clean_text(query.search),
                dispatched_to=self._liaison_department(),
                dialect=self.context.db.dialect,
            )
            cursor_key = (after.priority, after.reported_at, after.id) if after else None
            result = session.execute(queue_page_statement(conditions, cursor_key, limit + 1)).all()
            total = session.execute(count_statement(conditions)).scalar_one()
        rows = tuple(
            CaseRow(
                id=row.id,
                code=row.code,
                version=row.version,
                state=CaseState(row.state),
                priority=row.priority,
                source=row.source,
                title=row.title,
                category_name=row.category_name,
                grid_name=row.grid_name or "",
                community_name=row.community_name or "",
                reported_at=row.reported_at,
                due_at=row.due_at,
                warn_at=row.warn_at,
                claimed_by_id=row.claimed_by_id,
                claimed_by_name=row.claimed_by_name or "",
                claimed_until=row.claimed_until,
            )
            for row in result[:limit]
        )
        next_cursor = None
        if len(result) > limit:
            last = rows[-1]
            next_cursor = QueueCursor(int(last.priority), last.reported_at, last.id)
        return Page(rows=rows, total=total, next_cursor=next_cursor)

    def detail(self, code: str) -> CaseDetail:
        with self.context.db.read() as session:
            case = case_by_code(session, code)
            department_id = self._liaison_department()
            if department_id is not None and not ever_dispatched_to(session, case, department_id):
                raise NotFound("case", code)  # for a liaison another department's case is not there
            return case_detail(session, self.context, case)

    def _liaison_department(self) -> int | None:
        """A liaison reads only their department's cases: its id, or None for everyone else."""
        actor = self.context.actor
        if actor.role is Role.liaison:
            return actor.department_id if actor.department_id is not None else -1
        return None

    def change_token(self) -> int:
        """Changes whenever any console changes any case: poll it, reload only when it moves."""
        with self.context.db.read() as session:
            return session.execute(change_token_statement()).scalar_one() or 0

    def header_counts(self) -> HeaderCounts:
        now = self.context.now()
        # a liaison's header counts their department's cases only (minimum necessary)
        scope = case_filter_conditions(dispatched_to=self._liaison_department())
        with self.context.db.read() as session:
            by_state = dict(
                session.execute(
                    select(col(Case.state), func.count()).where(*scope).group_by(col(Case.state))
                ).all()
            )
            warning = session.execute(
                select(func.count())
                .select_from(Case)
                # a deadline is set exactly while a step's clock runs (follow-up after closing
                # too), so no state filter: the same set the overdue pane shows
                .where(col(Case.due_at) > now, col(Case.warn_at) <= now, *scope)
            ).scalar_one()
            overdue = session.execute(
                select(func.count()).select_from(Case).where(col(Case.due_at) <= now, *scope)
            ).scalar_one()
            escalated = session.execute(
                select(func.count())
                .select_from(Escalation)
                .where(
                    col(Escalation.stage).not_in(
                        [EscalationStage.final_reported.value, EscalationStage.withdrawn.value]
                    )
                )
            ).scalar_one()

        def count(*states: CaseState) -> int:
            return sum(by_state.get(state, 0) for state in states)

        return HeaderCounts(
            waiting=count(*QUEUE_STATES),
            working=count(*WORKING_STATES),
            warning=warning,
            overdue=overdue,
            escalated=escalated,
        )

    def filter_options(self) -> FilterOptions:
        with self.context.db.read() as session:
            categories = session.execute(
                select(col(CaseCategory.code), col(CaseCategory.name))
                .where(col(CaseCategory.active))
                .order_by(col(CaseCategory.family), col(CaseCategory.code))
            ).all()
            communities = session.execute(
                select(col(Community.code), col(Community.name)).order_by(col(Community.code))
            ).all()
            grids = session.execute(
                select(col(Grid.code), col(Grid.name)).order_by(col(Grid.code))
            ).all()
        return FilterOptions(
            categories=tuple(Choice(code, name) for code, name in categories),
            communities=tuple(Choice(code, name) for code, name in communities),
            grids=tuple(Choice(code, name) for code, name in grids),
        )

    def duplicate_candidates(
        self,
        *,
        grid_code: str | None,
        category_code: str,
        text: str,
        exclude_code: str | None = None,
    ) -> tuple[DuplicateCandidate, ...]:
        """Open cases of the same grid and category within the configured window whose text is
        close to ``text``: offered as merge targets on entry and import."""
        if not grid_code:
            return ()
        settings = self.context.settings.duplicates
        since = self.context.now() - timedelta(hours=settings.window_hours)
        with self.context.db.read() as session:
            grid_id = row_id(grid_by_code(session, grid_code))
            category_id = row_id(category_by_code(session, category_code))
            finder = DuplicateFinder(since=since, threshold=settings.similarity)
            finder.load(session, [(grid_id, category_id)])
        probe = DuplicateProbe(exclude_code, grid_id, category_id, "", text, self.context.now())
        return finder.candidates(probe)
