"""Inspecting an event, without Qt.

``workbench.Workbench`` is the entry point of the screens, the command lines and the demo.
Behind it: ``queries`` (read-only values for the screens), ``scan`` (a badge checked against
the event), ``event_changes`` and ``inspection_changes`` (each change one unit of work,
returning what it changed: ``changeset``), ``undo``, ``lock_rules`` (a signed evaluation
freezes the event's records), ``unit_of_work``, ``values`` (the frozen values),
``natural_order``, ``errors``. Beside it: the roster (``roster``), the checklist, the domain
vocabulary, identity numbers and the scanner's timing rule.
"""
