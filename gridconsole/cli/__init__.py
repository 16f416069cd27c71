"""The command line: the console, demo databases, schema, operators, cases, import and the
work calendar. ``main`` is the console script; each command group lives in its own module."""

from gridconsole.cli import (  # noqa: F401  (importing a module registers its commands)
    audit_commands,
    backup_commands,
    calendar_commands,
    case_action_commands,
    case_list_commands,
    db_commands,
    demo_commands,
    department_commands,
    dispatch_commands,
    escalation_commands,
    operator_commands,
    report_commands,
    roster_commands,
    scheduler_commands,
)
from gridconsole.cli.main import build_clock, main

__all__ = ["build_clock", "main"]
