"""The one way a button, a menu action or a shortcut runs a command.

Qt's ``clicked`` and ``triggered`` pass a ``checked`` flag, and PySide hands it to the first
parameter a slot has, even an optional one meant for something else: ``print_signed(printer=
None)`` once received ``False`` as its printer. A command slot connected here is called with no
argument at all, whatever the signal carries. tests/test_gui_every_control.py checks that
ui/ connects no ``clicked``/``triggered`` any other way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import SignalInstance


def connect_command(signal: SignalInstance,
                    command: Callable[[], object] | SignalInstance) -> None:
    """Run ``command()`` (or emit ``command``, a signal of no arguments) each time ``signal``
    fires, dropping whatever the signal passes."""
    run_command = command.emit if isinstance(command, SignalInstance) else command

    def run(*_ignored: object) -> None:
        run_command()

    signal.connect(run)
