"""The scan's card on the laptop shows HQ's vetting and, beside it, what the company's
roster claimed when the two differ (issue 14, vetting owned by the police)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.demo import demo_badge
from app.hq.store import HqStore
from app.hq.vetting import set_vetting
from app.inspection.workbench import Workbench
from tests.test_document_numbers import hq, laptop  # noqa: F401 - the in-process HQ
from ui.widgets.result_card import ResultCard


def test_the_card_shows_hqs_result_and_the_companys_claim(
        hq: HqStore, tmp_path: Path, qtbot: QtBot) -> None:  # noqa: F811
    event_id = hq.add_demo_event()
    db, _service = laptop(hq, tmp_path / "unused", event_id)  # the guards' numbers
    workbench = Workbench(db)
    event = workbench.event(event_id)
    assert event.company is not None
    vetted, other = [g for g in workbench.guards(event_id)
                     if g.background_check == "passed" and g.trained and g.post_id
                     and g.company_name == event.company.name][:2]
    db.close()
    set_vetting(hq.db, "staff-wang", vetted.cert_no, "failed", False, "亲属涉案")
    db, _service = laptop(hq, tmp_path / "laptop", event_id)
    workbench = Workbench(db)
    card = ResultCard(db.files)
    qtbot.addWidget(card)

    def shown(guard_id: str) -> str:
        guard = next(g for g in workbench.guards(event_id) if g.id == guard_id)
        card.show_result(workbench.lookup(event_id, demo_badge(guard, event.company.licence_no
                                                               if event.company else ""),
                                          guard.post_id))
        return card.facts.text()

    facts = shown(vetted.id)
    assert "Background check: Failed   Pre-job training: no" in facts
    assert "Company claims: background check Passed, pre-job training yes" in facts
    assert "Company claims" not in shown(other.id)  # HQ's demo vetting agrees: nothing beside
    db.close()
