"""One typed settings object, read once from ``config.toml`` and ``GRIDCONSOLE_*`` variables.

Unknown keys are errors that name the key: a misspelt setting must not be silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Locale = Literal["zh", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "en")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///gridconsole.db"


class CentreSettings(_Section):
    name: str = "梅园街道网格化服务管理中心"
    time_zone: str = "Asia/Shanghai"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class WorkHoursSettings(_Section):
    periods: list[tuple[time, time]] = Field(
        default_factory=lambda: [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]
    )

    @field_validator("periods")
    @classmethod
    def _ordered(cls, periods: list[tuple[time, time]]) -> list[tuple[time, time]]:
        if not periods:
            raise ValueError("at least one working period is needed")
        previous_end: time | None = None
        for start, end in periods:
            if start >= end:
                raise ValueError(f"period {start:%H:%M}-{end:%H:%M} ends before it starts")
            if previous_end is not None and start < previous_end:
                raise ValueError("periods must be in order and must not overlap")
            previous_end = end
        return periods


class UiSettings(_Section):
    locale: Locale = "zh"
    theme: str = "textual-dark"
    animations: bool = False


class QueueSettings(_Section):
    page_size: Annotated[int, Field(ge=10, le=500)] = 50
    refresh_seconds: Annotated[float, Field(gt=0.1, le=60)] = 1.0


class DuplicateSettings(_Section):
    window_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 72
    similarity: Annotated[float, Field(gt=0, le=1)] = 0.6


_UNITS = ("working_hours", "working_days", "calendar_hours", "calendar_minutes")


class LimitSetting(_Section):
    """``"3 working_days"``: an amount and a unit of :class:`gridconsole.domain.enums.TimeUnit`."""

    amount: int
    unit: str

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        if isinstance(value, str):
            parts = value.split()
            if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in _UNITS:
                raise ValueError(
                    f"{value!r}: write an amount and a unit, e.g. '3 working_days'; "
                    f"units: {', '.join(_UNITS)}"
                )
            return {"amount": int(parts[0]), "unit": parts[1]}
        return value


class StepLimits(_Section):
    normal: LimitSetting
    urgent: LimitSetting


def _limits(normal: str, urgent: str) -> StepLimits:
    return StepLimits.model_validate({"normal": normal, "urgent": urgent})


class DefaultLimits(_Section):
    """Each step's time limit where a category has none of its own (domain.md §3)."""

    accept: StepLimits = _limits("1 working_hours", "15 calendar_minutes")
    dispatch: StepLimits = _limits("1 working_hours", "15 calendar_minutes")
    sign: StepLimits = _limits("1 working_hours", "15 calendar_minutes")
    handle: StepLimits = _limits("3 working_days", "24 calendar_hours")
    verify: StepLimits = _limits("1 working_days", "2 calendar_hours")
    follow_up: StepLimits = _limits("1 working_days", "1 working_days")


class DeadlineSettings(_Section):
    # the share of a step's allowance after which it shows as a warning (预警)
    warn_fraction: Annotated[float, Field(gt=0, lt=1)] = 0.8
    # the overdue pane also lists what falls due within this many working hours
    upcoming_working_hours: Annotated[int, Field(ge=0, le=75)] = 4
    default_limits: DefaultLimits = DefaultLimits()
    # the overdue ladder: 督办 prompted, then 通报, this long after the breach (working units)
    supervise_after: LimitSetting = LimitSetting.model_validate("1 working_days")
    report_after: LimitSetting = LimitSetting.model_validate("5 working_days")
    # ring the terminal bell when a breach fires in the console
    bell: bool = True


_LEVELS = Literal["street_leader", "district_centre", "departments"]
_KINDS = Literal["major_dispute", "major_hazard", "mass_incident", "emergency", "other_major"]
_SEVERITIES = Literal["general", "larger", "major", "extraordinary"]


class SeverityReporting(_Section):
    """One severity's report windows (calendar minutes from the raising) and reporting chain."""

    # the first report, by any channel (a phone call)
    quick_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    # the written 初报; the 终报 is owed this long after the case closes
    written_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)]
    # a 续报 this long after the latest report while the matter is handled
    update_minutes: Annotated[int, Field(ge=5, le=30 * 24 * 60)]
    # who must be told
    levels: list[_LEVELS]

    @model_validator(mode="after")
    def _consistent(self) -> SeverityReporting:
        if self.written_minutes < self.quick_minutes:
            raise ValueError("written_minutes must not be shorter than quick_minutes")
        if not self.levels:
            raise ValueError("levels: name at least one level to report to")
        return self


def _reporting(quick: int, written: int, update: int, *levels: str) -> SeverityReporting:
    return SeverityReporting.model_validate(
        {
            "quick_minutes": quick,
            "written_minutes": written,
            "update_minutes": update,
            "levels": list(levels),
        }
    )


class EscalationProposal(_Section):
    """A category whose cases are proposed for escalation when this many people are involved."""

    min_people: Annotated[int, Field(ge=1)]
    kind: _KINDS = "mass_incident"
    severity: _SEVERITIES = "general"


class EscalationWindows(_Section):
    """domain.md §4: 重大/特别重大 15 and 30 minutes, 较大 30 and 60, 一般 60 and 120."""

    general: SeverityReporting = _reporting(60, 120, 24 * 60, "street_leader")
    larger: SeverityReporting = _reporting(30, 60, 8 * 60, "street_leader", "departments")
    major: SeverityReporting = _reporting(
        15, 30, 2 * 60, "street_leader", "district_centre", "departments"
    )
    extraordinary: SeverityReporting = _reporting(
        15, 30, 60, "street_leader", "district_centre", "departments"
    )


class EscalationSettings(_Section):
    windows: EscalationWindows = EscalationWindows()
    # a report window about to be missed is announced this many minutes before it closes
    alert_before_minutes: Annotated[int, Field(ge=0, le=120)] = 5
    # ring the terminal bell on an alert, and again every N seconds until a shift lead
    # acknowledges it (0: once)
    bell: bool = True
    bell_repeat_seconds: Annotated[int, Field(ge=0, le=3600)] = 30
    # the 已终报 column shows escalations closed within this many days
    final_days: Annotated[int, Field(ge=1, le=90)] = 3
    # category code → the rule that proposes an escalation at intake
    proposals: dict[str, EscalationProposal] = Field(
        default_factory=lambda: {
            "06-wages": EscalationProposal(min_people=10, kind="mass_incident", severity="larger")
        }
    )


class RosterSettings(_Section):
    """The roster (grids and grid workers): coding rule and coverage checks (local practice)."""

    # grid codes: the community's 12-digit division code plus this many digits of sequence…
    grid_code_sequence_digits: Annotated[int, Field(ge=1, le=6)] = 3
    # …unless the city codes otherwise: a regular expression the whole code must match
    grid_code_pattern: str = ""
    # a worker covering more grids than this is flagged
    max_grids_per_worker: Annotated[int, Field(ge=1, le=50)] = 3
    # Art. 6: an urban comprehensive grid is usually 300–500 households (a soft warning)
    households_low: Annotated[int, Field(ge=0)] = 300
    households_high: Annotated[int, Field(ge=1)] = 500

    @field_validator("grid_code_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _range(self) -> RosterSettings:
        if self.households_low > self.households_high:
            raise ValueError("households_low must not exceed households_high")
        return self


class StatisticsWeights(_Section):
    """How much each rate counts in a department's score (绩效考评, Art. 5 and 35; local
    practice: city rules score time-keeping, returns and satisfaction). Any non-negative numbers:
    the score is the weighted mean of the rates a department has (×100)."""

    on_time: Annotated[float, Field(ge=0)] = 40  # 按期办结率
    sign_on_time: Annotated[float, Field(ge=0)] = 10  # 按时签收率
    satisfaction: Annotated[float, Field(ge=0)] = 30  # 满意率
    no_return: Annotated[float, Field(ge=0)] = 10  # 1 − 退单率
    no_rework: Annotated[float, Field(ge=0)] = 10  # 1 − 返工率


class StatisticsSettings(_Section):
    """Performance evaluation: the score's weights and how a 基本满意 answer counts."""

    weights: StatisticsWeights = StatisticsWeights()
    # a 基本满意 answer counts this much of a 满意 one in the satisfaction rate
    basically_satisfied_credit: Annotated[float, Field(ge=0, le=1)] = 0.8

    @model_validator(mode="after")
    def _some_weight(self) -> StatisticsSettings:
        if not any(self.weights.model_dump().values()):
            raise ValueError("at least one statistics weight must be above 0")
        return self


class SecuritySettings(_Section):
    """Who may log in and how (shared SSH accounts, the password factor, lock-out, the idle
    lock) and the claims on cases (issue 8)."""

    # a dispatcher's claim on a case lapses this long after it was taken (or renewed)
    claim_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    # OS accounts several people share (one SSH key each): only these may name the operator
    # with ``--operator`` (the key's forced command), and each such login needs the password
    shared_accounts: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list
    )
    # ask every operator for their local password at login, not only on shared accounts
    require_password: bool = False
    # failed logins (or unlocks) in a row that lock the operator out, and for how long
    max_failed_logins: Annotated[int, Field(ge=1, le=100)] = 5
    lockout_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 15
    # no key or mouse input for this long locks the console (0: never)
    idle_lock_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 10
    # the audit log's HMAC key, kept outside the database; empty: the variable
    # GRIDCONSOLE_AUDIT_KEY_FILE, else "<database file>.audit-key" beside a SQLite file
    audit_key_file: str = ""


class PrivacySettings(_Section):
    """Personal data in lists, details, exports and logs (Art. 17): mobile and ID numbers are
    always masked until revealed with the permission and a reason; reporters' names too where
    the centre sets this (a name is often all a small community needs to know who called)."""

    mask_reporter_names: bool = False


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    centre: CentreSettings = CentreSettings()
    work_hours: WorkHoursSettings = WorkHoursSettings()
    ui: UiSettings = UiSettings()
    queue: QueueSettings = QueueSettings()
    duplicates: DuplicateSettings = DuplicateSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    roster: RosterSettings = RosterSettings()
    escalation: EscalationSettings = EscalationSettings()
    statistics: StatisticsSettings = StatisticsSettings()
    security: SecuritySettings = SecuritySettings()
    privacy: PrivacySettings = PrivacySettings()
    keymap: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _keymap_values(self) -> Settings:
        for binding_id, keys in self.keymap.items():
            if not keys.strip():
                raise ValueError(f"keymap.{binding_id}: give at least one key")
        return self


class ConfigError(Exception):
    """A configuration file or variable is wrong; the message says where and why."""


def _describe(error: ValidationError, source: str) -> str:
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown setting"
        lines.append(f"{source}: {location}: {message}")
    return "\n".join(lines)


def default_config_path() -> Path | None:
    """``$GRIDCONSOLE_CONFIG``, else ``./config.toml`` when present."""
    explicit = os.environ.get("GRIDCONSOLE_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path("config.toml")
    return local if local.is_file() else None


def load_settings(path: Path | None = None, *, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (or the default location), then apply environment overrides.

    ``GRIDCONSOLE_DB`` overrides ``database.url`` and ``GRIDCONSOLE_LANG`` ``ui.locale``.
    """
    env = os.environ if environ is None else environ
    data: dict[str, object] = {}
    source = "defaults"
    if path is None:
        path = default_config_path()
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: no such configuration file") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    overrides = {"GRIDCONSOLE_DB": ("database", "url"), "GRIDCONSOLE_LANG": ("ui", "locale")}
    for variable, (section, key) in overrides.items():
        if env.get(variable):
            section_data = data.setdefault(section, {})
            if isinstance(section_data, dict):
                section_data[key] = env[variable]
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from exc
