from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridconsole.config import ConfigError, Settings, load_settings
from gridconsole.i18n import catalog

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_config_is_the_default() -> None:
    assert load_settings(ROOT / "config.toml", environ={}) == Settings()


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[centre]\nnmae = "x"\n[queue]\npage_size = 5\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    message = str(error.value)
    assert f"{path}: centre.nmae: unknown setting" in message
    assert f"{path}: queue.page_size: Input should be greater than or equal to 10" in message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('[centre]\ntime_zone = "Mars/Olympus"\n', "centre.time_zone"),
        ('[work_hours]\nperiods = [["12:00", "08:30"]]\n', "ends before it starts"),
        ('[ui]\nlocale = "fr"\n', "ui.locale"),
        ('[keymap]\naccept-case = " "\n', "keymap.accept-case"),
        ("[centre\n", "not valid TOML"),
        (
            '[deadlines.default_limits]\naccept = { normal = "1 hours", urgent = "1 working_hours" }\n',
            "deadlines.default_limits.accept.normal: Value error, '1 hours': write an amount and a unit",
        ),
        ("[deadlines]\nwarn_fraction = 1.2\n", "deadlines.warn_fraction"),
    ],
)
def test_bad_values_are_explained(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        load_settings(path, environ={})


def test_environment_overrides(tmp_path: Path) -> None:
    settings = load_settings(
        ROOT / "config.toml",
        environ={"GRIDCONSOLE_DB": "sqlite:///other.db", "GRIDCONSOLE_LANG": "en"},
    )
    assert settings.database.url == "sqlite:///other.db"
    assert settings.ui.locale == "en"


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert sorted(set(zh) ^ set(en)) == []
    placeholder = re.compile(r"\{(\w+)\}")
    for key in zh:
        assert set(placeholder.findall(zh[key])) == set(placeholder.findall(en[key])), key


def test_every_literal_key_used_in_code_exists() -> None:
    zh = catalog("zh")
    used = set()
    for path in (ROOT / "gridconsole").rglob("*.py"):
        used.update(re.findall(r"\bt\(\s*\"([a-z_]+(?:\.[a-z_0-9]+)+)\"", path.read_text("utf-8")))
    assert used, "the scan found no keys: the pattern is wrong"
    assert sorted(key for key in used if key not in zh) == []


def test_every_enum_value_has_a_label() -> None:
    from gridconsole.domain.enums import (
        Action,
        AdminAction,
        AdministrativePower,
        AlertKind,
        CaseSource,
        CaseState,
        ContactChannel,
        EscalationKind,
        EscalationSource,
        EscalationStage,
        Priority,
        RejectReason,
        ReportChannel,
        ReportDue,
        ReportKind,
        ReportLevel,
        RequestKind,
        RequestStatus,
        Role,
        Satisfaction,
        Severity,
    )

    zh = catalog("zh")
    for prefix, enum in [
        ("state", CaseState),
        ("action", Action),
        ("action", AdminAction),
        ("request_kind", RequestKind),
        ("request_status", RequestStatus),
        ("satisfaction", Satisfaction),
        ("channel", ContactChannel),
        ("administrative_power", AdministrativePower),
        ("source", CaseSource),
        ("reject_reason", RejectReason),
        ("role", Role),
        ("escalation_kind", EscalationKind),
        ("severity", Severity),
        ("escalation_stage", EscalationStage),
        ("escalation_source", EscalationSource),
        ("report_kind", ReportKind),
        ("report_channel", ReportChannel),
        ("report_level", ReportLevel),
        ("report_due", ReportDue),
        ("alert_kind", AlertKind),
    ]:
        for member in enum:
            assert f"{prefix}.{member.value}" in zh
    for priority in Priority:
        assert f"priority.{priority.name}" in zh


def test_every_refusal_names_an_action_the_catalogs_know() -> None:
    """A PermissionDenied whose action has no label crashed the CLI with a KeyError instead of
    saying who may not do what (`audit list` by a shift lead)."""
    from gridconsole.domain.enums import PersonalField

    zh, en = catalog("zh"), catalog("en")
    named: set[str] = {f"privacy.reveal_{field.value}" for field in PersonalField}
    for path in (ROOT / "gridconsole").rglob("*.py"):
        for call in re.findall(r"PermissionDenied\((.*?)\)", path.read_text("utf-8"), re.DOTALL):
            named.update(re.findall(r"\baction=\"([a-z_.]+)\"", call))
    assert {"read_audit", "read_statistics", "read_roster"} <= named, "the scan misses literals"
    assert sorted(name for name in named if f"action.{name}" not in zh) == []
    assert sorted(name for name in named if f"action.{name}" not in en) == []
