"""The one base class of the errors a person can act on.

A ``UserError`` is raised when the request cannot be honoured for a reason the person at the
keyboard can see and deal with: a file that is not what it should be, a wrong passphrase,
headquarters out of reach, a signed evaluation that can no longer change. Its message is
already translated into the interface language (``app.i18n.translate`` at the raise, with the
values filled in by ``.format`` after it), so the screens and the command lines show
``str(exc)`` as it is.

Anything that is not a UserError is a fault of the program: it is logged with its traceback
and shown as such ("a fault in the program, the details are in the log"), never as its raw
message. tests/test_core_messages.py checks that no UserError is raised with an untranslated
English text.
"""

from __future__ import annotations


class UserError(Exception):
    """An error whose message is translated text for people, to be shown as it is."""
