"""The dispatch journey through the command line (issue 4: ``gridconsole case dispatch|sign|
return|…``), with the OS user switching roles the way different people would take the steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select, update
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services.bundle import Services
from gridconsole.services.operators import ensure_operator
from gridconsole.store.engine import Database
from gridconsole.store.models import Department, Operator
from tests.factories import new_case_fields
from tests.unit.test_cli import ME, on


def become(db: Database, role: Role, department: str | None = None) -> None:
    with db.write() as session:
        department_id = (
            session.execute(
                select(col(Department.id)).where(col(Department.code) == department)
            ).scalar_one()
            if department
            else None
        )
        session.execute(
            update(Operator)
            .where(col(Operator.username) == ME)
            .values(role=role, department_id=department_id)
        )


@pytest.fixture
def case_code(db: Database, clock: FrozenClock, dispatcher: Services) -> str:
    ensure_operator(db, clock, username=ME, display_name="值班测试", role=Role.dispatcher)
    return dispatcher.cases.report(new_case_fields()).code


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def test_the_whole_journey_runs_through_the_cli(
    db: Database, db_url: str, tmp_path: Path, case_code: str
) -> None:
    def run(*args: str) -> Result:
        return on(db_url, tmp_path, *args)

    code = case_code
    ok(run("case", "accept", code))
    assert "dispatched" in ok(run("case", "dispatch", code, "--lead", "CG", "--note", "请到场"))
    assert "in progress" in ok(run("case", "sign", code, "--note", "phone: on the way"))
    ok(run("case", "return", code, "--reason", "a water main", "--basis", "duty list art. 3"))

    become(db, Role.liaison, "CG")
    listed = json.loads(ok(run("worklist", "--json")))
    assert [row["case_code"] for row in listed["rows"]] == [code]
    assert listed["rows"][0]["pending_request"] == "return"

    become(db, Role.shift_lead)
    (pending,) = json.loads(ok(run("request", "list", "--json")))
    assert (pending["kind"], pending["on_behalf"]) == ("return", True)
    assert "returned" in ok(run("request", "approve", str(pending["id"]), "--reason", "agreed"))
    refused = run("case", "dispatch", code, "--lead", "SC")
    assert refused.exit_code == 1
    assert "does not handle this category" in refused.stderr
    ok(run("case", "dispatch", code, "--lead", "GS", "--override", "water main: the utility"))
    ok(run("case", "sign", code))
    late = run("case", "extension", code, "--until", "2026-12-06 10:00", "--reason", "parts")
    assert late.exit_code == 1
    assert "outside working time" in late.stderr
    ok(run("case", "extension", code, "--until", "2026-12-04 17:30", "--reason", "parts"))
    (extension,) = json.loads(ok(run("request", "list", "--json")))
    ok(run("request", "approve", str(extension["id"]), "--reason", "agreed"))
    ok(run("case", "feedback", code, "--text", "pipe replaced"))
    assert "reopened" in ok(run("case", "verify", code, "--fail", "--note", "still leaking"))
    ok(run("case", "dispatch", code, "--lead", "GS", "--override", "rework by the utility"))
    ok(run("case", "sign", code))
    ok(run("case", "urge", code, "--channel", "phone", "--note", "hurry"))
    ok(run("case", "feedback", code, "--text", "fixed for good"))
    assert "closed" in ok(run("case", "verify", code, "--pass", "--note", "dry now"))
    ok(run("case", "follow-up", code, "--satisfaction", "unsatisfied", "--note", "too slow"))
    assert "reopened" in ok(run("case", "reopen", code, "--reason", "reporter asks again"))

    shown = json.loads(ok(run("cases", "show", code, "--json")))
    actions = [event["action"] for event in shown["events"]]
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "sign",
        "request_return",
        "return",
        "redispatch",
        "sign",
        "request_extension",
        "approve_extension",
        "feedback",
        "verify_fail",
        "dispatch",
        "sign",
        "urge",
        "feedback",
        "verify_pass",
        "follow_up",
        "reopen",
    ]
    # what the centre recorded for a department after a phone call is marked so
    behalf = {event["action"] for event in shown["events"] if event["on_behalf"]}
    assert behalf == {"sign", "request_return", "request_extension", "feedback"}
    assert [dispatch["department_code"] for dispatch in shown["dispatches"]] == ["CG", "GS", "GS"]
    assert shown["satisfaction"] == "unsatisfied"
    assert shown["original_due_at"] is not None
    text = ok(run("cases", "show", code))
    assert "(on behalf)" in text


def test_a_liaison_cannot_act_on_another_departments_case(
    db: Database, db_url: str, tmp_path: Path, case_code: str
) -> None:
    ok(on(db_url, tmp_path, "case", "accept", case_code))
    ok(on(db_url, tmp_path, "case", "dispatch", case_code, "--lead", "CG"))
    become(db, Role.liaison, "SC")
    refused = on(db_url, tmp_path, "case", "sign", case_code)
    assert refused.exit_code == 1
    assert refused.stderr == f"no case {case_code}\n"
    assert json.loads(ok(on(db_url, tmp_path, "worklist", "--json")))["rows"] == []
