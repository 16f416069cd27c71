"""Cases standing in each list of the dispatch pane, put there through the services.

The clock is moved to when each step happens and left at T0 (Sunday 2026-11-29 09:30 in
Nanjing). History for the routing suggestion is made weeks earlier and followed up, so it stands
in no list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Satisfaction
from gridconsole.services.bundle import Services
from gridconsole.services.records import CaseDetail
from tests.factories import T0, build_reference_database, new_case_fields, services_for
from tests.ui.console import seed_cases

NANJING = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NANJING).astimezone(UTC)


def accept(services: Services, code: str) -> CaseDetail:
    return services.cases.accept(code, services.queue.detail(code).version)


def dispatch(services: Services, code: str, lead: str) -> CaseDetail:
    return services.dispatch.dispatch(code, services.queue.detail(code).version, lead=lead)


def fed_back(services: Services, code: str, lead: str) -> CaseDetail:
    """Dispatch ``code`` (accepted) to ``lead``; the department signs and feeds back (recorded
    by the centre on its behalf)."""
    detail = dispatch(services, code, lead)
    detail = services.desk.sign(code, detail.version)
    return services.desk.feedback(code, detail.version, text="已现场处理完毕")


def closed(services: Services, code: str, lead: str) -> CaseDetail:
    detail = fed_back(services, code, lead)
    return services.closure.verify(code, detail.version, passed=True, note="网格员现场核查已整改")


def returned(services: Services, lead_services: Services, code: str, lead: str) -> CaseDetail:
    """Dispatch ``code`` (accepted) to ``lead``, which asks to return it; the shift lead agrees."""
    detail = dispatch(services, code, lead)
    services.desk.request_return(
        code, detail.version, reason="不属于本部门职责", basis="三定方案第三条"
    )
    request = lead_services.approvals.for_case(code)[-1]
    return lead_services.approvals.approve(request.id, request.case_version, reason="同意退单")


def report(services: Services, title: str, **fields: object) -> str:
    return services.cases.report(new_case_fields(title=title, **fields)).code


def noise_history(services: Services, clock: FrozenClock) -> None:
    """Four noise cases in 大行宫社区 handled by 城管执法中队 weeks ago, three of them fed back
    on time (75 %), all verified and followed up."""
    for day, late in ((12, False), (13, False), (14, False), (19, True)):
        clock.set(local(2026, 10, day, 9, 0))
        code = report(services, "夜间施工噪音（历史）", reported_at=clock.now().isoformat())
        detail = dispatch(services, accept(services, code).code, "CG")
        detail = services.desk.sign(code, detail.version)
        if late:  # three working days to handle: fed back weeks later
            clock.set(local(2026, 11, 20, 10, 0))
        detail = services.desk.feedback(code, detail.version, text="已处理")
        detail = services.closure.verify(code, detail.version, passed=True, note="已核查")
        services.closure.follow_up(code, detail.version, satisfaction=Satisfaction.satisfied)
    clock.set(T0)


@dataclass(frozen=True)
class DispatchScene:
    """Codes by name: four accepted seed cases (water urgent, noise, consult, food), a returned
    and a reopened noise case waiting for dispatch; two cases fed back (待核查); one closed
    (待回访)."""

    water: str
    noise: str
    consult: str
    food: str
    returned: str
    reopened: str
    verify_noise: str
    verify_food: str
    follow_up: str


def dispatch_scene(
    services: Services, lead_services: Services, clock: FrozenClock
) -> DispatchScene:
    noise_history(services, clock)
    clock.set(T0 - timedelta(hours=3))
    at = clock.now().isoformat()
    returned_code = report(services, "路边摊占道经营", reported_at=at)
    reopened_code = report(services, "广场舞音响扰民", reported_at=at)
    verify_noise = report(services, "酒吧深夜噪音", reported_at=at)
    verify_food = report(services, "超市出售过期牛奶", category="03-food", reported_at=at)
    follow_up = report(services, "装修电钻噪音", reported_at=at)
    for code in (returned_code, reopened_code, verify_noise, verify_food, follow_up):
        accept(services, code)
    returned(services, lead_services, returned_code, "CG")
    detail = fed_back(services, reopened_code, "CG")
    services.closure.verify(reopened_code, detail.version, passed=False, note="现场核查仍有噪音")
    fed_back(services, verify_noise, "CG")
    fed_back(services, verify_food, "SC")
    closed(services, follow_up, "CG")
    clock.set(T0)
    noise, water, consult, food = seed_cases(services)
    for code in (water, noise, consult, food):
        accept(services, code)
    return DispatchScene(
        water=water,
        noise=noise,
        consult=consult,
        food=food,
        returned=returned_code,
        reopened=reopened_code,
        verify_noise=verify_noise,
        verify_food=verify_food,
        follow_up=follow_up,
    )


def build_scene_database(url: str) -> DispatchScene:
    """The reference database with the scene, built once as a template (then copied per test:
    building it takes seconds)."""
    db = build_reference_database(url)
    clock = FrozenClock(T0)
    scene = dispatch_scene(services_for(db, "disp", clock), services_for(db, "lead", clock), clock)
    db.dispose()  # the last connection closes: the write-ahead log is folded into the file
    return scene
