"""The vocabulary of domain.md, as enums whose values are what the database stores."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class CaseState(StrEnum):
    reported = "reported"  # 上报
    registered = "registered"  # 受理/立案
    dispatched = "dispatched"  # 已派遣
    in_progress = "in_progress"  # 处置中 (signed)
    feedback_given = "feedback_given"  # 已反馈
    closed = "closed"  # 已结案
    followed_up = "followed_up"  # 已回访
    rejected = "rejected"  # 不予受理 (merged cases too)
    returned = "returned"  # 已退单
    reopened = "reopened"  # 返工
    suspended = "suspended"  # 挂起


OPEN_STATES: frozenset[CaseState] = frozenset(CaseState) - {
    CaseState.closed,
    CaseState.followed_up,
    CaseState.rejected,
}
# What the incoming-case queue shows unless filtered otherwise: new cases. A returned case (its
# return accepted by the shift lead) waits in the dispatch pane for its redispatch instead.
QUEUE_STATES: tuple[CaseState, ...] = (CaseState.reported,)
# Cases being worked by departments (the header's 处置中 count).
WORKING_STATES: tuple[CaseState, ...] = (
    CaseState.registered,
    CaseState.returned,
    CaseState.dispatched,
    CaseState.in_progress,
    CaseState.feedback_given,
    CaseState.reopened,
    CaseState.suspended,
)

# The dispatch pane's three lists: waiting to be dispatched, to be verified on site, to be
# followed up with the reporter.
DISPATCH_WAITING_STATES: tuple[CaseState, ...] = (
    CaseState.registered,
    CaseState.returned,
    CaseState.reopened,
)
VERIFY_WAITING_STATES: tuple[CaseState, ...] = (CaseState.feedback_given,)
FOLLOW_UP_WAITING_STATES: tuple[CaseState, ...] = (CaseState.closed,)


class Priority(IntEnum):
    """Lower sorts first: urgent cases lead every queue."""

    urgent = 1
    normal = 2


class CaseSource(StrEnum):
    grid_worker = "grid_worker"  # 网格员上报
    phone = "phone"  # 来电
    visit = "visit"  # 来访
    hotline = "hotline"  # 12345 热线
    platform = "platform"  # 平台/网络
    department = "department"  # 部门移交
    patrol = "patrol"  # 巡查发现


class RejectReason(StrEnum):
    duplicate = "duplicate"
    out_of_scope = "out_of_scope"
    malicious = "malicious"
    insufficient_info = "insufficient_info"


class Action(StrEnum):
    """Everything that can happen to a case; each is one event row."""

    report = "report"
    accept = "accept"
    reject = "reject"
    merge = "merge"
    resolve_in_grid = "resolve_in_grid"
    dispatch = "dispatch"
    sign = "sign"
    return_ = "return"
    redispatch = "redispatch"
    suspend = "suspend"
    resume = "resume"
    feedback = "feedback"
    verify_pass = "verify_pass"
    verify_fail = "verify_fail"
    close = "close"
    follow_up = "follow_up"
    reopen = "reopen"  # 重新办理: the reporter was not satisfied at follow-up
    # flags and edits: events that do not change the state
    set_priority = "set_priority"
    approve_extension = "approve_extension"  # 批准延期: the deadline moves, the original is kept
    # a department's requests and the shift lead's refusals (approvals are the transitions
    # return / approve_extension / suspend themselves): flags, each a request row too
    request_return = "request_return"  # 退单申请
    refuse_return = "refuse_return"
    request_extension = "request_extension"  # 延期申请
    refuse_extension = "refuse_extension"
    request_suspension = "request_suspension"  # 挂起申请
    refuse_suspension = "refuse_suspension"
    urge = "urge"
    supervise = "supervise"
    absorb_duplicate = "absorb_duplicate"
    # written by the deadline timers (operator_id NULL): warning, breach and the overdue ladder
    deadline_warning = "deadline_warning"  # 预警
    deadline_breach = "deadline_breach"  # 超期
    supervise_due = "supervise_due"  # prompt to the shift lead: 督办 is due
    report_district = "report_district"  # 通报: onto the escalation board
    # the escalation board (Art. 30): flags on the case's timeline, each also an escalation row
    escalate = "escalate"  # 升级上报: raised by an operator, at intake or later
    confirm_escalation = "confirm_escalation"  # the shift lead confirms (待确认 → 已报街道)
    escalation_report = "escalation_report"  # 初报 / 续报 / 终报 made to a level
    raise_escalation = "raise_escalation"  # up the reporting chain (区级) or a graver severity
    deescalate = "deescalate"  # 撤销升级, with a reason
    acknowledge_alert = "acknowledge_alert"  # the shift lead has seen an alert
    # written by the timers: a report window about to be missed, and one missed
    report_window_due = "report_window_due"
    report_window_missed = "report_window_missed"
    # claims (认领): who works the case; flags on the timeline that never bump the version
    claim = "claim"
    release_claim = "release_claim"
    break_claim = "break_claim"  # the shift lead takes the case from its holder


class AdminAction(StrEnum):
    """Administrative actions outside a case's lifecycle (their own small matrix)."""

    manage_calendar = "manage_calendar"  # enter or remove a hand-entered holiday notice
    manage_departments = "manage_departments"  # the department directory and routing rules
    override_routing = "override_routing"  # dispatch to a department the rules would refuse
    manage_roster = "manage_roster"  # grids, grid workers, eligibility declarations (Art. 6–20)
    record_complaint = "record_complaint"  # a complaint against a grid worker (Art. 19)
    handle_complaint = "handle_complaint"  # its outcome
    manage_operators = "manage_operators"  # add, disable, set the role or password of operators
    manage_backups = "manage_backups"  # back up or restore the whole database (personal data)


class PersonalField(StrEnum):
    """Personal data shown masked unless revealed (Art. 17, PIPL minimum necessary)."""

    reporter_phone = "reporter_phone"
    reporter_name = "reporter_name"
    worker_mobile = "worker_mobile"
    worker_id_number = "worker_id_number"


class RequestKind(StrEnum):
    """What a department asks the shift lead for."""

    return_ = "return"  # 退单
    extension = "extension"  # 延期
    suspension = "suspension"  # 挂起


class RequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    withdrawn = "withdrawn"  # the case moved on (e.g. closed) before a decision


class Satisfaction(StrEnum):
    """The reporter's answer at follow-up (回访)."""

    satisfied = "satisfied"  # 满意
    basically = "basically"  # 基本满意
    unsatisfied = "unsatisfied"  # 不满意


class ContactChannel(StrEnum):
    """How a reminder (催办) reached the department."""

    phone = "phone"
    platform = "platform"


class AdministrativePower(StrEnum):
    """Matters only officials may carry out (Art. 16 (二)): never work for a grid worker."""

    licensing = "licensing"  # 行政许可
    penalty = "penalty"  # 行政处罚
    coercion = "coercion"  # 行政强制措施


class Role(StrEnum):
    dispatcher = "dispatcher"  # 调度员
    shift_lead = "shift_lead"  # 值班长
    liaison = "liaison"  # 部门联络员
    admin = "admin"  # 管理员
    auditor = "auditor"  # 审计员


class GridKind(StrEnum):
    comprehensive = "comprehensive"  # 综合网格
    dedicated = "dedicated"  # 专属网格


class WorkerRole(StrEnum):
    grid_head = "grid_head"  # 网格长
    full_time = "full_time"  # 专职网格员
    part_time = "part_time"  # 兼职网格员


class WorkerStatus(StrEnum):
    active = "active"  # 在岗
    on_leave = "on_leave"  # 休假
    left = "left"  # 离职


class DepartmentKind(StrEnum):
    government = "government"
    utility = "utility"
    unit = "unit"


class DispatchRole(StrEnum):
    lead = "lead"  # 主办
    assist = "assist"  # 协办


class DeadlineStep(StrEnum):
    accept = "accept"
    dispatch = "dispatch"
    sign = "sign"
    handle = "handle"
    verify = "verify"
    follow_up = "follow_up"


class TimeUnit(StrEnum):
    working_hours = "working_hours"
    working_days = "working_days"
    calendar_hours = "calendar_hours"
    calendar_minutes = "calendar_minutes"  # urgent limits: 15 minutes to accept (domain.md §3)

    @property
    def working_time(self) -> bool:
        """Whether a limit in this unit runs in working time (calendar units run day and night)."""
        return self in (TimeUnit.working_hours, TimeUnit.working_days)


class EscalationKind(StrEnum):
    major_dispute = "major_dispute"  # 重大矛盾纠纷
    major_hazard = "major_hazard"  # 重大问题隐患
    mass_incident = "mass_incident"  # 群体性事件
    emergency = "emergency"  # 突发性事件
    other_major = "other_major"  # 其他重大紧急情况


class Severity(StrEnum):
    general = "general"  # 一般 Ⅳ
    larger = "larger"  # 较大 Ⅲ
    major = "major"  # 重大 Ⅱ
    extraordinary = "extraordinary"  # 特别重大 Ⅰ


class EscalationStage(StrEnum):
    pending = "pending"  # 待确认
    reported_street = "reported_street"  # 已报街道
    reported_district = "reported_district"  # 已报区级
    handling = "handling"  # 处置中
    final_reported = "final_reported"  # 已终报
    withdrawn = "withdrawn"  # 撤销升级 (de-escalated)


class EscalationSource(StrEnum):
    """How a case reached the board."""

    manual = "manual"  # an operator raised it
    intake = "intake"  # raised with the new case
    proposal = "proposal"  # a category rule proposed it (waits for the shift lead)
    overdue = "overdue"  # the overdue ladder's 通报


class ReportKind(StrEnum):
    initial = "initial"  # 初报
    update = "update"  # 续报
    final = "final"  # 终报


class ReportChannel(StrEnum):
    phone = "phone"  # 电话
    written = "written"  # 书面
    platform = "platform"  # 平台


class ReportLevel(StrEnum):
    """Who an escalation report goes to (the reporting chain)."""

    street_leader = "street_leader"  # 街道中心领导
    district_centre = "district_centre"  # 区级中心
    departments = "departments"  # 相关部门


class ReportDue(StrEnum):
    """Which report an escalation owes next."""

    initial_quick = "initial_quick"  # 初报 by any channel (phone), the short window
    initial_written = "initial_written"  # 初报 in writing, the longer window
    update = "update"  # 续报, every update interval
    final = "final"  # 终报 once the case is closed


class AlertKind(StrEnum):
    raised = "raised"  # a new escalation
    report_due = "report_due"  # a report window is about to be missed
    report_missed = "report_missed"  # a report window was missed


class DatabasePurpose(StrEnum):
    production = "production"
    demo = "demo"
    training = "training"


# -- the roster of grids and grid workers (Art. 6–20) ---------------------------------------------


class ComplaintSource(StrEnum):
    """How a complaint against a grid worker reached the centre (Art. 19 监督电话等举报渠道)."""

    phone = "phone"  # 监督电话
    hotline = "hotline"  # 12345 热线
    visit = "visit"  # 来访
    letter = "letter"  # 来信
    platform = "platform"  # 平台/网络


class ComplaintOutcome(StrEnum):
    substantiated = "substantiated"  # 属实
    partly = "partly"  # 部分属实
    unsubstantiated = "unsubstantiated"  # 不属实


class GridChangeKind(StrEnum):
    """A change of the grid division, filed with the city centre (Art. 7)."""

    created = "created"  # 新划分
    code = "code"  # 编码调整
    boundary = "boundary"  # 范围调整 (area, households)
    renamed = "renamed"  # 更名
