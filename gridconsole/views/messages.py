"""Past-tense messages with plain data, posted by workers and handled on the main thread."""

from __future__ import annotations

from textual.message import Message

from gridconsole.domain.enums import Action
from gridconsole.services.deadline_records import Firing
from gridconsole.services.escalation_records import AlertRow
from gridconsole.services.records import (
    CaseDetail,
    CaseRow,
    FilterOptions,
    HeaderCounts,
    Page,
)
from gridconsole.views.ports import ConsoleServices


class ServicesOpened(Message):
    """The console's services are open (bubbles to the app)."""

    def __init__(self, services: ConsoleServices) -> None:
        super().__init__()
        self.services = services


class OpeningFailed(Message):
    """The services could not be opened: the console cannot work (bubbles to the app)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class QueueLoaded(Message):
    def __init__(self, page: Page[CaseRow], request: int) -> None:
        super().__init__()
        self.page = page
        self.request = request


class FilterOptionsLoaded(Message):
    def __init__(self, options: FilterOptions) -> None:
        super().__init__()
        self.options = options


class ChangesAnnounced(Message):
    """Another console committed a change (PostgreSQL NOTIFY): poll now, not at the next tick."""


class ChangesPolled(Message):
    """The change token was read; ``counts`` is set when it moved (or on the first poll)."""

    def __init__(
        self,
        token: int,
        counts: HeaderCounts | None,
        breaches: tuple[Firing, ...] = (),
        alerts: tuple[AlertRow, ...] | None = None,
        alert_total: int = 0,
        announced: bool = False,
    ) -> None:
        super().__init__()
        self.token = token
        self.counts = counts
        self.breaches = breaches  # breach events since the previous token (any process)
        # the escalation alerts no shift lead has acknowledged (None: not read this time)
        self.alerts = alerts
        self.alert_total = alert_total
        # read because PostgreSQL announced a commit: on PostgreSQL event ids are handed out
        # at insert, not at commit, so the change may sit under a token already seen
        self.announced = announced


class CaseDetailLoaded(Message):
    """A case's detail was read, for showing it or for starting ``action`` on it."""

    def __init__(
        self, detail: CaseDetail, action: Action | None, *, for_selection: bool = False
    ) -> None:
        super().__init__()
        self.detail = detail
        self.action = action
        self.for_selection = for_selection


class CaseChanged(Message):
    """An action on a case succeeded (accepted, rejected, merged, resolved, reprioritised,
    reported): ``action`` says which."""

    def __init__(self, detail: CaseDetail, action: Action) -> None:
        super().__init__()
        self.detail = detail
        self.action = action


class OperationFailed(Message):
    """A worker failed: the app shows ``error`` to the operator (bubbles to the app)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error
