"""Dialogs: password, roster import, finding editor, sync, file choosers."""
