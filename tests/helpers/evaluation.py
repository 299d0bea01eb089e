"""A small hand-built event whose scores the tests (and docs/scoring.md) compute by hand.

Two posts, five guards (one of another company, one never checked), four inspections:

    guard  post           scan verdict     finding                        correction
    G1     A区1号安检口    assigned here    uniform.standard (weight 2)     not corrected
    G2     A区1号安检口    assigned here    grooming.posture (weight 1)     corrected
    G3     A区2号检票口    assigned here    duty.ticket.every_ticket (2)    corrected
                                            certificate.carried (3)        not corrected
    G4     A区2号检票口    other company    staffing.other_company          not corrected
    G5     A区2号检票口    (never checked)
    A区2号检票口 found understaffed (1 of 3 present).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.inspection.checklist import load_template
from app.inspection.domain import Verdict
from app.inspection.identity import id_check_char
from app.inspection.roster import RosterReport, RosterRow
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench

COMPANY = "盘锦市安盾保安服务有限公司"
OTHER_COMPANY = "锦州恒安保安服务有限公司"
EVENT_NAME = "评分示例：市体育馆篮球联赛"
POST_1, POST_2 = "A区1号安检口", "A区2号检票口"
GUARDS = (
    # name, cert, company, post, task
    ("王一", "辽200000000001", COMPANY, POST_1, "安检"),
    ("李二", "辽200000000002", COMPANY, POST_1, "安检"),
    ("张三", "辽200000000003", COMPANY, POST_2, "验票"),
    ("赵四", "辽200000000004", OTHER_COMPANY, POST_2, "验票"),
    ("钱五", "辽200000000005", COMPANY, POST_2, "验票"),
)


@dataclass(frozen=True)
class HandCase:
    event_id: str
    inspection_ids: tuple[str, ...]
    finding_ids: dict[str, str]  # item code -> finding id
    post_ids: dict[str, str]
    guard_ids: dict[str, str]


def _id_number(index: int) -> str:
    first17 = f"21110219900101{index:03d}"
    return first17 + id_check_char(first17)


def import_hand_roster(workbench: Workbench, event_id: str) -> None:
    """The five guards of GUARDS on the event's roster."""
    report = RosterReport(source="test", main_company=COMPANY)
    for index, (name, cert, company, post, task) in enumerate(GUARDS, start=1):
        report.rows.append(RosterRow(
            row=index + 2, name=name, gender="男", id_number=_id_number(index), cert_no=cert,
            company=company, post=post, task_type=task, phone="13800000000",
            background_check="passed", trained=True))
    workbench.import_roster(event_id, report)


def build_hand_case(workbench: Workbench) -> HandCase:
    event_id = workbench.save_event(EventInput(
        name=EVENT_NAME, venue="市体育馆", organizer="市篮球协会", company_name=COMPANY,
        company_licence_no="辽公保服20180007", company_credit_grade="A"))
    import_hand_roster(workbench, event_id)
    posts = {p.name: p for p in workbench.posts(event_id)}
    guards = {g.name: g for g in workbench.guards(event_id)}
    template = load_template()
    items = {item.code: item for task in ("安检", "验票") for item in template.items_for(task)}
    inspection_ids: list[str] = []
    finding_ids: dict[str, str] = {}

    def scan(name: str, post: str, expected: Verdict) -> str:
        result = workbench.lookup(event_id, guards[name].cert_no, posts[post].id)
        assert result.verdict == expected, result.verdict
        inspection = workbench.record_scan(event_id, result)
        inspection_ids.append(inspection.id)
        if inspection.staffing_finding_id:
            finding_ids["staffing.other_company"] = inspection.staffing_finding_id
        return inspection.id

    def fail(inspection_id: str, code: str, correction: str) -> None:
        state = workbench.set_item(inspection_id, items[code], False)
        assert state.finding_id
        workbench.update_finding(state.finding_id, note=f"测试：{code}", correction=correction)
        finding_ids[code] = state.finding_id

    first = scan("王一", POST_1, Verdict.ASSIGNED_HERE)
    fail(first, "uniform.standard", "not_corrected")
    second = scan("李二", POST_1, Verdict.ASSIGNED_HERE)
    fail(second, "grooming.posture", "corrected")
    third = scan("张三", POST_2, Verdict.ASSIGNED_HERE)
    fail(third, "duty.ticket.every_ticket", "corrected")
    fail(third, "certificate.carried", "not_corrected")
    for inspection_id, task in ((first, "安检"), (second, "安检"), (third, "验票")):
        workbench.mark_all_compliant(inspection_id, template.items_for(task))
    scan("赵四", POST_2, Verdict.OTHER_COMPANY)
    workbench.set_post_status(event_id, posts[POST_2].id, "understaffed", 1, "只到岗一人")
    return HandCase(event_id=event_id, inspection_ids=tuple(inspection_ids),
                    finding_ids=finding_ids,
                    post_ids={name: post.id for name, post in posts.items()},
                    guard_ids={name: guard.id for name, guard in guards.items()})
