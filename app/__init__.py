"""Venue Supervisor (大型活动安保现场督导): the Qt-free core.

Everything here runs without a display: domain rules, storage, roster import, the
inspection workbench and the command line. The widgets live in ``ui/``.
"""

APP_NAME = "Venue Supervisor"
APP_NAME_ZH = "大型活动安保现场督导"
__version__ = "0.1.0"
