"""Changes made on site: the inspection a scan opens, its checklist ticks, a finding's note,
correction and evidence, a post found absent or understaffed.

Each change runs in one transaction, committed before it returns (what the screen then shows
as saved is on disk), pushes the step that reverts it onto the undo stack, and returns its
value with the description of what it changed (app.inspection.changeset). Every change is
refused while the event's evaluation is signed (app.inspection.lock_rules).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.i18n import translate
from app.inspection.changeset import Applied, Changes, ids
from app.inspection.checklist import ChecklistItem
from app.inspection.domain import (
    CHECKLIST_FINDINGS,
    STAFFING_CATEGORY,
    STAFFING_FINDINGS,
    Verdict,
)
from app.inspection.errors import WorkbenchError
from app.inspection.lock_rules import (
    refuse_if_finding_frozen,
    refuse_if_frozen,
    refuse_if_locked,
)
from app.inspection.queries import item_states, template_in
from app.inspection.undo import UndoStep
from app.inspection.unit_of_work import UnitOfWork
from app.inspection.values import InspectionInfo, ItemState, ScanResult, item_state
from app.orm import live
from app.profile.models import (
    CheckResult,
    Finding,
    Guard,
    Inspection,
    PostStatus,
    new_id,
    utc_now,
)


def record_scan(work: UnitOfWork, event_id: str, scan: ScanResult) -> Applied[InspectionInfo]:
    """Store the inspection the scan opens, with the findings its verdicts are: a staffing
    finding for each staffing problem, the checklist's 在岗在位 item not met for a guard
    found off their fixed post. The card's finding is the headline's staffing finding."""
    if scan.verdict in (Verdict.UNREADABLE, Verdict.POST_SCANNED):
        raise WorkbenchError(translate(
            "Workbench", "only a scanned badge opens an inspection"))
    finding_ids: list[str] = []
    headline_finding: str | None = None
    company = scan.guard.company_name if scan.guard else ""
    # One transaction; the ids are made here, so the findings need no flush each (the one
    # flush puts the inspection before the findings that point to it: the models declare no
    # relationship for the unit of work to order them by).
    with work.db.begin() as s:
        refuse_if_locked(s, event_id)
        checklist = template_in(s, event_id)
        inspection = Inspection(
            id=new_id(), event_id=event_id, post_id=scan.post.id if scan.post else None,
            guard_id=scan.guard.id if scan.guard else None,
            scanned_text=scan.scanned_text[:400], verdict=str(scan.verdict),
            badge_verdict=str(scan.badge.verdict) if scan.badge else None,
            template_id=checklist.template_id, template_version=checklist.version,
            device_id=work.device_id)
        s.add(inspection)
        s.flush()
        # Each staffing problem is a finding of its own: a borrowed guard who was never
        # trained is two breaches, not one. The headline's comes first.
        task_type = scan.post.task_type if scan.post else ""
        items = {item.code: item for item in checklist.items_for(task_type)}
        failed: dict[str, str] = {}  # checklist item -> its finding
        for verdict in scan.verdicts or (scan.verdict,):
            item = items.get(CHECKLIST_FINDINGS.get(verdict, ""))
            if item is not None and scan.guard is not None and scan.guard.post_id:
                # Found off the post fixed to the guard: the checklist's 在岗在位 item is
                # recorded as not met, as if ticked (a tick can still clear it).
                s.add(CheckResult(inspection_id=inspection.id, item_code=item.code,
                                  category=item.category, compliant=False,
                                  device_id=work.device_id))
                category, item_code = item.category, item.code
            elif verdict in STAFFING_FINDINGS:
                category, item_code = STAFFING_CATEGORY, STAFFING_FINDINGS[verdict]
            else:
                continue
            finding = Finding(
                id=new_id(), event_id=event_id, inspection_id=inspection.id,
                post_id=inspection.post_id, guard_id=inspection.guard_id, category=category,
                item_code=item_code, company_name=company, note="",
                correction="not_corrected", device_id=work.device_id)
            s.add(finding)
            finding_ids.append(finding.id)
            if category != STAFFING_CATEGORY:
                failed[item_code] = finding.id
            elif verdict == scan.verdict:
                headline_finding = finding.id  # the card's finding editor shows this one
    inspection_id = inspection.id

    def revert(s: Session) -> None:
        now = utc_now()
        s.execute(update(Inspection).where(Inspection.id == inspection_id, live(Inspection))
                  .values(deleted_at=now, updated_at=now))
        s.execute(update(Finding).where(Finding.inspection_id == inspection_id, live(Finding))
                  .values(deleted_at=now, updated_at=now))
        s.execute(update(CheckResult).where(CheckResult.inspection_id == inspection_id,
                                            live(CheckResult))
                  .values(deleted_at=now, updated_at=now))

    changes = Changes(event_ids=ids(event_id), post_ids=ids(scan.post.id if scan.post else None),
                      inspection_ids=ids(inspection_id), finding_ids=frozenset(finding_ids),
                      counts=True)
    work.undo.push(UndoStep("scan", revert, event_id, changes))
    states = tuple(ItemState(item, False, failed[item.code]) if item.code in failed
                   else ItemState(item, None) for item in items.values())
    return Applied(InspectionInfo(inspection_id, scan, states, headline_finding), changes)


def set_item(work: UnitOfWork, inspection_id: str, item: ChecklistItem,
             compliant: bool) -> Applied[ItemState]:
    """Record one checklist item; a non-compliant one opens (or reopens) its finding."""
    with work.db.begin() as s:
        inspection = s.get(Inspection, inspection_id)
        if inspection is None or inspection.deleted_at is not None:
            raise WorkbenchError(translate("Workbench", "the inspection was undone"))
        refuse_if_frozen(s, inspection)
        event_id = inspection.event_id
        result = s.scalar(select(CheckResult).where(
            CheckResult.inspection_id == inspection_id, CheckResult.item_code == item.code))
        previous = (None if result is None or result.deleted_at is not None
                    else result.compliant)
        if result is None:
            result = CheckResult(inspection_id=inspection_id, item_code=item.code,
                                 category=item.category, compliant=compliant,
                                 device_id=work.device_id)
            s.add(result)
        result.compliant = compliant
        result.deleted_at = None
        finding = s.scalar(select(Finding).where(Finding.inspection_id == inspection_id,
                                                 Finding.item_code == item.code))
        if not compliant:
            if finding is None:
                company = s.scalar(select(Guard.company_name).where(
                    Guard.id == inspection.guard_id)) if inspection.guard_id else ""
                finding = Finding(event_id=inspection.event_id, inspection_id=inspection_id,
                                  post_id=inspection.post_id, guard_id=inspection.guard_id,
                                  category=item.category, item_code=item.code,
                                  company_name=company or "", device_id=work.device_id)
                s.add(finding)
            finding.deleted_at = None
        elif finding is not None and finding.deleted_at is None:
            finding.deleted_at = utc_now()
        s.flush()
        state = item_state(item, result, finding)
        result_id = result.id
        finding_id = finding.id if finding is not None else None

    def revert(s: Session) -> None:
        result = s.get(CheckResult, result_id)
        finding = s.scalar(select(Finding).where(Finding.inspection_id == inspection_id,
                                                 Finding.item_code == item.code))
        if result is not None:
            if previous is None:
                result.deleted_at = utc_now()
            else:
                result.compliant = previous
        if finding is not None:
            finding.deleted_at = None if previous is False else utc_now()

    # A finding opened or closed changes the event's counts; the post's line does not.
    changes = Changes(event_ids=ids(event_id), inspection_ids=ids(inspection_id),
                      finding_ids=ids(finding_id), counts=True)
    work.undo.push(UndoStep("item", revert, event_id, changes))
    return Applied(state, changes)


def mark_all_compliant(work: UnitOfWork, inspection_id: str,
                       items: tuple[ChecklistItem, ...]) -> Applied[list[ItemState]]:
    """Every item not yet recorded becomes compliant; recorded findings stay."""
    with work.db.begin() as s:
        inspection = s.get(Inspection, inspection_id)
        if inspection is None:
            raise WorkbenchError(translate(
                "Workbench", "no inspection {id}").format(id=inspection_id))
        refuse_if_frozen(s, inspection)
        event_id = inspection.event_id
        existing = {r.item_code: r for r in s.scalars(select(CheckResult).where(
            CheckResult.inspection_id == inspection_id))}
        created: list[str] = []
        for item in items:
            result = existing.get(item.code)
            if result is not None and result.deleted_at is None:
                continue
            if result is None:
                result = CheckResult(inspection_id=inspection_id, item_code=item.code,
                                     category=item.category, device_id=work.device_id)
                s.add(result)
            result.compliant = True
            result.deleted_at = None
            created.append(item.code)
        s.flush()

    def revert(s: Session) -> None:
        now = utc_now()
        s.execute(update(CheckResult).where(CheckResult.inspection_id == inspection_id,
                                            CheckResult.item_code.in_(created))
                  .values(deleted_at=now, updated_at=now))

    # Compliant items open no finding: no figure counts them.
    changes = Changes(event_ids=ids(event_id), inspection_ids=ids(inspection_id))
    work.undo.push(UndoStep("all", revert, event_id, changes))
    return Applied(list(item_states(work.db, inspection_id, items)), changes)


def update_finding(work: UnitOfWork, finding_id: str, *, note: str | None = None,
                   correction: str | None = None,
                   evidence_file: str | Path | None = None) -> Applied[None]:
    """Note, correction state or evidence photo of a finding (a copy kept in the profile)."""
    source = Path(evidence_file) if evidence_file is not None else None
    if source is not None and not source.is_file():
        raise WorkbenchError(translate(
            "Workbench", "evidence file not found: {file}").format(file=source))
    with work.db.begin() as s:
        finding = s.get(Finding, finding_id)
        if finding is None:
            raise WorkbenchError(
                translate("Workbench", "no finding {id}").format(id=finding_id))
        refuse_if_finding_frozen(s, finding)
        event_id = finding.event_id
        inspection_id = finding.inspection_id
        stored_evidence = None
        if source is not None:  # copied only once the change is allowed
            stored_evidence = work.db.files.copy_in(
                source, f"evidence/{new_id()}{source.suffix.lower()}")
        before = (finding.note, finding.correction, finding.evidence_path)
        if note is not None:
            finding.note = note
        if correction is not None:
            finding.correction = correction
        if stored_evidence is not None:
            finding.evidence_path = stored_evidence

    def revert(s: Session) -> None:
        finding = s.get(Finding, finding_id)
        if finding is not None:
            finding.note, finding.correction, finding.evidence_path = before

    # The correction state is counted (findings not corrected); a note or a photo is not.
    changes = Changes(event_ids=ids(event_id), inspection_ids=ids(inspection_id),
                      finding_ids=ids(finding_id), counts=correction is not None)
    work.undo.push(UndoStep("finding", revert, event_id, changes))
    return Applied(None, changes)


def set_post_status(work: UnitOfWork, event_id: str, post_id: str, status: str,
                    present_count: int = 0, note: str = "") -> Applied[str]:
    """Record a post found absent or understaffed; the record's id."""
    with work.db.begin() as s:
        refuse_if_locked(s, event_id)
        record = PostStatus(event_id=event_id, post_id=post_id, status=status,
                            present_count=present_count, note=note, device_id=work.device_id)
        s.add(record)
    record_id = record.id

    def revert(s: Session) -> None:
        reverted = s.get(PostStatus, record_id)
        if reverted is not None:
            reverted.deleted_at = utc_now()

    changes = Changes(event_ids=ids(event_id), post_ids=ids(post_id), counts=True)
    work.undo.push(UndoStep("post", revert, event_id, changes))
    return Applied(record_id, changes)
