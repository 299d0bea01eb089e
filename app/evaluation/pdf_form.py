"""Page 1 of the evaluation PDF: the complete form a police office files.

Its elements follow GB/T 9704-2012 (the layout of official documents): the issuing unit in
red as the header with the document number (文号) under it and the red rule; the title; the
basis (考评依据); the body (the basic facts, the result with the random sample, the
opinion); the list of attachments (附件说明); then the signatures: the supervisor (drawn
and signed electronically), the company's on-site head (drawn on the same pad, or the
recorded refusal 拒签 with time and reason) and the issuing unit's seal (盖章) with the date.
The detail follows in the attachments (app.evaluation.pdf_results, app.evaluation
.pdf_records).

Nothing technical on the face: no certificate subject, no command, no hash. The QR code in
the corner carries the document number and the digest of the report's data for whoever
checks it (docs/scoring.md).
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.evaluation.pdf_kit import (
    CONTENT_W,
    GREY_TEXT,
    GRID,
    LABEL_FILL,
    RED,
    SIGNATURE_H,
    TITLE,
    Heading,
    ImageBox,
    QRCode,
    Styles,
    column_widths,
    date_text,
    event_period,
    faux_bold,
    format_percent,
    grid_table,
    layout_style,
    local_time,
    para,
    signature_image,
)
from app.evaluation.rules import load_rules
from app.evaluation.score_values import format_score
from app.evaluation.values import RECOMMENDATIONS, EvaluationReport, SampleStatement

ATTACHMENTS = ("岗位检查明细", "人员检查明细", "问题及整改情况（含照片）", "未检查人员名单")
RISK_TEXT = {"low": "低", "medium": "中", "high": "高"}
KIND_TEXT = {"commercial": "商业活动", "government": "政府活动"}
HEADER_QR = 22 * mm
UNPLACED_NUMBER = "（签发时编号）"
BLANK_DATE = "\u00a0" * 8 + "年" + "\u00a0" * 4 + "月" + "\u00a0" * 4 + "日"  # filled by hand


def qr_text(report: EvaluationReport) -> str:
    """What the corner's QR code carries: the document's id and the digest of the report's
    data (docs/scoring.md). The number is printed beside it; left out of the code, which
    stays small enough (version 5) to read from paper with a phone."""
    return f"{report.document_id};SHA256={report.content_sha256}"


def date_time_text(moment: object) -> str:
    local = local_time(moment)  # type: ignore[arg-type]
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" if local else ""


class FormHeader(Flowable):
    """The issuing unit in red, the document number, the red rule, the title; the QR code
    in the right corner."""

    def __init__(self, report: EvaluationReport, font: str, draft: bool) -> None:
        super().__init__()
        self.report = report
        self.font = font
        self.draft = draft
        self.height = 41 * mm
        self.qr = QRCode(qr_text(report), HEADER_QR)

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = avail_w
        return avail_w, self.height

    def draw(self) -> None:
        c = self.canv
        report = self.report
        unit = report.issuing_unit or "（考评单位）"
        room = self.width - 2 * (HEADER_QR + 3 * mm)
        size = 22.0
        while size > 12 and stringWidth(unit, self.font, size) > room:
            size -= 1
        faux_bold(c, self.width / 2, self.height - 12 * mm, unit, self.font, size,
                  centred=True, colour=RED)
        number = report.document_number or UNPLACED_NUMBER
        c.setFont(self.font, 11)
        c.setFillColor(colors.black if report.document_number else GREY_TEXT)
        c.drawCentredString(self.width / 2, self.height - 20 * mm, number)
        c.setStrokeColor(RED)
        c.setLineWidth(1.2)
        c.line(0, self.height - 24 * mm, self.width, self.height - 24 * mm)
        faux_bold(c, self.width / 2, self.height - 33 * mm, TITLE, self.font, 17,
                  centred=True)
        notes = []
        if self.draft:
            notes.append("草稿")
        if report.version > 1:
            notes.append(f"第 {report.version} 版")
        if report.previous_document_id:
            notes.append("更正前一版")
        if notes:
            c.setFont(self.font, 9)
            c.setFillColor(GREY_TEXT)
            c.drawCentredString(self.width / 2, self.height - 38.5 * mm,
                                f"（{'，'.join(notes)}）")
        self.qr.canv = c
        c.saveState()
        c.translate(self.width - HEADER_QR, self.height - HEADER_QR - 0.5 * mm)
        self.qr.draw()
        c.restoreState()


def _facts(report: EvaluationReport, st: Styles) -> Table:
    event = report.event
    company = event.company

    def label(text: str) -> Paragraph:
        return para(text, st.label)

    def value(text: str) -> Paragraph:
        return para(text or "—", st.value)

    credit = company.credit_grade if company and company.credit_grade else "—"
    if company and company.blacklisted:
        credit += "（列入黑名单）"
    scale = "，".join(part for part in (
        f"预计{event.expected_attendance}人" if event.expected_attendance else "",
        f"场馆容量{event.venue_capacity}人" if event.venue_capacity else "") if part)
    risk = f"{RISK_TEXT.get(event.risk_level, event.risk_level)}风险"
    kind = KIND_TEXT.get(event.event_kind, "")
    supervisor = report.supervisor_name or "—"
    if report.supervisor_badge_number:
        supervisor += f"（警号{report.supervisor_badge_number}）"
    rows = [
        [label("活动名称"), value(event.name), "", ""],
        [label("活动场馆"), value(event.venue), label("活动时间"), value(event_period(report))],
        [label("主办单位"), value(event.organizer), label("活动规模"), value(scale)],
        [label("活动性质"), value(kind), label("风险等级"), value(risk)],
        [label("安保工作模式"), value(report.staffing_mode), "", ""],
        [label("安保服务公司"), value(company.name if company else ""),
         label("许可证号"), value(company.licence_no if company else "")],
        [label("信用等级"), value(credit), label("现场负责人"),
         value(report.company_head.name)],
        [label("督导员"), value(supervisor), label("督导单位"), value(report.issuing_unit)],
    ]
    widths = column_widths(26, 62, 22, 64)
    style = [("SPAN", (1, 0), (3, 0)), ("SPAN", (1, 4), (3, 4)),
             ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
             ("BACKGROUND", (2, 1), (2, 3), LABEL_FILL),
             ("BACKGROUND", (2, 5), (2, -1), LABEL_FILL),
             ("TOPPADDING", (0, 0), (-1, -1), 1.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    return grid_table(rows, widths, st.font, style, 0)


def grade_words(report: EvaluationReport) -> str:
    """The grade as the form prints it: 暂定 until the sample allows a final grade."""
    sample = report.sample
    if sample is not None and not sample.final:
        return f"{report.grade_text}（暂定）"
    return report.grade_text


def sample_sentences(sample: SampleStatement) -> str:
    """The sample statement: the plan, how much was checked, the estimate."""
    text = (f"抽样检查：按 {sample.standard} 一般检验水平Ⅱ，在册保安员{sample.lot}人，"
            f"样本量字码 {sample.code}，随机抽取样本{sample.size}人，已检查{sample.checked}人"
            f"（{format_percent(sample.share)}）")
    if sample.checked:
        text += (f"；样本中有问题的{sample.not_compliant}人，不合格率估计"
                 f"{format_percent(sample.not_compliant / sample.checked)}（95%置信区间 "
                 f"{format_percent(sample.low)}～{format_percent(sample.high)}）")
    text += "。"
    if sample.checked_outside:
        text += (f"样本外另检查{sample.checked_outside}人，其中{sample.findings_outside}人"
                 "有问题，计入得分，单独列示（附件2、附件3）。")
    return text


def grade_status(sample: SampleStatement) -> str:
    """Why the grade is final, or why it is provisional."""
    if sample.complete:
        return "样本已全部检查，考评等级为最终结果。"
    share, minimum = format_percent(sample.share), format_percent(sample.minimum_share)
    if sample.final:
        return (f"样本已检查{share}，不低于规定的{minimum}；督导员说明：{sample.reason}"
                "。考评等级为最终结果。")
    if sample.share >= sample.minimum_share:
        return (f"考评等级为暂定：样本已检查{share}，但未全部检查，督导员未书面说明理由。")
    return (f"考评等级为暂定：样本仅检查{share}，未全部检查"
            f"（全部检查，或检查不少于{minimum}并书面说明理由，方可作为最终结果）。")


def _result(report: EvaluationReport, st: Styles) -> list[Flowable]:
    score = report.score
    grade_colour = RED if score.grade == "fail" else colors.black
    big = ParagraphStyle("form_big", parent=st.big, fontSize=19, leading=22)
    big_grade = ParagraphStyle("form_grade", parent=big, textColor=grade_colour)
    cells = [
        [para(format_score(score.total), big), para(grade_words(report), big_grade),
         para(format_percent(score.coverage), big)],
        [para("综合得分（满分100分）", st.big_caption), para("考评等级", st.big_caption),
         para(f"检查覆盖率（已检查{score.guards_checked}人/在册{score.guards_rostered}人）",
              st.big_caption)],
    ]
    box = Table(cells, colWidths=column_widths(1, 1.1, 1.3), style=layout_style(st.font, [
        ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
        ("LINEBEFORE", (1, 0), (-1, -1), 0.45, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, 0), 5), ("BOTTOMPADDING", (0, 0), (-1, 0), 0),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 4),
    ]))
    visited = sum(1 for post in score.per_post if post.inspections)
    facts = (f"检查保安员{score.inspections}人次，检查岗位{visited}个"
             f"（全场{score.posts_total}个）；"
             f"发现问题{score.findings}项，其中当场纠正{score.findings_corrected}项；"
             f"缺岗{score.posts_absent}个岗位，缺员{score.posts_understaffed}个岗位。")
    parts = "；".join(f"{report.category_label(c.code)}{format_score(c.score)}分"
                      f"（满分{format_score(c.weight)}）" for c in score.categories)
    penalties = "；".join(f"{report.category_label(p.code)}扣{format_score(p.deducted)}分"
                          for p in score.penalties if p.deducted)
    breakdown = f"分项得分：{parts}" + (f"；{penalties}" if penalties else "") + "。"
    flowables: list[Flowable] = [
        Heading("一、考评结果", st.font), box, Spacer(1, 1.5 * mm),
        para(facts + breakdown, st.form_body)]
    sample = report.sample
    if sample is not None:
        flowables.append(para(sample_sentences(sample), st.form_body))
        status_style = st.form_body if sample.final else ParagraphStyle(
            "form_warn", parent=st.form_body, textColor=RED)
        flowables.append(para(grade_status(sample), status_style))
    return flowables


def _opinion(report: EvaluationReport, st: Styles) -> list[Flowable]:
    comment = report.comment.strip() or "（无）"
    box = Table([[para(comment, st.form_body)]], colWidths=[CONTENT_W],
                style=layout_style(st.font, [
                    ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
                    ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5)]))
    rules = report.rules or load_rules(report.rules_version)
    choices = "　".join(
        f"{'■' if code == report.recommendation else '□'}"
        f"{rules.label('recommendation.' + code).split('（')[0]}"
        for code in RECOMMENDATIONS)
    return [Heading("二、考评意见", st.font), box, Spacer(1, 1.2 * mm),
            para(f"推荐意见（供今后招投标及信用评价参考）：{choices}", st.form_body)]


def _attachments(st: Styles) -> Flowable:
    """附件说明: "附件：" then the numbered titles, aligned under the first."""
    listed = "\n".join(f"{number}．{title}" for number, title in enumerate(ATTACHMENTS, 1))
    return Table([[para("附件：", st.form_body), para(listed, st.form_body)]],
                 colWidths=[12 * mm, CONTENT_W - 12 * mm], style=layout_style(st.font, [
                     ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                     ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))


def _signatures(report: EvaluationReport, st: Styles, draft: bool,
                signature_png: bytes | None, head_png: bytes | None) -> Table:
    caption = ParagraphStyle("sig_caption", parent=st.form_body, alignment=TA_CENTER)
    small = ParagraphStyle("sig_small", parent=st.note, alignment=TA_CENTER)
    box_w = CONTENT_W / 3 - 6 * mm
    date = date_text(report.signed_at) if report.signed_at else BLANK_DATE

    supervisor_image = ImageBox(signature_image(signature_png), box_w, SIGNATURE_H,
                                placeholder="（手写签名处）", font=st.font)
    supervisor = [para("督导员（签名）", caption), supervisor_image,
                  para(report.supervisor_name or "—", caption),
                  para("已电子签名" if report.signed_at else
                       ("签名后生效" if draft else ""), small),
                  para(date, caption)]

    head = report.company_head
    head_cells: list[Flowable]
    if head.refused_at is not None:
        refusal = ParagraphStyle("refusal", parent=st.form_body, textColor=RED)
        head_cells = [para(f"拒签（{date_time_text(head.refused_at)}）\n"
                           f"理由：{head.refusal_reason}", refusal)]
        head_date = ""
    else:
        head_cells = [ImageBox(signature_image(head_png), box_w, SIGNATURE_H,
                               placeholder="（手写签名处）", font=st.font)]
        head_date = date if head.signed else BLANK_DATE
    company = [para("被考评单位现场负责人（签名）", caption), *head_cells,
               para(head.name or "　", caption), para("", small), para(head_date, caption)]

    seal = [para("考评单位（盖章）", caption), Spacer(box_w, SIGNATURE_H),
            para(report.issuing_unit or "　", caption), para("", small), para(date, caption)]

    def column(cells: list[Flowable]) -> Table:
        return Table([[cell] for cell in cells], colWidths=[CONTENT_W / 3],
                     style=layout_style(st.font, [
                         ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 2),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                         ("TOPPADDING", (0, 0), (-1, -1), 0.6),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6)]))

    return Table([[column(supervisor), column(company), column(seal)]],
                 colWidths=[CONTENT_W / 3] * 3, style=layout_style(st.font, [
                     ("VALIGN", (0, 0), (-1, -1), "TOP"),
                     ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def verification_line(report: EvaluationReport, draft: bool) -> str:
    if draft:
        return "本表为草稿，未经签名，不作为考评依据。"
    return (f"文号 {report.document_number}。本表经督导员电子签名，签名后的任何改动均可被发现；"
            "扫描右上角二维码可核对考评数据。")


def form_page(report: EvaluationReport, st: Styles, draft: bool, signature_png: bytes | None,
              head_png: bytes | None) -> list[Flowable]:
    """Page 1, the complete form."""
    grey = ParagraphStyle("verify", parent=st.note, textColor=GREY_TEXT)
    return [
        FormHeader(report, st.font, draft),
        para(f"考评依据：{report.basis}", st.form_body) if report.basis else Spacer(1, 0),
        Spacer(1, 1.5 * mm),
        _facts(report, st),
        *_result(report, st),
        *_opinion(report, st),
        Spacer(1, 2 * mm),
        KeepTogether([_attachments(st), Spacer(1, 3 * mm),
                      _signatures(report, st, draft, signature_png, head_png),
                      Spacer(1, 2 * mm), para(verification_line(report, draft), grey)]),
    ]
