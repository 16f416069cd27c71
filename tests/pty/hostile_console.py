"""The real console for the pseudo-terminal tests: ``python -m tests.pty.hostile_console DB USER``.

The same ``GridConsoleApp`` the command line runs, over the test database, as ``USER``, with the
clock frozen at the tests' T0 and the bell off (a bell is the console's own BEL, not the data's).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gridconsole.app import GridConsoleApp
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.i18n import set_locale
from gridconsole.store.engine import Database
from tests.factories import T0, services_for, sqlite_url

QUIET_SETTINGS = Settings.model_validate(
    {"escalation": {"bell": False}, "deadlines": {"bell": False}}
)


def main(path: str, username: str) -> int:
    set_locale("zh")
    db = Database.connect(sqlite_url(Path(path)))
    app = GridConsoleApp(
        services_for(db, username, FrozenClock(T0), QUIET_SETTINGS), QUIET_SETTINGS
    )
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
