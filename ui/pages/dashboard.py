"""The dashboard (概览): the event's progress at a glance."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.inspection.domain import category_text
from app.inspection.values import Dashboard
from ui.fonts import emphasize
from ui.widgets.tables import RowsModel, table_view


class DashboardPage(QWidget):
    """The event's progress at a glance, refreshed after every saved change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = [
            ("posts", self.tr("Posts visited")),
            ("guards", self.tr("Guards checked / rostered")),
            ("absent", self.tr("Posts absent / understaffed")),
            ("unstaffed", self.tr("Posts without a guard")),
            ("findings", self.tr("Findings (not corrected)")),
            ("inspections", self.tr("Scans recorded")),
        ]
        for index, (key, title) in enumerate(names):
            box = QGroupBox(title)
            value = emphasize(QLabel("–"), 26, bold=True)
            QVBoxLayout(box).addWidget(value)
            grid.addWidget(box, index // 3, index % 3)
            self.tiles[key] = value
        self.by_category = RowsModel([(self.tr("Category"), lambda r: r[0]),
                                      (self.tr("Findings"), lambda r: r[1])])
        self.by_company = RowsModel([(self.tr("Company"), lambda r: r[0]),
                                     (self.tr("Findings"), lambda r: r[1])])
        # the names take the spare width, the counts only what they need
        self.category_view = table_view(self.by_category, stretch=0)
        self.company_view = table_view(self.by_company, stretch=0)
        tables = QHBoxLayout()
        for title, view in ((self.tr("Findings per category"), self.category_view),
                            (self.tr("Findings per company"), self.company_view)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(view)
            tables.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(tables, 1)

    def show_figures(self, figures: Dashboard | None) -> None:
        if figures is None:
            for tile in self.tiles.values():
                tile.setText("–")
            self.by_category.set_rows([])
            self.by_company.set_rows([])
            return
        self.tiles["posts"].setText(f"{figures.posts_visited} / {figures.posts_total}")
        self.tiles["guards"].setText(f"{figures.guards_checked} / {figures.guards_rostered}")
        self.tiles["absent"].setText(f"{figures.posts_absent} / {figures.posts_understaffed}")
        self.tiles["unstaffed"].setText(str(figures.posts_unstaffed))
        self.tiles["findings"].setText(f"{figures.findings} ({figures.findings_not_corrected})")
        self.tiles["inspections"].setText(str(figures.inspections))
        self.by_category.set_rows(sorted(((category_text(k), v) for k, v in
                                          figures.findings_by_category.items()),
                                         key=lambda r: -r[1]))
        self.by_company.set_rows(sorted(figures.findings_by_company.items(),
                                        key=lambda r: -r[1]))
