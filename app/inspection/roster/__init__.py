"""Reading and checking the roster a security company sends (.xlsx or .csv).

Companies send what their office software produces: a title row above the header, Chinese
headers, stray spaces, full-width digits, a lower-case x, numbers stored as numbers, blank and
duplicated lines. Everything that normalises cleanly is accepted silently; everything else is a
problem tied to the row number a spreadsheet program shows and to the column's header.

The package's face is what the rest of the program uses: ``check_roster`` and its report, the
error for a file that is no roster, the task types and a post's zone. The modules: ``report``
(the value types), ``limits`` (what a file may hold), ``xlsx`` and ``table`` (reading a file
into rows), ``columns`` (headers and their aliases), ``checks`` (the rows' problems).
"""

from app.inspection.roster.checks import check_roster
from app.inspection.roster.columns import TASK_TYPES, zone_of
from app.inspection.roster.report import Problem, RosterFileError, RosterReport, RosterRow

__all__ = [
    "TASK_TYPES",
    "Problem",
    "RosterFileError",
    "RosterReport",
    "RosterRow",
    "check_roster",
    "zone_of",
]
