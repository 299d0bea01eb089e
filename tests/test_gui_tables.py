"""Tables fit their columns to the header and the contents (zh_CN): no certificate number
shown as "辽···", no header cut, and the spare width goes to the long text column only."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QHeaderView, QTableView

from app.demo import create_demo_event
from app.i18n import install_translators
from app.inspection.workbench import Workbench
from tests.conftest import release_widgets
from ui.application import make_application
from ui.pages.dashboard import DashboardPage
from ui.pages.roster import RosterPage
from ui.widgets.tables import FittedTableView, RowsModel

pytestmark = pytest.mark.gui
WIDTH, HEIGHT = 1400, 700


@pytest.fixture
def gui(qapp):
    app = make_application("zh_CN")
    yield app
    release_widgets()
    # The translator is process-wide: core tests that run later expect English messages.
    install_translators(app, "en")


@pytest.fixture
def demo_event(workbench: Workbench) -> str:
    return create_demo_event(workbench)


def needed(view: QTableView, column: int) -> int:
    """What the column needs so that neither its header nor a sampled cell is elided."""
    return max(view.horizontalHeader().sectionSizeHint(column), view.sizeHintForColumn(column))


def assert_nothing_elided(view: QTableView) -> None:
    header = view.horizontalHeader()
    for column in range(header.count()):
        title = view.model().headerData(column, header.orientation())
        assert header.sectionSize(column) >= needed(view, column), (column, title)
        assert header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive


def assert_spare_width_goes_to(view: QTableView, stretched: int) -> None:
    header = view.horizontalHeader()
    assert not header.stretchLastSection()
    for column in range(header.count()):
        if column != stretched:  # exactly what it needs, not the spare width
            assert header.sectionSize(column) == needed(view, column), column
    assert header.length() == view.viewport().width()


def test_roster_columns_fit_certificates_and_headers(gui, qtbot, workbench: Workbench,
                                                     demo_event: str) -> None:
    page = RosterPage(workbench)
    qtbot.addWidget(page)
    page.set_event(demo_event)
    page.resize(WIDTH, HEIGHT)
    page.show()
    qtbot.waitExposed(page)
    view = page.view
    assert page.model.rowCount() > 500
    cert = RosterPage.CERTIFICATE_COLUMN
    assert page.model.headerData(cert, view.horizontalHeader().orientation()) == "保安员证号"
    first = page.model.index(0, cert).data()
    assert first.startswith("辽") and len(first) > 8
    # the widest certificate number anywhere in the roster fits, not only in the sample
    widest = max(view.sizeHintForIndex(page.model.index(row, cert)).width()
                 for row in range(page.model.rowCount()))
    assert view.columnWidth(cert) >= widest
    assert_nothing_elided(view)
    assert_spare_width_goes_to(view, RosterPage.COMPANY_COLUMN)

    # filtering refits; a column the user dragged keeps its width
    view.horizontalHeader().resizeSection(1, 200)
    page.filter.setText(first)
    assert page.model.rowCount() == 1
    assert view.columnWidth(1) == 200
    assert view.columnWidth(cert) >= needed(view, cert)
    page.filter.clear()
    assert view.columnWidth(1) == 200
    assert view.columnWidth(cert) >= widest


def test_dashboard_names_fit_and_take_the_spare_width(gui, qtbot, workbench: Workbench,
                                                      demo_event: str) -> None:
    page = DashboardPage()
    qtbot.addWidget(page)
    page.resize(WIDTH, HEIGHT)
    page.show()
    qtbot.waitExposed(page)
    page.show_figures(workbench.dashboard(demo_event))
    for view in (page.category_view, page.company_view):
        assert view.model().rowCount() > 0
        assert view.model().headerData(1, view.horizontalHeader().orientation()) == "问题"
        assert_nothing_elided(view)
        assert_spare_width_goes_to(view, 0)


def test_default_stretch_is_the_widest_column(gui, qtbot) -> None:
    model = RowsModel([("Points", lambda r: r[0]), ("Reason", lambda r: r[1]),
                       ("Records", lambda r: r[2])])
    view = FittedTableView(model)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    model.set_rows([("-2", "保安员未按规定着装，未佩戴保安员证，且对检查人员的询问答非所问", "3")])
    assert view.stretch_column() == 1
    assert_nothing_elided(view)
    assert_spare_width_goes_to(view, 1)
