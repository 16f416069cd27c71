"""The escalation board's steps in words, for a case's timeline (the detail screen, ``cases show``).

An event of the board carries what happened in its ``detail`` (the kind and severity raised, the
report's kind, channel and level and whether it was late, the stages moved between, the window
that fell due); these functions say it in the operator's language. Untrusted text (a recipient)
is returned as it is: the caller shows it literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from gridconsole.domain.enums import (
    Action,
    AlertKind,
    EscalationKind,
    EscalationSource,
    EscalationStage,
    ReportChannel,
    ReportDue,
    ReportKind,
    ReportLevel,
    Severity,
)
from gridconsole.i18n import t

SEPARATOR = " · "


def _term(prefix: str, enum: type, value: object) -> str | None:
    """``prefix.value`` translated, when ``value`` is one of ``enum``'s (else None)."""
    try:
        member = enum(value)
    except ValueError:
        return None
    return t(f"{prefix}.{member.value}")


def _instant(value: object, zone: ZoneInfo) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    if instant.tzinfo is None:
        return None
    return f"{instant.astimezone(zone):%m-%d %H:%M}"


def escalation_event_text(action: Action, detail: Mapping[str, object], zone: ZoneInfo) -> str:
    """What a board event did, e.g. ``初报 · 电话 → 街道中心领导（陈主任）· 迟报``; "" for an
    event that is not the board's (or a detail that does not say)."""
    parts: list[str | None] = []
    if action is Action.escalate:
        parts = [
            _term("escalation_kind", EscalationKind, detail.get("kind")),
            _term("severity", Severity, detail.get("severity")),
            _term("escalation_source", EscalationSource, detail.get("source")),
        ]
    elif action is Action.escalation_report:
        level = _term("report_level", ReportLevel, detail.get("level"))
        recipient = detail.get("recipient")
        if level and isinstance(recipient, str) and recipient:
            level = t("escalation_text.recipient", level=level, recipient=recipient)
        channel = _term("report_channel", ReportChannel, detail.get("channel"))
        parts = [
            _term("report_kind", ReportKind, detail.get("kind")),
            f"{channel or ''} → {level}".strip() if level else channel,
        ]
        made = _instant(detail.get("reported_at"), zone)
        if made:
            parts.append(t("escalation_text.made_at", at=made))
        if detail.get("late") is True:
            parts.append(t("escalation_text.late"))
    elif action is Action.confirm_escalation:
        stage = _term("escalation_stage", EscalationStage, detail.get("stage"))
        parts = [f"→ {stage}" if stage else None]
    elif action is Action.raise_escalation:
        parts = [
            _move("escalation_stage", EscalationStage, detail, "from_stage", "stage"),
            _move("severity", Severity, detail, "from_severity", "severity"),
        ]
    elif action is Action.deescalate:
        stage = _term("escalation_stage", EscalationStage, detail.get("from_stage"))
        parts = [t("escalation_text.withdrawn_from", stage=stage) if stage else None]
    elif action in (Action.report_window_due, Action.report_window_missed):
        due = _term("report_due", ReportDue, detail.get("due"))
        at = _instant(detail.get("due_at"), zone)
        parts = [due, t("escalation_text.due_at", at=at) if at else None]
    elif action is Action.acknowledge_alert:
        kinds = detail.get("kinds")
        if isinstance(kinds, list):
            parts = [_term("alert_kind", AlertKind, kind) for kind in kinds]
    return SEPARATOR.join(part for part in parts if part)


def _move(
    prefix: str, enum: type, detail: Mapping[str, object], before_key: str, after_key: str
) -> str | None:
    before = _term(prefix, enum, detail.get(before_key))
    after = _term(prefix, enum, detail.get(after_key))
    if not after or before == after:
        return None
    return f"{before} → {after}" if before else after


def with_reason(action: Action, detail: Mapping[str, object], reason: str, zone: ZoneInfo) -> str:
    """The board's words for the event, then its reason (or a report's content)."""
    text = escalation_event_text(action, detail, zone)
    if text and reason:
        return f"{text} — {reason}"
    return text or reason
