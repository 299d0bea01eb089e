"""Inspecting an event: the workbench (queries and changes, undo, lock rules), the roster, the
checklist, the domain vocabulary."""
