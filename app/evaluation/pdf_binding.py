"""What a signed evaluation PDF says about itself, in its document information (/Keywords):
the figures headquarters files with the PDF must be the ones the supervisor signed, not
whatever the record that carries the PDF claims. The signature covers the whole file, so
these words cannot be changed without breaking it."""

from __future__ import annotations

from dataclasses import dataclass

NONE = "-"


@dataclass(frozen=True)
class EvaluationBinding:
    document_id: str
    event_id: str
    content_sha256: str
    score_total: str  # two decimals, or "-"
    grade: str
    # Since the official form (issue 13): the document number, and whether the grade is
    # final ("1") or provisional ("0"); "-" in the PDFs signed before it.
    number: str = NONE
    final: str = NONE

    @classmethod
    def of(cls, document_id: str, event_id: str, content_sha256: str | None,
           score_total: float | None, grade: str | None, number: str | None = None,
           final: bool | None = None) -> EvaluationBinding:
        return cls(document_id, event_id, content_sha256 or NONE,
                   NONE if score_total is None else f"{float(score_total):.2f}", grade or NONE,
                   number or NONE, NONE if final is None else str(int(final)))

    def keywords(self) -> str:
        text = (f"{self.document_id} sha256:{self.content_sha256} event:{self.event_id} "
                f"score:{self.score_total} grade:{self.grade}")
        if self.number != NONE or self.final != NONE:
            text += f" number:{self.number} final:{self.final}"
        return text

    @classmethod
    def parse(cls, keywords: str) -> EvaluationBinding | None:
        words = keywords.split()
        if not words:
            return None
        fields = dict(word.split(":", 1) for word in words[1:] if ":" in word)
        try:
            return cls(words[0], fields["event"], fields["sha256"], fields["score"],
                       fields["grade"], fields.get("number", NONE), fields.get("final", NONE))
        except KeyError:
            return None
