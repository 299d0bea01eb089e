"""Domain vocabulary: verdicts, risk levels, staffing modes, finding categories.

Codes are stable strings stored in the database; the words people read come from the
translations (``QCoreApplication.translate`` needs only QtCore, no widgets).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("Domain", text)


class Verdict(StrEnum):
    ASSIGNED_HERE = "assigned_here"
    ASSIGNED_ELSEWHERE = "assigned_elsewhere"
    NOT_ON_ROSTER = "not_on_roster"
    OTHER_COMPANY = "other_company"
    BACKGROUND_FAILED = "background_failed"
    NOT_TRAINED = "not_trained"
    UNREADABLE = "unreadable"


# The verdicts that are findings in themselves: the guard should not be working here at all.
STAFFING_FINDINGS = {
    Verdict.NOT_ON_ROSTER: "staffing.not_on_roster",
    Verdict.OTHER_COMPANY: "staffing.other_company",
    Verdict.BACKGROUND_FAILED: "staffing.background_failed",
    Verdict.NOT_TRAINED: "staffing.not_trained",
}
STAFFING_CATEGORY = "staffing"
RISK_LEVELS = ("low", "medium", "high")
EVENT_KINDS = ("commercial", "government")
BACKGROUND_STATES = ("passed", "failed", "pending")
CORRECTION_STATES = ("corrected", "not_corrected")
POST_STATES = ("absent", "understaffed")


def verdict_text(verdict: str) -> str:
    return {
        Verdict.ASSIGNED_HERE: _tr("Assigned to this post"),
        Verdict.ASSIGNED_ELSEWHERE: _tr("Assigned elsewhere"),
        Verdict.NOT_ON_ROSTER: _tr("Not on the roster"),
        Verdict.OTHER_COMPANY: _tr("Other company: subcontracted or borrowed guard"),
        Verdict.BACKGROUND_FAILED: _tr("Background check failed"),
        Verdict.NOT_TRAINED: _tr("Not trained before the job"),
        Verdict.UNREADABLE: _tr("Unreadable scan"),
    }[Verdict(verdict)]


def risk_text(risk: str) -> str:
    return {"low": _tr("Low"), "medium": _tr("Medium"), "high": _tr("High")}[risk]


def event_kind_text(kind: str) -> str:
    return {"commercial": _tr("Commercial event"), "government": _tr("Government event")}[kind]


def staffing_mode(risk: str, kind: str) -> str:
    """Seed 000 §4(1): who leads the security work, from the risk level and the event's nature."""
    if risk == "high" and kind == "government":
        return "police_lead"
    if risk == "high":
        return "guards_lead_police_assist"
    return "guards_lead_police_supervise"


def staffing_mode_text(mode: str) -> str:
    return {
        "police_lead": _tr("Police lead, security guards assist"),
        "guards_lead_police_assist": _tr("Security guards lead, police assist"),
        "guards_lead_police_supervise": _tr(
            "Security guards lead, staff and volunteers assist, police supervise"),
    }[mode]


def background_text(state: str) -> str:
    return {"passed": _tr("Passed"), "failed": _tr("Failed"), "pending": _tr("Pending")}[state]


def correction_text(state: str) -> str:
    return {"corrected": _tr("Corrected on the spot"),
            "not_corrected": _tr("Not corrected")}[state]


def post_state_text(state: str) -> str:
    return {"absent": _tr("Absent"), "understaffed": _tr("Understaffed")}[state]


def category_text(code: str) -> str:
    return {
        "uniform": _tr("Uniform"),
        "certificate": _tr("Certificate carried"),
        "grooming": _tr("Grooming and posture"),
        "duty": _tr("Duty performed"),
        STAFFING_CATEGORY: _tr("Staffing and certification"),
        "post": _tr("Post staffing"),
    }.get(code, code)


def staffing_item_text(code: str) -> str:
    return {
        "staffing.not_on_roster": _tr("Guard not on the roster"),
        "staffing.other_company": _tr("Guard of another company (subcontracting / borrowed)"),
        "staffing.background_failed": _tr("Guard failed the background check"),
        "staffing.not_trained": _tr("Guard without pre-job training"),
    }.get(code, code)


TASK_TYPE_EN = {"安检": "Screening", "验票": "Ticket check", "巡逻": "Patrol", "守卫": "Guarding",
                "秩序维护": "Order keeping"}


def task_type_text(task_type: str) -> str:
    return {
        "安检": _tr("Screening"),
        "验票": _tr("Ticket check"),
        "巡逻": _tr("Patrol"),
        "守卫": _tr("Guarding"),
        "秩序维护": _tr("Order keeping"),
    }.get(task_type, task_type)
