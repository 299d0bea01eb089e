"""Sections 六 to 九 of the evaluation PDF: the findings, absent and understaffed posts, the
guards never checked, and the supervisor's opinion with the signature and the document's QR
code.

The guards never checked are listed by post, several to a row: at 3,000 guards a row each
would be a hundred pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle

from app.evaluation.pdf_kit import (
    RED,
    THUMB_H,
    THUMB_W,
    Heading,
    ImageBox,
    Styles,
    column_widths,
    fit_cell,
    grid_table,
    lines_cell,
    para,
    thumbnail,
    time_text,
)
from app.evaluation.score_values import format_score
from app.evaluation.values import EvaluationReport, NotCheckedGuard, ReportFinding

PROBLEM_LABELLED = ("staffing", "other")  # their labels already name the problem
NOT_CHECKED_COLUMNS = 3


def _finding_row(finding: ReportFinding, widths: list[float], st: Styles,
                 sampled: frozenset[str] | None) -> list[object]:
    where = finding.post_name or "—"
    who = " ".join(part for part in (finding.guard_name, finding.cert_no) if part) or "—"
    if sampled is not None and finding.guard_name and finding.cert_no not in sampled:
        who += "（样本外）"
    photo: object = "—"
    thumb = thumbnail(finding.evidence_path, finding.read_evidence)
    if thumb is not None:
        photo = ImageBox(thumb, THUMB_W, THUMB_H)
    elif finding.evidence_path is not None:
        photo = "无法读取"
    if finding.category in PROBLEM_LABELLED:
        what = f"{finding.category_label}：{finding.item_label}"
    else:  # a checklist item states the requirement; the finding is that it was not met
        what = f"{finding.category_label}：未做到“{finding.item_label}”"
    points = (format_score(finding.points) if finding.counted_with is None
              else para(f"同一人已计（第{finding.counted_with}项）", st.cell_small))
    return [str(finding.number), time_text(finding.at),
            lines_cell((where, who), widths[2], st.cell_small), para(what, st.cell_small),
            para(finding.note, st.cell_small) if finding.note else "—",
            finding.correction_label, points, photo]


def findings_section(report: EvaluationReport, st: Styles) -> list[Flowable]:
    widths = column_widths(8, 17, 36, 38, 34, 15, 11, 23)
    rows: list[list[object]] = [["序号", "时间", "岗位 / 保安员", "问题", "情况说明", "整改",
                                 "扣分", "现场照片"]]
    marks: list[tuple] = []
    sampled = report.sample.sampled_cert_nos if report.sample else None
    for finding in report.findings:
        rows.append(_finding_row(finding, widths, st, sampled))
        if finding.correction != "corrected":
            row = len(rows) - 1
            marks.append(("TEXTCOLOR", (5, row), (5, row), RED))
    flowables: list[Flowable] = [CondPageBreak(50 * mm), Heading(
        "问题明细", st.font, f"共{len(report.findings)}项")]
    if not report.findings:
        return flowables + [para("本次督导未发现问题。", st.body)]
    extra = [("ALIGN", (0, 1), (1, -1), "CENTER"), ("ALIGN", (5, 1), (5, -1), "CENTER"),
             ("ALIGN", (6, 1), (6, -1), "RIGHT"), ("ALIGN", (7, 1), (7, -1), "CENTER"),
             ("FONTSIZE", (0, 1), (1, -1), 7.2), ("FONTSIZE", (5, 1), (6, -1), 7.2), *marks]
    return flowables + [grid_table(rows, widths, st.font, extra), Spacer(1, 1.5 * mm), para(
        "扣分为计入综合得分的分值（含折算）。整改栏红色为未纠正。", st.note)]


def post_issues_section(report: EvaluationReport, st: Styles) -> list[Flowable]:
    flowables: list[Flowable] = [CondPageBreak(30 * mm), Heading("三、缺岗、缺员情况",
                                                                 st.font)]
    if not report.post_issues:
        return flowables + [para("无缺岗、缺员岗位。", st.body)]
    widths = column_widths(9, 44, 14, 18, 20, 55, 14)
    rows: list[list[object]] = [["序号", "岗位", "情况", "到岗 / 定岗", "记录时间", "说明",
                                 "扣分"]]
    seen: set[str] = set()
    for number, issue in enumerate(report.post_issues, start=1):
        first = issue.post_name not in seen
        seen.add(issue.post_name)
        rows.append([str(number), fit_cell(issue.post_name, widths[1], st.cell),
                     issue.status_label, f"{issue.present_count} / {issue.required_headcount}",
                     time_text(issue.at), para(issue.note, st.cell_small) if issue.note else "—",
                     format_score(issue.points) if first else "（同岗位已计）"])
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (4, -1), "CENTER"),
             ("ALIGN", (6, 1), (6, -1), "RIGHT"), ("FONTSIZE", (6, 1), (6, -1), 7.2)]
    return flowables + [grid_table(rows, widths, st.font, extra)]


def _by_post_table(guards: Sequence[NotCheckedGuard], st: Styles) -> Table:
    """Guards listed by post, several to a row."""
    by_post: dict[str, list[str]] = {}
    for guard in guards:
        by_post.setdefault(guard.post_name or "未定岗", []).append(
            f"{guard.name}  {guard.cert_no}")
    widths = column_widths(9, 36, 10, 119)
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
        rows.append([str(number), fit_cell(post, widths[1], st.cell), str(len(names)),
                     Table(grid, colWidths=[entry_w] * NOT_CHECKED_COLUMNS,
                           style=entry_style)])
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (2, -1), "RIGHT")]
    return grid_table(rows, widths, st.font, extra)


def not_checked_section(report: EvaluationReport, st: Styles) -> list[Flowable]:
    """The rostered guards never checked: the sample's first (they were to be checked),
    then the others."""
    guards = report.not_checked
    sampled = report.sample.sampled_cert_nos if report.sample else frozenset()
    in_sample = [g for g in guards if g.cert_no in sampled]
    others = [g for g in guards if g.cert_no not in sampled]
    flowables: list[Flowable] = []
    if report.sample is not None:
        flowables.append(Heading("一、样本中未检查的保安员", st.font, f"共{len(in_sample)}人"))
        flowables.append(_by_post_table(in_sample, st) if in_sample
                         else para("样本保安员均已检查。", st.body))
        flowables += [Spacer(1, 2 * mm), CondPageBreak(30 * mm),
                      Heading("二、其他在册未检查保安员", st.font, f"共{len(others)}人")]
    else:
        flowables.append(Heading("在册未检查保安员", st.font, f"共{len(others)}人"))
    if not others:
        return flowables + [para("其他在册保安员均已检查。", st.body)]
    return flowables + [_by_post_table(others, st), Spacer(1, 1.5 * mm), para(
        "未检查不扣分，但降低检查覆盖率；覆盖率与得分并列报告。", st.note)]
