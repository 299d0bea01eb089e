"""What checking a roster yields: its rows, the problems found in them, and the error raised
when a file cannot be read as a roster at all."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import UserError


class RosterFileError(UserError):
    """The file cannot be read as a roster at all (wrong format, no header row...)."""


@dataclass(frozen=True, slots=True)  # a broken 20,000-row roster has 200,000 of them
class Problem:
    row: int
    column: str
    severity: str  # "error" or "warning"
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass
class RosterRow:
    row: int
    name: str
    gender: str
    id_number: str
    cert_no: str
    company: str
    post: str
    task_type: str
    phone: str
    background_check: str
    trained: bool
    has_error: bool = False


@dataclass
class RosterReport:
    source: str
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    main_company: str = ""

    @property
    def valid_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.has_error]

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def summary(self) -> dict[str, object]:
        return {
            "rows": len(self.rows),
            "valid": len(self.valid_rows),
            "problems": [p.as_dict() for p in self.problems],
        }
