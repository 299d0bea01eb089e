"""Guard against a Qt binding that corrupts the interpreter.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every Qt call that returns
nothing; after some thousands of label updates Python aborts (``none_dealloc``). pyproject.toml
keeps PySide6 below 6.12; this test fails if a version with the fault comes back.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

PROBE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for _ in range(20000):
    label.setText("x")
print(sys.getrefcount(None) - before)
"""


@pytest.mark.slow  # starts a process
def test_qt_calls_keep_the_interpreter_intact() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={"QT_QPA_PLATFORM": "offscreen",
                                                      "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-500:]
    assert abs(int(done.stdout.strip())) < 100
