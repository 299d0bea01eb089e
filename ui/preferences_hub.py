"""Where the window learns that the laptop's preferences changed.

``app.preferences`` reads and writes the preferences file; this hub holds the preferences in
force for the running application and says when they change, so that what can follow a change
at once does (the theme, the sound cues, the idle lock, the camera) without a restart::

    hub = preferences_hub()
    hub.preferences.idle_lock_minutes           # what is in force now
    hub.changed.connect(lambda prefs: ...)      # a Preferences, after every change

There is one hub per application, made on first use from the preferences file. The Settings
dialog saves the file and then ``publish``es the new preferences here.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QApplication

from app.preferences import Preferences, load_preferences
from ui.theme import apply_preferences

_HUB_NAME = "preferencesHub"


class PreferencesHub(QObject):
    changed = Signal(object)  # the Preferences now in force

    def __init__(self, preferences: Preferences, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._preferences = preferences.checked()

    @property
    def preferences(self) -> Preferences:
        return self._preferences

    def publish(self, preferences: Preferences) -> None:
        """Put ``preferences`` in force; ``changed`` is emitted when they differ."""
        checked = preferences.checked()
        if checked == self._preferences:
            return
        self._preferences = checked
        self.changed.emit(checked)

    def reload(self) -> None:
        """Read the preferences file again (another process, or a test, changed it)."""
        self.publish(load_preferences())


def preferences_hub() -> PreferencesHub:
    """The application's hub; made, from the preferences file, the first time it is asked."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("the preferences hub needs a running QApplication")
    hub = app.findChild(PreferencesHub, _HUB_NAME)
    if hub is None:
        hub = PreferencesHub(load_preferences(), app)
        hub.setObjectName(_HUB_NAME)
        if isinstance(app, QApplication):  # the look follows every change, whoever makes it
            hub.changed.connect(lambda preferences: apply_preferences(app, preferences))
    return hub
