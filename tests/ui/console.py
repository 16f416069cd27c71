"""Building the console over the reference database, with a few fixed cases."""

from __future__ import annotations

from datetime import timedelta

from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from gridconsole.views.queue_table import QueueTable
from tests.factories import T0, new_case_fields, services_for

# Seed cases: (title, description, category, grid, priority, source, minutes before T0)
SEED_CASES: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    (
        "夜间施工噪音扰民",
        "中山东路18号工地每晚十一点后仍在施工，噪音很大。",
        "11-noise",
        "320102002001001",
        "normal",
        "phone",
        180,
    ),
    (
        "长江路主水管爆裂路面积水",
        "长江路与太平北路交叉口东侧水管爆裂，水流到机动车道。",
        "11-water",
        "320102002002001",
        "urgent",
        "hotline",
        25,
    ),
    (
        "咨询居住证办理材料",
        "来访群众咨询居住证首次办理需要准备哪些材料。",
        "06-consult",
        "320102002001002",
        "normal",
        "visit",
        95,
    ),
    (
        "早餐店使用过期食材",
        "网友反映大行宫地铁站旁早餐店使用过期面粉。",
        "03-food",
        "320102002001001",
        "normal",
        "platform",
        50,
    ),
)


def seed_cases(services: Services) -> list[str]:
    """Report the seed cases (fixed text and times); returns their codes in creation order."""
    codes = []
    for title, description, category, grid, priority, source, minutes in SEED_CASES:
        detail = services.cases.report(
            new_case_fields(
                title=title,
                description=description,
                category=category,
                grid=grid,
                priority=priority,
                source=source,
                reported_at=(T0 - timedelta(minutes=minutes)).isoformat(),
            )
        )
        codes.append(detail.code)
    return codes


def make_console(
    db: Database, clock: FrozenClock, settings: Settings | None = None
) -> GridConsoleApp:
    """The console as the dispatcher ``disp`` sees it."""
    settings = settings or Settings()
    return GridConsoleApp(services_for(db, "disp", clock, settings), settings)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker runs and every message is handled (exclusive workers that were
    superseded count as done).

    A worker started with ``exit_on_error=False`` that failed is done too: its screen shows
    the error from ``on_worker_state_changed``. Textual drops a finished worker from the
    manager one loop turn after it fails, so without this a refused login or a refused
    transition raised here or not depending on timing. A failure the app does not handle
    (``exit_on_error=True``) still raises."""
    app = pilot.app
    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        except WorkerFailed:
            if any(
                worker.state is WorkerState.ERROR and worker.exit_on_error for worker in app.workers
            ):
                raise
            continue
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            return
    raise AssertionError("the console did not settle")


class Recorder:
    """Collects the notifications an app shows (pass ``recorder.hook`` as ``message_hook``)."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.notifications.append(message.notification)

    @property
    def texts(self) -> list[str]:
        return [notification.message for notification in self.notifications]

    @property
    def errors(self) -> list[str]:
        return [n.message for n in self.notifications if n.severity == "error"]


def queue_table(app: GridConsoleApp) -> QueueTable:
    return app.screen.query_one(QueueTable)


def shown_codes(app: GridConsoleApp) -> list[str]:
    table = queue_table(app)
    return [str(table.get_cell_at((row, 0)).plain) for row in range(table.row_count)]
