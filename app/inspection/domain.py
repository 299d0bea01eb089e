"""Domain vocabulary: verdicts, risk levels, staffing modes, finding categories.

Codes are stable strings stored in the database; the words people read come from the
translations (``QCoreApplication.translate`` needs only QtCore, no widgets).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from app.i18n import translate


class Verdict(StrEnum):
    ASSIGNED_HERE = "assigned_here"
    ASSIGNED_ELSEWHERE = "assigned_elsewhere"
    NOT_ON_ROSTER = "not_on_roster"
    OTHER_COMPANY = "other_company"
    BACKGROUND_FAILED = "background_failed"
    NOT_TRAINED = "not_trained"
    BADGE_INVALID = "badge_invalid"  # forged, expired, revoked, unknown issuer, garbled
    UNREADABLE = "unreadable"
    POST_SCANNED = "post_scanned"  # a post label: the supervisor is now at that post
    # Never a headline: a concern shown beside it. Still a finding of its own: a guard not
    # yet cleared is not cleared (seed 001 §(三): the check comes before the duty).
    BACKGROUND_PENDING = "background_pending"


# Most serious first: the card's headline is the first that applies, the others are listed
# beneath it so that no problem hides another (a not-trained guard at the wrong post).
VERDICT_SERIOUSNESS = (
    Verdict.BADGE_INVALID,
    Verdict.NOT_ON_ROSTER,
    Verdict.OTHER_COMPANY,
    Verdict.BACKGROUND_FAILED,
    Verdict.NOT_TRAINED,
    Verdict.ASSIGNED_ELSEWHERE,
    Verdict.BACKGROUND_PENDING,
)


# The verdicts that are findings in themselves: the guard should not be working here at all.
STAFFING_FINDINGS = {
    Verdict.NOT_ON_ROSTER: "staffing.not_on_roster",
    Verdict.OTHER_COMPANY: "staffing.other_company",
    Verdict.BACKGROUND_FAILED: "staffing.background_failed",
    Verdict.NOT_TRAINED: "staffing.not_trained",
    Verdict.BADGE_INVALID: "staffing.badge_invalid",
    Verdict.BACKGROUND_PENDING: "staffing.background_pending",
}
# The verdicts that are a checklist item found not met: a guard found at another post than
# the one fixed (定岗位) is off post (脱岗/串岗), the checklist's 在岗在位 item.
CHECKLIST_FINDINGS = {
    Verdict.ASSIGNED_ELSEWHERE: "duty.on_post",
}
STAFFING_CATEGORY = "staffing"
RISK_LEVELS = ("low", "medium", "high")
EVENT_KINDS = ("commercial", "government")
BACKGROUND_STATES = ("passed", "failed", "pending")
CORRECTION_STATES = ("corrected", "not_corrected")
POST_STATES = ("absent", "understaffed")
# A post counts once, at the worst state recorded during the event (absent over
# understaffed): the same rule for the post list, the dashboard and the score.
POST_STATE_RANK = {"understaffed": 1, "absent": 2}


def worst_post_state(states: Iterable[str]) -> str | None:
    return max(states, key=lambda state: POST_STATE_RANK.get(state, 0), default=None)


def verdict_text(verdict: str) -> str:
    return {
        Verdict.ASSIGNED_HERE: translate("Domain", "Assigned to this post"),
        Verdict.ASSIGNED_ELSEWHERE: translate("Domain", "Assigned elsewhere"),
        Verdict.NOT_ON_ROSTER: translate("Domain", "Not on the roster"),
        Verdict.OTHER_COMPANY: translate(
            "Domain", "Other company: subcontracted or borrowed guard"
        ),
        Verdict.BACKGROUND_FAILED: translate("Domain", "Background check failed"),
        Verdict.NOT_TRAINED: translate("Domain", "Not trained before the job"),
        Verdict.BADGE_INVALID: translate("Domain", "Badge not genuine or not valid"),
        Verdict.UNREADABLE: translate("Domain", "Unreadable scan"),
        Verdict.POST_SCANNED: translate("Domain", "Post label scanned"),
        Verdict.BACKGROUND_PENDING: translate("Domain", "Background check not finished"),
    }[Verdict(verdict)]


def badge_verdict_text(verdict: str) -> str:
    """What the badge itself proved, in words a supervisor reads at a glance."""
    return {
        "VALID": translate("Domain", "Electronic certificate verified"),
        "UNSIGNED_LEGACY": translate("Domain", "Unverified badge (plain certificate number)"),
        "MALFORMED": translate("Domain", "Damaged or unknown code: not a valid badge"),
        "UNKNOWN_ISSUER": translate("Domain", "Issuer not trusted: possible forgery"),
        "BAD_SIGNATURE": translate("Domain", "Signature does not match: forged or altered"),
        "NOT_YET_VALID": translate("Domain", "Certificate not yet valid"),
        "EXPIRED": translate("Domain", "Certificate expired"),
        "REVOKED": translate("Domain", "Certificate revoked"),
    }.get(verdict, verdict)


def risk_text(risk: str) -> str:
    return {
        "low": translate("Domain", "Low"),
        "medium": translate("Domain", "Medium"),
        "high": translate("Domain", "High"),
    }[risk]


def event_kind_text(kind: str) -> str:
    return {
        "commercial": translate("Domain", "Commercial event"),
        "government": translate("Domain", "Government event"),
    }[kind]


def staffing_mode(risk: str, kind: str) -> str:
    """Seed 000 §4(1): who leads the security work, from the risk level and the event's nature."""
    if risk == "high" and kind == "government":
        return "police_lead"
    if risk == "high":
        return "guards_lead_police_assist"
    return "guards_lead_police_supervise"


def staffing_mode_text(mode: str) -> str:
    return {
        "police_lead": translate("Domain", "Police lead, security guards assist"),
        "guards_lead_police_assist": translate("Domain", "Security guards lead, police assist"),
        "guards_lead_police_supervise": translate(
            "Domain", "Security guards lead, staff and volunteers assist, police supervise"
        ),
    }[mode]


def background_text(state: str) -> str:
    return {
        "passed": translate("Domain", "Passed"),
        "failed": translate("Domain", "Failed"),
        "pending": translate("Domain", "Pending"),
    }[state]


def correction_text(state: str) -> str:
    return {
        "corrected": translate("Domain", "Corrected on the spot"),
        "not_corrected": translate("Domain", "Not corrected"),
    }[state]


def post_state_text(state: str) -> str:
    return {
        "absent": translate("Domain", "Absent"),
        "understaffed": translate("Domain", "Understaffed"),
    }[state]


def category_text(code: str) -> str:
    return {
        "uniform": translate("Domain", "Uniform"),
        "certificate": translate("Domain", "Certificate carried"),
        "grooming": translate("Domain", "Grooming and posture"),
        "duty": translate("Domain", "Duty performed"),
        STAFFING_CATEGORY: translate("Domain", "Staffing and certification"),
        "post": translate("Domain", "Post staffing"),
    }.get(code, code)


def staffing_item_text(code: str) -> str:
    return {
        "staffing.not_on_roster": translate("Domain", "Guard not on the roster"),
        "staffing.other_company": translate(
            "Domain", "Guard of another company (subcontracting / borrowed)"
        ),
        "staffing.background_failed": translate("Domain", "Guard failed the background check"),
        "staffing.background_pending": translate(
            "Domain", "Guard whose background check is not finished"
        ),
        "staffing.not_trained": translate("Domain", "Guard without pre-job training"),
        "staffing.badge_invalid": translate(
            "Domain", "Badge forged, expired, revoked or not readable"
        ),
    }.get(code, code)


TASK_TYPE_EN = {
    "安检": "Screening",
    "验票": "Ticket check",
    "巡逻": "Patrol",
    "守卫": "Guarding",
    "秩序维护": "Order keeping",
}


def task_type_text(task_type: str) -> str:
    return {
        "安检": translate("Domain", "Screening"),
        "验票": translate("Domain", "Ticket check"),
        "巡逻": translate("Domain", "Patrol"),
        "守卫": translate("Domain", "Guarding"),
        "秩序维护": translate("Domain", "Order keeping"),
    }.get(task_type, task_type)
