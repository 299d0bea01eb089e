"""How the application looks on this laptop: large type and a high-contrast theme for daylight.

``apply_preferences(app, prefs)`` is called once at start (ui.application) and again whenever
the preferences change (ui.preferences_hub); it can be called any number of times, in any
order, and always leaves the look the preferences ask for:

* large type: the application font grows by ``LARGE_TYPE_FACTOR``. Widgets that chose their
  own size (the verdict card's headline, ui.fonts.emphasize) keep it: they are large already.
* high contrast: black on white, a dark selection, darker greys for disabled text and frames,
  on the Fusion style (the only one that follows the palette on every platform; the native
  Windows styles draw buttons their own way). Off, the platform's style and palette return.

Colours alone never carry a verdict (ui.widgets.result_card draws a shape and writes words),
so the theme can change them without hiding anything from a colour-blind supervisor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QScrollArea, QStyle

from app.preferences import Preferences

LARGE_TYPE_FACTOR = 1.25  # 11 pt becomes 14 pt: readable at arm's length, and still fits
HIGH_CONTRAST_STYLE = "Fusion"
# What the application had before the first call, kept on the application object itself:
# make_application may run more than once in a process (the tests do), the app only once.
_BASE_POINT_SIZE = "venueSupervisorBasePointSize"
_BASE_STYLE = "venueSupervisorBaseStyle"

_Role = QPalette.ColorRole
_HIGH_CONTRAST: dict[QPalette.ColorRole, str] = {
    _Role.Window: "#ffffff",
    _Role.WindowText: "#000000",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#e6e6e6",
    _Role.Text: "#000000",
    _Role.Button: "#e0e0e0",
    _Role.ButtonText: "#000000",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#002a80",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#0030c0",
    _Role.LinkVisited: "#5a00a0",
    _Role.ToolTipBase: "#ffffff",
    _Role.ToolTipText: "#000000",
    _Role.PlaceholderText: "#4a4a4a",
    _Role.Light: "#ffffff",
    _Role.Midlight: "#d0d0d0",
    _Role.Mid: "#707070",
    _Role.Dark: "#303030",
    _Role.Shadow: "#000000",
}
# Disabled controls stay readable in sunlight: dark grey, not the usual pale one.
_HIGH_CONTRAST_DISABLED: dict[QPalette.ColorRole, str] = {
    _Role.WindowText: "#505050",
    _Role.Text: "#505050",
    _Role.ButtonText: "#505050",
    _Role.Button: "#eeeeee",
}


def high_contrast_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _HIGH_CONTRAST.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _HIGH_CONTRAST_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


def base_point_size(app: QApplication) -> int:
    """The application font's size without large type (what make_application set)."""
    remembered = app.property(_BASE_POINT_SIZE)
    if isinstance(remembered, int) and remembered > 0:
        return remembered
    size = app.font().pointSize()
    app.setProperty(_BASE_POINT_SIZE, size)
    return size


def point_size_for(app: QApplication, large_type: bool) -> int:
    base = base_point_size(app)
    return round(base * LARGE_TYPE_FACTOR) if large_type else base


def is_high_contrast(app: QApplication) -> bool:
    return app.palette().color(_Role.Window) == QColor(_HIGH_CONTRAST[_Role.Window]) and (
        app.palette().color(_Role.Highlight) == QColor(_HIGH_CONTRAST[_Role.Highlight]))


def apply_preferences(app: QApplication, preferences: Preferences) -> None:
    """Give the application the type size and the colours ``preferences`` ask for."""
    _apply_type_size(app, preferences.large_type)
    _apply_contrast(app, preferences.high_contrast)


def _apply_type_size(app: QApplication, large_type: bool) -> None:
    size = point_size_for(app, large_type)
    font = app.font()
    if font.pointSize() != size:
        font.setPointSize(size)
        app.setFont(font)  # every widget that did not choose its own size follows
        # The widgets learn of the new font through posted events: measure after them.
        QTimer.singleShot(0, app, lambda: _refit_scroll_areas(app))


def _refit_scroll_areas(app: QApplication) -> None:
    """A column that scrolls only downwards (ui.layout.scrollable) takes its minimum width
    from its content once, when it is made; with type of another size the content needs
    another width, or the column would cut it off at the side until the next start."""
    for window in app.topLevelWidgets():
        for area in window.findChildren(QScrollArea):
            content = area.widget()
            if (content is None or area.minimumWidth() <= 0 or not area.widgetResizable()
                    or area.horizontalScrollBarPolicy()
                    != Qt.ScrollBarPolicy.ScrollBarAlwaysOff):
                continue
            scrollbar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            area.setMinimumWidth(content.minimumSizeHint().width() + scrollbar + 2)


def _apply_contrast(app: QApplication, high_contrast: bool) -> None:
    base_style = app.property(_BASE_STYLE)
    if not isinstance(base_style, str) or not base_style:
        base_style = app.style().name()
        app.setProperty(_BASE_STYLE, base_style)
    wanted_style = HIGH_CONTRAST_STYLE if high_contrast else base_style
    if app.style().name().lower() != wanted_style.lower():
        app.setStyle(wanted_style)
    if high_contrast:
        if not is_high_contrast(app):
            app.setPalette(high_contrast_palette())
    elif is_high_contrast(app):
        app.setPalette(QPalette())  # an empty palette gives the style's own back
