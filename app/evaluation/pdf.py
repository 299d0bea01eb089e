"""The evaluation as a PDF a police office files: 大型活动安保服务综合考评表.

A4, reportlab's platypus. The bundled CJK font is embedded as a subset with its ToUnicode map
(app.pdf_fonts), so copying or extracting the text gives the Chinese back. Page 1 is the
complete form (app.evaluation.pdf_form: the issuing unit, the document number, the basis,
the result with the sample, the opinion, the attachments' list and the signatures); the
four attachments follow, each from a new page: 附件1 岗位检查明细 (the categories, the posts,
absent and understaffed posts; app.evaluation.pdf_results), 附件2 人员检查明细, 附件3 问题及
整改情况（含照片） and 附件4 未检查人员名单 (app.evaluation.pdf_records). Every page carries
"第 x 页 共 y 页" (a canvas that holds the pages until the count is known), the document
number and the version; a draft carries a "草稿 DRAFT" watermark. The building blocks are in
app.evaluation.pdf_kit.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from app.evaluation.pdf_binding import EvaluationBinding
from app.evaluation.pdf_form import ATTACHMENTS, form_page
from app.evaluation.pdf_kit import (
    CONTENT_W,
    GREY_TEXT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    TITLE,
    AttachmentTitle,
    Styles,
    local_time,
)
from app.evaluation.pdf_records import (
    findings_section,
    not_checked_section,
    post_issues_section,
)
from app.evaluation.pdf_results import category_section, guards_section, posts_section
from app.evaluation.values import EvaluationReport
from app.pdf_fonts import register_cjk_font


# ------------------------------------------------------------------------------ pages
def _canvas_maker(report: EvaluationReport, font: str, created: str) -> type[Canvas]:
    """A canvas that keeps the pages until the end, so each can say 第 x 页 共 y 页."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, object]] = []
            self.setDateFormatter(lambda *_date: created)

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _decorate(self, report, font, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def _decorate(canvas: Canvas, report: EvaluationReport, font: str, number: int,
              total: int) -> None:
    canvas.saveState()
    canvas.setFont(font, 7.5)
    canvas.setFillColor(GREY_TEXT)
    canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    canvas.setLineWidth(0.4)
    footer_y = MARGIN_BOTTOM - 8 * mm
    canvas.line(MARGIN_X, footer_y + 3.6 * mm, PAGE_W - MARGIN_X, footer_y + 3.6 * mm)
    canvas.drawString(MARGIN_X, footer_y, f"{report.document_number or '草稿'}"
                      f"　第 {report.version} 版")
    canvas.setFont(font, 9)
    canvas.setFillColor(colors.black)
    canvas.drawCentredString(PAGE_W / 2, footer_y, f"第 {number} 页 共 {total} 页")
    canvas.setFont(font, 7.5)
    canvas.setFillColor(GREY_TEXT)
    canvas.drawRightString(PAGE_W - MARGIN_X, footer_y, f"计分规则第 {report.rules_version} 版")
    if number > 1:
        header_y = PAGE_H - MARGIN_TOP + 8 * mm
        canvas.drawString(MARGIN_X, header_y, f"{TITLE} · {report.event.name}")
        canvas.drawRightString(PAGE_W - MARGIN_X, header_y, report.company_name)
        canvas.line(MARGIN_X, header_y - 2 * mm, PAGE_W - MARGIN_X, header_y - 2 * mm)
    canvas.restoreState()


def _watermark(canvas: Canvas, font: str) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.10))
    canvas.translate(PAGE_W / 2, PAGE_H / 2)
    canvas.rotate(40)
    canvas.setFont(font, 88)
    canvas.drawCentredString(0, 10 * mm, "草稿")
    canvas.setFont(font, 44)
    canvas.drawCentredString(0, -22 * mm, "DRAFT")
    canvas.restoreState()


def _pdf_date(moment: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm') of the moment in the laptop's zone."""
    local = local_time(moment) or moment
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"D:{local:%Y%m%d%H%M%S}{sign}{hours:02d}'{rest:02d}'"


def render_evaluation_pdf(report: EvaluationReport, signature_png: bytes | None,
                          draft: bool, head_signature_png: bytes | None = None) -> bytes:
    """The evaluation form as PDF bytes (unsigned: app.evaluation.signing signs them):
    page 1 the form, then the four attachments, each from a new page."""
    font = register_cjk_font()
    st = Styles(font)
    buffer = io.BytesIO()
    number = report.document_number or report.document_id
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{TITLE}（{number}）",
        author=report.issuing_unit or report.supervisor_name,
        subject=f"{report.event.name} · {report.company_name}",
        creator="大型活动安保现场督导 Venue Supervisor",
        keywords=EvaluationBinding.of(
            report.document_id, report.event.id, report.content_sha256, report.score.total,
            report.score.grade, report.document_number,
            report.sample.final if report.sample else None).keywords(),
        pageCompression=1, invariant=1,
        initialFontName=font)  # else every page names Helvetica, a font the PDF does not embed
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        if draft:
            _watermark(canvas, font)

    doc.addPageTemplates([PageTemplate("page", [frame], onPage=on_page)])
    story: list[Flowable] = form_page(report, st, draft, signature_png, head_signature_png)
    attachments = (
        [*category_section(report, st), *posts_section(report, st),
         *post_issues_section(report, st)],
        guards_section(report, st),
        findings_section(report, st),
        not_checked_section(report, st),
    )
    for number_of, (title, flowables) in enumerate(zip(ATTACHMENTS, attachments,
                                                       strict=True), start=1):
        story += [PageBreak(), AttachmentTitle(number_of, title, font), *flowables]
    # The creation date is the signing time (a draft's: when it was drawn); invariant mode
    # keeps the file's id a function of its content.
    created = _pdf_date(report.signed_at or report.generated_at)
    doc.build(story, canvasmaker=_canvas_maker(report, font, created))
    return buffer.getvalue()
