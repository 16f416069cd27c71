"""The escalation alerts line under the header: in every pane, until a shift lead acknowledges.

Art. 30 asks for major matters to be reported at once; a toast can be missed, a line that stays
until the shift lead has acknowledged the alert cannot. It holds what the last poll read (no
query of its own) and is hidden when nothing waits.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from gridconsole.i18n import t
from gridconsole.services.escalation_records import AlertRow
from gridconsole.views.formatting import safe


def alert_text(alert: AlertRow) -> str:
    """One alert in words: case, kind, severity and what happened (plain text, no markup)."""
    return t(
        "alerts.line",
        code=alert.case_code,
        kind=t(f"escalation_kind.{alert.escalation_kind.value}"),
        severity=t(f"severity.{alert.severity.value}"),
        alert=t(f"alert_kind.{alert.kind.value}"),
    )


class AlertBanner(Static):
    """``⚠ 告警 N：<the newest>（…）`` — hidden while no alert waits."""

    DEFAULT_CSS = """
    AlertBanner {
        height: 1;
        padding: 0 1;
        background: $error;
        color: $text;
        text-style: bold;
        display: none;
    }
    """

    def show_alerts(self, alerts: tuple[AlertRow, ...], total: int) -> None:
        self.display = bool(alerts)
        if not alerts:
            self.update("")
            return
        # a case code comes from the database: a Content is literal text, never markup
        self.update(Content(safe(t("alerts.banner", count=total, first=alert_text(alerts[0])))))
