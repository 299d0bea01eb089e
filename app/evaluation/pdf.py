"""The evaluation as a PDF a police office files: 大型活动安保服务综合考评表.

A4, reportlab's platypus. The bundled CJK font is embedded as a subset with its ToUnicode map
(app.pdf_fonts), so copying or extracting the text gives the Chinese back. Every page carries
"第 x 页 共 y 页" (a canvas that holds the pages until the count is known), the document id and
the version; a draft carries a "草稿 DRAFT" watermark. The last block holds the drawn signature
and a QR code with the document id and the SHA-256 of the report data (app.evaluation.report
.report_digest, see docs/scoring.md).

Long lists stay readable at 3,000 guards: only guards with findings get a row of their own
(the others are counted), the guards never checked are listed by post, and table cells are
plain strings unless they need to wrap (a Paragraph costs ten times more to lay out).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.badge.issue import _draw_qr
from app.badge.qr import make_qr, qr_matrix

# _draw_qr writes the modules as integer-coordinate rectangles (sharp at any printer
# resolution); shared with the badge cards rather than written twice.
from app.evaluation.pdf_binding import EvaluationBinding
from app.evaluation.report import RECOMMENDATIONS, EvaluationReport, ReportFinding
from app.evaluation.scoring import POST_CATEGORY, ScoringRules, format_score, load_rules
from app.pdf_fonts import register_cjk_font

TITLE = "大型活动安保服务综合考评表"
PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
RED = colors.Color(0.72, 0.07, 0.07)
NAVY = colors.Color(0.12, 0.23, 0.41)
GRID = colors.Color(0.25, 0.25, 0.25)
HEAD_FILL = colors.Color(0.90, 0.91, 0.93)
LABEL_FILL = colors.Color(0.95, 0.95, 0.96)
GREY_TEXT = colors.Color(0.35, 0.35, 0.38)
THUMB_W, THUMB_H = 20 * mm, 15 * mm
THUMB_PIXELS = 240
SIGNATURE_W, SIGNATURE_H = 48 * mm, 18 * mm
QR_SIZE = 27 * mm
ALL_GUARDS_LIMIT = 40  # up to this many checked guards the table lists every one
PROBLEM_LABELLED = ("staffing", "other")  # their labels already name the problem
NOT_CHECKED_COLUMNS = 3




def format_percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _local(moment: datetime | None) -> datetime | None:
    """The laptop's local time: what the supervisor's watch said."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def _date_text(moment: datetime | None) -> str:
    local = _local(moment)
    return f"{local.year}年{local.month}月{local.day}日" if local else ""


def _time_text(moment: datetime | None) -> str:
    local = _local(moment)
    return local.strftime("%m-%d %H:%M") if local else ""


def _event_period(report: EvaluationReport) -> str:
    start, end = _local(report.event.starts_at), _local(report.event.ends_at)
    if start is None:
        return ""
    text = f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}"
    if end is not None:
        same_day = end.date() == start.date()
        text += (f"—{end:%H:%M}" if same_day
                 else f" 至 {end.year}年{end.month}月{end.day}日 {end:%H:%M}")
    return text


# ------------------------------------------------------------------------------ styles
class _Styles:
    def __init__(self, font: str) -> None:
        def style(name: str, size: float, leading: float, **extra: object) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading,
                                  wordWrap="CJK", **extra)

        self.font = font
        self.body = style("body", 9.5, 14.5)
        self.note = style("note", 7.8, 11, textColor=GREY_TEXT)
        self.cell = style("cell", 8, 10.2)
        self.cell_small = style("cell_small", 7.2, 9)
        self.cell_center = style("cell_center", 8, 10.2, alignment=TA_CENTER)
        self.head = style("head", 8, 10.2, alignment=TA_CENTER)
        self.label = style("label", 9, 12, alignment=TA_CENTER)
        self.value = style("value", 9.5, 12.5, alignment=TA_LEFT)
        self.big = style("big", 22, 26, alignment=TA_CENTER)
        self.big_caption = style("big_caption", 8, 10, alignment=TA_CENTER,
                                 textColor=GREY_TEXT)


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


# --------------------------------------------------------------------------- flowables
def _faux_bold(canvas: Canvas, x: float, y: float, text: str, font: str, size: float,
               centred: bool = False, colour: colors.Color = colors.black) -> None:
    """The bundled font has one weight; a stroked outline makes headings read as bold."""
    width = stringWidth(text, font, size)
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(size * 0.035)
    text_object = canvas.beginText()
    text_object.setTextRenderMode(2)  # fill and stroke
    text_object.setFont(font, size)
    text_object.setTextOrigin(x - width / 2 if centred else x, y)
    text_object.textLine(text)
    canvas.drawText(text_object)
    canvas.restoreState()


class _TitleBlock(Flowable):
    """The form's title, its number and version, and a red double rule under it."""

    def __init__(self, report: EvaluationReport, font: str, draft: bool) -> None:
        super().__init__()
        self.report = report
        self.font = font
        self.draft = draft
        self.height = 30 * mm

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = avail_w
        return avail_w, self.height

    def draw(self) -> None:
        c = self.canv
        report = self.report
        c.setFont(self.font, 8)
        c.setFillColor(GREY_TEXT)
        c.drawString(0, self.height - 3 * mm, "大型活动安保现场督导")
        c.drawRightString(self.width, self.height - 3 * mm,
                          f"文档编号：{report.document_id}")
        _faux_bold(c, self.width / 2, self.height - 14 * mm, TITLE, self.font, 20,
                   centred=True)
        state = "草稿（未签名）" if self.draft else "已签名"
        subtitle = f"第 {report.version} 版 · {state}"
        if report.previous_document_id:
            subtitle += f" · 更正 {report.previous_document_id}"
        c.setFont(self.font, 9)
        c.setFillColor(GREY_TEXT)
        c.drawCentredString(self.width / 2, self.height - 20.5 * mm, subtitle)
        c.setStrokeColor(RED)
        c.setLineWidth(1.6)
        c.line(0, 4.2 * mm, self.width, 4.2 * mm)
        c.setLineWidth(0.5)
        c.line(0, 3.1 * mm, self.width, 3.1 * mm)


class _Heading(Flowable):
    """A section heading: 一、基本情况, with a short navy bar before it."""

    def __init__(self, text: str, font: str, note: str = "") -> None:
        super().__init__()
        self.text = text
        self.note = note
        self.font = font

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = avail_w
        return avail_w, 9 * mm

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(NAVY)
        c.rect(0, 2.2 * mm, 1.2 * mm, 4.4 * mm, stroke=0, fill=1)
        _faux_bold(c, 3 * mm, 3 * mm, self.text, self.font, 11.5)
        if self.note:
            c.setFont(self.font, 8)
            c.setFillColor(GREY_TEXT)
            c.drawRightString(self.width, 3 * mm, self.note)


class _Rule(Flowable):
    """The line a signature sits on."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.rule_w = width

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.rule_w, 2 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 1.6 * mm, self.rule_w, 1.6 * mm)


class _QRCode(Flowable):
    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.matrix = qr_matrix(make_qr(text, max_version=40))
        self.size = size

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        _draw_qr(self.canv, self.matrix, 0, 0, self.size)


class _ImageBox(Flowable):
    """An image fitted into a box (aspect kept, centred), or a dashed empty box."""

    def __init__(self, image: ImageReader | None, width: float, height: float,
                 placeholder: str = "", font: str = "") -> None:
        super().__init__()
        self.image = image
        self.box_w, self.box_h = width, height
        self.placeholder = placeholder
        self.font = font

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.box_w, self.box_h

    def draw(self) -> None:
        c = self.canv
        if self.image is None:
            if self.placeholder:
                c.setStrokeColor(colors.Color(0.7, 0.7, 0.7))
                c.setDash(2, 2)
                c.setLineWidth(0.4)
                c.rect(0, 0, self.box_w, self.box_h, stroke=1, fill=0)
                c.setDash()
                c.setFont(self.font, 8)
                c.setFillColor(GREY_TEXT)
                c.drawCentredString(self.box_w / 2, self.box_h / 2 - 3, self.placeholder)
            return
        iw, ih = self.image.getSize()
        scale = min(self.box_w / iw, self.box_h / ih)
        w, h = iw * scale, ih * scale
        c.drawImage(self.image, (self.box_w - w) / 2, (self.box_h - h) / 2, w, h,
                    mask="auto")


def _thumbnail(path: Path | None,
               read: Callable[[], bytes] | None = None) -> ImageReader | None:
    """A small JPEG of the evidence photo: a 4,000-pixel phone photo would make the PDF huge
    and slow for nothing at 20 mm. ``read`` gives the photo's bytes (decrypted from an
    encrypted profile); without it the file is read as it is."""
    if path is None:
        return None
    try:
        with PILImage.open(io.BytesIO(read()) if read is not None else path) as image:
            # A JPEG decodes straight at 1/2 .. 1/8 scale: a phone photo in a tenth of the time.
            image.draft("RGB", (THUMB_PIXELS, THUMB_PIXELS))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=72)
    except Exception:  # a damaged photo must not stop the report: the cell says so
        return None
    buffer.seek(0)
    return ImageReader(buffer)


def _signature_image(png: bytes | None) -> ImageReader | None:
    if not png:
        return None
    try:
        with PILImage.open(io.BytesIO(png)) as image:
            image.load()
            rgba = image.convert("RGBA")
            box = rgba.getbbox()  # the pad's empty margins are not part of the signature
            if box:
                rgba = rgba.crop(box)
            buffer = io.BytesIO()
            rgba.save(buffer, "PNG")
    except Exception:
        return None
    buffer.seek(0)
    return ImageReader(buffer)


# ----------------------------------------------------------------------------- tables
def _grid_style(font: str, header_rows: int = 1, extra: Sequence[tuple] = (),
                size: float = 8) -> TableStyle:
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.25),
        ("GRID", (0, 0), (-1, -1), 0.45, GRID),
        ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL))
        commands.append(("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"))
    commands.extend(extra)
    return TableStyle(commands)


def _style(font: str, commands: list[tuple]) -> TableStyle:
    """A layout table's style: its font set too, or reportlab names Helvetica on the page."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands])


def _cell(text: str, width: float, style: ParagraphStyle) -> object:
    """A plain string when it fits the column (cheap), a wrapping Paragraph when not."""
    if stringWidth(text, style.fontName, style.fontSize) <= width - 6:
        return text
    return _p(text, style)


def _lines(lines: Sequence[str], width: float, style: ParagraphStyle) -> object:
    """Short lines as a plain multi-line cell; a Paragraph only if one of them must wrap."""
    if all(stringWidth(line, style.fontName, style.fontSize) <= width - 6 for line in lines):
        return "\n".join(lines)
    return _p("\n".join(lines), style)


def _table(rows: list[list[object]], widths: list[float], font: str,
           extra: Sequence[tuple] = (), header_rows: int = 1, size: float = 8) -> Table:
    return Table(rows, colWidths=widths, repeatRows=header_rows,
                 style=_grid_style(font, header_rows, extra, size))


def _widths(*millimetres: float) -> list[float]:
    """Column widths scaled to fill the text width exactly."""
    total = sum(millimetres)
    return [CONTENT_W * value / total for value in millimetres]


# ---------------------------------------------------------------------------- sections
RISK_TEXT = {"low": "低", "medium": "中", "high": "高"}
KIND_TEXT = {"commercial": "商业活动", "government": "政府活动"}
TASK_ORDER = ("安检", "验票", "巡逻", "守卫", "秩序维护")


def _basic_info(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    event = report.event
    company = event.company

    def label(text: str) -> Paragraph:
        return _p(text, st.label)

    def value(text: str) -> Paragraph:
        return _p(text or "—", st.value)

    credit = company.credit_grade if company and company.credit_grade else "—"
    if company and company.blacklisted:
        credit += "（列入黑名单）"
    scale = (f"预计 {event.expected_attendance:,} 人（场馆容量 {event.venue_capacity:,} 人）"
             if event.expected_attendance or event.venue_capacity else "")
    risk = "　".join(part for part in (
        f"{RISK_TEXT.get(event.risk_level, event.risk_level)}风险",
        KIND_TEXT.get(event.event_kind, "")) if part)
    date = report.signed_at or report.generated_at
    rows = [
        [label("活动名称"), value(event.name), "", ""],
        [label("活动场馆"), value(event.venue), label("活动时间"), value(_event_period(report))],
        [label("主办单位"), value(event.organizer), label("活动规模"), value(scale)],
        [label("安保服务公司"), value(company.name if company else ""), label("风险等级"),
         value(risk)],
        [label("保安服务许可证"), value(company.licence_no if company else ""),
         label("信用等级"), value(credit)],
        [label("督导员"), value(report.supervisor_name),
         label("签名日期" if report.signed_at else "制表日期"), value(_date_text(date))],
    ]
    widths = _widths(27, 64, 22, 61)
    style = [("SPAN", (1, 0), (3, 0)),
             ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
             ("BACKGROUND", (2, 1), (2, -1), LABEL_FILL)]
    return [_Heading("一、基本情况", st.font), _table(rows, widths, st.font, style, 0)]


def _summary(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    score = report.score
    grade_colour = RED if score.grade == "fail" else colors.black
    big_grade = ParagraphStyle("grade", parent=st.big, textColor=grade_colour)
    cells = [
        [_p(format_score(score.total), st.big), _p(report.grade_text, big_grade),
         _p(format_percent(score.coverage), st.big)],
        [_p("综合得分（满分 100 分）", st.big_caption), _p("考评等级", st.big_caption),
         _p(f"检查覆盖率（已检查 {score.guards_checked:,} / 在册 {score.guards_rostered:,} 人）",
            st.big_caption)],
    ]
    box = Table(cells, colWidths=_widths(1, 1, 1.3), style=_style(st.font, [
        ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
        ("LINEBEFORE", (1, 0), (-1, -1), 0.45, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, 0), 7),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 1),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
    ]))
    not_checked = score.guards_rostered - score.guards_checked
    visited = sum(1 for post in score.per_post if post.inspections)
    facts = (f"本次督导共检查保安员 {score.inspections:,} 人次，检查岗位 {visited:,} 个"
             f"（全场 {score.posts_total:,} 个）；"
             f"发现问题 {score.findings:,} 项，其中当场纠正 {score.findings_corrected:,} 项；"
             f"缺岗 {score.posts_absent} 个岗位，缺员 {score.posts_understaffed} 个岗位；"
             f"在册未检查保安员 {not_checked:,} 人。")
    flowables: list[Flowable] = [_Heading("二、考评结果", st.font), box, Spacer(1, 2 * mm),
                                 _p(facts, st.body)]
    if score.coverage_low:
        flowables.append(_p(
            f"注意：检查覆盖率低于 {format_percent(score.coverage_note_below)}，"
            "得分仅反映已检查保安员的情况。", ParagraphStyle("warn", parent=st.body,
                                                              textColor=RED)))
    return flowables


def _category_chart(report: EvaluationReport, font: str, width: float,
                    height: float) -> Drawing:
    """Scores by category: the category's full points (light) and the score (dark)."""
    categories = report.score.categories
    drawing = Drawing(width, height, initialFontName=font)  # else it names Helvetica
    chart = HorizontalBarChart()
    chart.x, chart.y = 22 * mm, 12 * mm
    chart.width, chart.height = width - chart.x - 4 * mm, height - chart.y - 4 * mm
    chart.data = [[c.weight for c in reversed(categories)],
                  [c.score for c in reversed(categories)]]
    chart.categoryAxis.categoryNames = [report.category_label(c.code)
                                        for c in reversed(categories)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.strokeWidth = 0.5
    chart.valueAxis.valueMin = 0
    top = max((c.weight for c in categories), default=10)
    step = 10 if top > 20 else 5
    chart.valueAxis.valueMax = step * -(-top // step)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeWidth = 0.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.bars[0].fillColor = colors.Color(0.82, 0.84, 0.88)
    chart.bars[0].strokeColor = None
    chart.bars[1].fillColor = NAVY
    chart.bars[1].strokeColor = None
    chart.barSpacing = 0.6
    chart.groupSpacing = 5
    chart.barLabelFormat = "%.2f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    legend_y = 2.5 * mm
    for index, (fill, text) in enumerate(((chart.bars[0].fillColor, "分值"),
                                          (NAVY, "得分"))):
        x = chart.x + index * 18 * mm
        drawing.add(Rect(x, legend_y, 3 * mm, 2.5 * mm, fillColor=fill, strokeColor=None))
        drawing.add(String(x + 4 * mm, legend_y + 0.3 * mm, text, fontName=font,
                           fontSize=7.5))
    return drawing


def _category_section(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    score = report.score
    rules = load_rules(report.rules_version)
    rows: list[list[object]] = [["考评项目", "分值", "问题", "扣分", "得分"]]
    for c in score.categories:
        rows.append([report.category_label(c.code), format_score(c.weight), str(c.findings),
                     format_score(c.deducted), format_score(c.score)])
    for penalty in score.penalties:
        count = f"{penalty.count} 岗" if penalty.code == POST_CATEGORY else str(penalty.count)
        rows.append([_p(f"{report.category_label(penalty.code)}（扣分项，上限 "
                        f"{penalty.cap:g} 分）", st.cell), "—", count,
                     format_score(penalty.deducted), format_score(-penalty.deducted)])
    rows.append(["综合得分", format_score(rules.total), str(score.findings),
                 format_score(rules.total - score.total), format_score(score.total)])
    table_w = 100 * mm
    table = _table(rows, [table_w - 4 * 12.5 * mm] + [12.5 * mm] * 4, st.font, [
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, -1), (-1, -1), LABEL_FILL),
    ])
    chart = _category_chart(report, st.font, CONTENT_W - table_w - 4 * mm, 52 * mm)
    layout = Table([[table, chart]], colWidths=[table_w + 4 * mm, CONTENT_W - table_w - 4 * mm],
                   style=_style(st.font, [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    multiplier = rules.checklist_multiplier
    staffing = "、".join(f"{rules.label(code)} {points:g} 分"
                        for code, points in sorted(rules.staffing_points.items(),
                                                   key=lambda item: -item[1]))
    posts = "、".join(f"{rules.label('post.' + code)}每岗 {points:g} 分"
                     for code, points in rules.post_points.items())
    scale_text = (f"本次检查 {score.inspections:,} 人次，折算系数 {score.scale:.4f}"
                  if score.scale < 1 else "本次未折算")
    note = (f"计分说明（计分规则第 {rules.version} 版，检查表 {score.template_id} 第 "
            f"{score.template_version} 版）：各检查项目分值按检查表权重计；每个问题扣"
            f"“项目权重 × {rules.points_per_item_weight:g} 分”，当场纠正的按 "
            f"{multiplier.get('corrected', 1):g} 倍、未纠正的按 "
            f"{multiplier.get('not_corrected', 1):g} 倍计；检查超过 "
            f"{rules.reference_inspections} 人次的，按“{rules.reference_inspections} ÷ "
            f"检查人次”折算（{scale_text}）；各项扣完为止。人员资质与用工问题每人次扣分："
            f"{staffing}（当场纠正的按 {rules.staffing_multiplier.get('corrected', 1):g} "
            f"倍计），同一人同类问题计一次；{posts}，同一岗位按最重情形计一次。等级："
            + _grade_bands_text(rules) + "。")
    return [_Heading("三、分项得分", st.font), layout, Spacer(1, 1.5 * mm), _p(note, st.note)]


def _grade_bands_text(rules: ScoringRules) -> str:
    bands = sorted(rules.grades, key=lambda b: -b.minimum)
    lowest_bar = min((b.minimum for b in bands if b.minimum > 0), default=0)
    return "，".join(f"{b.label_zh} ≥ {b.minimum:g} 分" if b.minimum > 0
                    else f"{b.label_zh} < {lowest_bar:g} 分" for b in bands)


def _posts_section(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    widths = _widths(9, 40, 13, 15, 11, 11, 11, 13, 11, 16, 14)
    rows: list[list[object]] = [["序号", "岗位", "区域", "类型", "定岗", "在册", "受检",
                                 "检查人次", "问题", "到岗情况", "得分"]]
    low: list[tuple] = []
    for number, post in enumerate(report.score.per_post, start=1):
        status = {"absent": "缺岗", "understaffed": "缺员"}.get(post.status or "", "")
        rows.append([str(number), _cell(post.post_name, widths[1], st.cell), post.zone,
                     post.task_type, str(post.required_headcount), str(post.guards_assigned),
                     str(post.guards_checked), str(post.inspections), str(post.findings),
                     status or "正常", format_score(post.score)])
        if post.status or post.score < 100:
            low.append(("TEXTCOLOR", (9, number), (10, number),
                        RED if post.status == "absent" or post.score < 60 else colors.black))
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (4, 1), (8, -1), "RIGHT"),
             ("ALIGN", (9, 1), (9, -1), "CENTER"), ("ALIGN", (10, 1), (10, -1), "RIGHT"),
             *low]
    not_inspected = sum(1 for p in report.score.per_post if p.inspections == 0)
    note = (f"共 {len(report.score.per_post):,} 个岗位，其中 {not_inspected:,} 个岗位未检查。"
            "岗位得分按同一计分规则、以本岗位的记录计算。")
    return [CondPageBreak(40 * mm), _Heading("四、各岗位情况", st.font),
            _table(rows, widths, st.font, extra), Spacer(1, 1.5 * mm), _p(note, st.note)]


def _guards_section(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    score = report.score
    everyone = len(score.per_guard) <= ALL_GUARDS_LIMIT
    listed = [g for g in score.per_guard if everyone or g.findings > 0]
    widths = _widths(9, 18, 28, 42, 38, 13, 10, 10, 13)
    rows: list[list[object]] = [["序号", "姓名", "保安员证号", "所属公司", "岗位", "检查人次",
                                 "问题", "纠正", "得分"]]
    marks: list[tuple] = []
    contracted = report.company_name
    for number, guard in enumerate(listed, start=1):
        rows.append([str(number), guard.guard_name, guard.cert_no,
                     _cell(guard.company, widths[3], st.cell_small),
                     _cell(guard.post_name or "—", widths[4], st.cell_small),
                     str(guard.inspections), str(guard.findings),
                     str(guard.findings_corrected), format_score(guard.score)])
        if contracted and guard.company and guard.company != contracted:
            marks.append(("TEXTCOLOR", (3, number), (3, number), RED))
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (5, 1), (-1, -1), "RIGHT"),
             *marks]
    flowables: list[Flowable] = [CondPageBreak(40 * mm), _Heading(
        "五、保安员得分", st.font,
        "受检保安员全部列出" if everyone else "列出有问题的保安员")]
    if len(rows) > 1:
        flowables.append(_table(rows, widths, st.font, extra))
    clean = len(score.per_guard) - len(listed)
    text = (f"共检查在册保安员 {len(score.per_guard):,} 人，其中 "
            f"{sum(1 for g in score.per_guard if g.findings):,} 人有问题。")
    if clean:
        text += f"其余 {clean:,} 名受检保安员未发现问题，得分均为 100.00 分，不再逐一列出。"
    if contracted:
        text += "所属公司以红色标出的，为非合同安保服务公司人员。"
    flowables += [Spacer(1, 1.5 * mm), _p(text, st.note)]
    return flowables


def _finding_row(finding: ReportFinding, widths: list[float], st: _Styles) -> list[object]:
    where = finding.post_name or "—"
    who = " ".join(part for part in (finding.guard_name, finding.cert_no) if part) or "—"
    photo: object = "—"
    thumb = _thumbnail(finding.evidence_path, finding.read_evidence)
    if thumb is not None:
        photo = _ImageBox(thumb, THUMB_W, THUMB_H)
    elif finding.evidence_path is not None:
        photo = "无法读取"
    if finding.category in PROBLEM_LABELLED:
        what = f"{finding.category_label}：{finding.item_label}"
    else:  # a checklist item states the requirement; the finding is that it was not met
        what = f"{finding.category_label}：未做到“{finding.item_label}”"
    points = (format_score(finding.points) if finding.counted_with is None
              else _p(f"同一人已计（第 {finding.counted_with} 项）", st.cell_small))
    return [str(finding.number), _time_text(finding.at),
            _lines((where, who), widths[2], st.cell_small), _p(what, st.cell_small),
            _p(finding.note, st.cell_small) if finding.note else "—",
            finding.correction_label, points, photo]


def _findings_section(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    widths = _widths(8, 17, 36, 38, 34, 15, 11, 23)
    rows: list[list[object]] = [["序号", "时间", "岗位 / 保安员", "问题", "情况说明", "整改",
                                 "扣分", "现场照片"]]
    marks: list[tuple] = []
    for finding in report.findings:
        rows.append(_finding_row(finding, widths, st))
        if finding.correction != "corrected":
            row = len(rows) - 1
            marks.append(("TEXTCOLOR", (5, row), (5, row), RED))
    flowables: list[Flowable] = [CondPageBreak(50 * mm), _Heading(
        "六、问题明细", st.font, f"共 {len(report.findings):,} 项")]
    if not report.findings:
        return flowables + [_p("本次督导未发现问题。", st.body)]
    extra = [("ALIGN", (0, 1), (1, -1), "CENTER"), ("ALIGN", (5, 1), (5, -1), "CENTER"),
             ("ALIGN", (6, 1), (6, -1), "RIGHT"), ("ALIGN", (7, 1), (7, -1), "CENTER"),
             ("FONTSIZE", (0, 1), (1, -1), 7.2), ("FONTSIZE", (5, 1), (6, -1), 7.2), *marks]
    return flowables + [_table(rows, widths, st.font, extra), Spacer(1, 1.5 * mm), _p(
        "扣分为计入综合得分的分值（含折算）。整改栏红色为未纠正。", st.note)]


def _post_issues_section(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    flowables: list[Flowable] = [CondPageBreak(30 * mm), _Heading("七、缺岗、缺员情况",
                                                                  st.font)]
    if not report.post_issues:
        return flowables + [_p("无缺岗、缺员岗位。", st.body)]
    widths = _widths(9, 44, 14, 18, 20, 55, 14)
    rows: list[list[object]] = [["序号", "岗位", "情况", "到岗 / 定岗", "记录时间", "说明",
                                 "扣分"]]
    seen: set[str] = set()
    for number, issue in enumerate(report.post_issues, start=1):
        first = issue.post_name not in seen
        seen.add(issue.post_name)
        rows.append([str(number), _cell(issue.post_name, widths[1], st.cell),
                     issue.status_label, f"{issue.present_count} / {issue.required_headcount}",
                     _time_text(issue.at), _p(issue.note, st.cell_small) if issue.note else "—",
                     format_score(issue.points) if first else "（同岗位已计）"])
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (4, -1), "CENTER"),
             ("ALIGN", (6, 1), (6, -1), "RIGHT"), ("FONTSIZE", (6, 1), (6, -1), 7.2)]
    return flowables + [_table(rows, widths, st.font, extra)]


def _not_checked_section(report: EvaluationReport, st: _Styles) -> list[Flowable]:
    guards = report.not_checked
    flowables: list[Flowable] = [CondPageBreak(30 * mm), _Heading(
        "八、在册未检查保安员", st.font, f"共 {len(guards):,} 人")]
    if not guards:
        return flowables + [_p("在册保安员均已检查。", st.body)]
    by_post: dict[str, list[str]] = {}
    for guard in guards:
        by_post.setdefault(guard.post_name or "未定岗", []).append(
            f"{guard.name}  {guard.cert_no}")
    widths = _widths(9, 36, 10, 119)
    rows: list[list[object]] = [["序号", "岗位", "人数", "保安员  保安员证号"]]
    entry_w = (widths[3] - 2) / NOT_CHECKED_COLUMNS
    entry_style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font), ("FONTSIZE", (0, 0), (-1, -1), 7.4),
        ("LEADING", (0, 0), (-1, -1), 9), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.9)])
    for number, (post, names) in enumerate(by_post.items(), start=1):
        # One name and number per grid cell: a certificate number never breaks over lines.
        grid = [names[i:i + NOT_CHECKED_COLUMNS]
                for i in range(0, len(names), NOT_CHECKED_COLUMNS)]
        grid[-1] += [""] * (NOT_CHECKED_COLUMNS - len(grid[-1]))
        rows.append([str(number), _cell(post, widths[1], st.cell), str(len(names)),
                     Table(grid, colWidths=[entry_w] * NOT_CHECKED_COLUMNS,
                           style=entry_style)])
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (2, -1), "RIGHT")]
    return flowables + [_table(rows, widths, st.font, extra), Spacer(1, 1.5 * mm), _p(
        "未检查不扣分，但降低检查覆盖率；覆盖率与得分并列报告。", st.note)]


def _opinion_section(report: EvaluationReport, st: _Styles, draft: bool,
                     signature_png: bytes | None) -> list[Flowable]:
    comment = report.comment.strip() or "（无）"
    box = Table([[_p(comment, st.body)]], colWidths=[CONTENT_W], style=_style(st.font, [
        ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]),
        rowHeights=None)
    rules = load_rules(report.rules_version)
    choices = "　　".join(
        f"{'■' if code == report.recommendation else '□'} {rules.label('recommendation.' + code)}"
        for code in RECOMMENDATIONS)
    recommendation = _p(f"推荐意见（供今后招投标及信用评价参考）：　{choices}", st.body)

    signature = _signature_image(signature_png)
    sig_box = _ImageBox(signature, SIGNATURE_W, SIGNATURE_H,
                        placeholder="（手写签名处）", font=st.font)
    signed_at = _local(report.signed_at)
    when = (f"{signed_at.year}年{signed_at.month}月{signed_at.day}日 {signed_at:%H:%M}"
            if signed_at else "（签名后生成）")
    left_rows = [
        [_p("督导员（签名）：", st.body)],
        [sig_box],
        [_Rule(SIGNATURE_W + 10 * mm)],
        [_p(f"督导员：{report.supervisor_name or '—'}", st.body)],
        [_p(f"签名时间：{when}", st.body)],
        [_p(f"数字证书：{report.signer_subject or '（签名时使用督导员数字证书）'}", st.note)],
    ]
    left = Table(left_rows, colWidths=[CONTENT_W - QR_SIZE - 38 * mm], style=_style(st.font, [
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    qr_text = f"{report.document_id};SHA256={report.content_sha256}"
    right_rows = [
        [_QRCode(qr_text, QR_SIZE)],
        [_p(f"文档编号 {report.document_id}", ParagraphStyle(
            "qrcap", parent=st.note, alignment=TA_CENTER, fontSize=7, leading=9))],
    ]
    right = Table(right_rows, colWidths=[QR_SIZE + 36 * mm], style=_style(st.font, [
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    block = Table([[left, right]], colWidths=[CONTENT_W - QR_SIZE - 36 * mm, QR_SIZE + 36 * mm],
                  style=_style(st.font, [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    digest = report.content_sha256
    if draft:
        integrity = ("本表为草稿，未经数字签名，不作为考评依据。签名后生成正式文本。"
                     f"考评数据摘要（SHA-256）：{digest[:32]} {digest[32:]}")
    else:
        integrity = ("本表经督导员数字证书电子签名（PAdES）。签名后文件的任何改动均使签名失效，"
                     "可用 Adobe Reader、pdfsig 或 python -m app verify-pdf 核验。"
                     f"二维码载有文档编号和考评数据摘要（SHA-256）：{digest[:32]} {digest[32:]}")
    return [CondPageBreak(60 * mm), _Heading("九、督导员意见", st.font), box,
            Spacer(1, 2.5 * mm), recommendation, Spacer(1, 4 * mm),
            KeepTogether([block, Spacer(1, 2 * mm), _p(integrity, st.note)])]


# ------------------------------------------------------------------------------ pages
def _canvas_maker(report: EvaluationReport, font: str) -> type[Canvas]:
    """A canvas that keeps the pages until the end, so each can say 第 x 页 共 y 页."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict[str, object]] = []

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
    canvas.drawString(MARGIN_X, footer_y, f"{report.document_id}　第 {report.version} 版")
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


def render_evaluation_pdf(report: EvaluationReport, signature_png: bytes | None,
                          draft: bool) -> bytes:
    """The evaluation form as PDF bytes (unsigned: app.evaluation.signing signs them)."""
    font = register_cjk_font()
    st = _Styles(font)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{TITLE} {report.document_id}",
        author=report.supervisor_name, subject=f"{report.event.name} · {report.company_name}",
        creator="Venue Supervisor 大型活动安保现场督导",
        keywords=EvaluationBinding.of(report.document_id, report.event.id,
                                      report.content_sha256, report.score.total,
                                      report.score.grade).keywords(),
        pageCompression=1, invariant=1,
        initialFontName=font)  # else every page names Helvetica, a font the PDF does not embed
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        if draft:
            _watermark(canvas, font)

    doc.addPageTemplates([PageTemplate("page", [frame], onPage=on_page)])
    story: list[Flowable] = [_TitleBlock(report, font, draft)]
    story += _basic_info(report, st)
    story += _summary(report, st)
    story += _category_section(report, st)
    story += _posts_section(report, st)
    story += _guards_section(report, st)
    story += _findings_section(report, st)
    story += _post_issues_section(report, st)
    story += _not_checked_section(report, st)
    story += _opinion_section(report, st, draft, signature_png)
    doc.build(story, canvasmaker=_canvas_maker(report, font))
    return buffer.getvalue()

