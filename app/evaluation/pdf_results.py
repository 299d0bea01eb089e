"""Sections 一 to 五 of the evaluation PDF: basic facts, the result, the categories, the posts
and the guards (the figures of app.evaluation.scoring, laid out).

Long lists stay readable at 3,000 guards: only guards with findings get a row of their own
when there are many (the others are counted).
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table

from app.evaluation.pdf_kit import (
    CONTENT_W,
    LABEL_FILL,
    NAVY,
    RED,
    Heading,
    Styles,
    column_widths,
    fit_cell,
    grid_table,
    layout_style,
    para,
)
from app.evaluation.rules import POST_CATEGORY, ScoringRules, load_rules
from app.evaluation.score_values import format_score
from app.evaluation.values import EvaluationReport

ALL_GUARDS_LIMIT = 40  # up to this many checked guards the table lists every one


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


def category_section(report: EvaluationReport, st: Styles) -> list[Flowable]:
    score = report.score
    rules = report.rules or load_rules(report.rules_version)
    rows: list[list[object]] = [["考评项目", "分值", "问题", "扣分", "得分"]]
    for c in score.categories:
        rows.append([report.category_label(c.code), format_score(c.weight), str(c.findings),
                     format_score(c.deducted), format_score(c.score)])
    for penalty in score.penalties:
        count = f"{penalty.count}岗" if penalty.code == POST_CATEGORY else str(penalty.count)
        rows.append([para(f"{report.category_label(penalty.code)}（扣分项，上限 "
                          f"{penalty.cap:g}分）", st.cell), "—", count,
                     format_score(penalty.deducted), format_score(-penalty.deducted)])
    rows.append(["综合得分", format_score(rules.total), str(score.findings),
                 format_score(rules.total - score.total), format_score(score.total)])
    table_w = 100 * mm
    table = grid_table(rows, [table_w - 4 * 12.5 * mm] + [12.5 * mm] * 4, st.font, [
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, -1), (-1, -1), LABEL_FILL),
    ])
    chart = _category_chart(report, st.font, CONTENT_W - table_w - 4 * mm, 52 * mm)
    layout = Table([[table, chart]], colWidths=[table_w + 4 * mm, CONTENT_W - table_w - 4 * mm],
                   style=layout_style(st.font, [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    multiplier = rules.checklist_multiplier
    staffing = "、".join(f"{rules.label(code)} {points:g}分"
                        for code, points in sorted(rules.staffing_points.items(),
                                                   key=lambda item: -item[1]))
    posts = "、".join(f"{rules.label('post.' + code)}每岗{points:g}分"
                     for code, points in rules.post_points.items())
    scale_text = (f"本次检查{score.inspections}人次，折算系数{score.scale:.4f}"
                  if score.scale < 1 else "本次未折算")
    note = (f"计分说明（计分规则第{rules.version}版，检查表{score.template_id}第 "
            f"{score.template_version}版）：各检查项目分值按检查表权重计；每个问题扣"
            f"“项目权重 × {rules.points_per_item_weight:g}分”，当场纠正的按 "
            f"{multiplier.get('corrected', 1):g}倍、未纠正的按 "
            f"{multiplier.get('not_corrected', 1):g}倍计；检查超过 "
            f"{rules.reference_inspections}人次的，按“{rules.reference_inspections} ÷ "
            f"检查人次”折算（{scale_text}）；各项扣完为止。人员资质与用工问题每人次扣分："
            f"{staffing}（当场纠正的按{rules.staffing_multiplier.get('corrected', 1):g} "
            f"倍计），同一人同类问题计一次；{posts}，同一岗位按最重情形计一次。等级："
            + _grade_bands_text(rules) + "。")
    return [Heading("一、分项得分", st.font), layout, Spacer(1, 1.5 * mm), para(note, st.note)]


def _grade_bands_text(rules: ScoringRules) -> str:
    bands = sorted(rules.grades, key=lambda b: -b.minimum)
    lowest_bar = min((b.minimum for b in bands if b.minimum > 0), default=0)
    return "，".join(f"{b.label_zh} ≥ {b.minimum:g}分" if b.minimum > 0
                    else f"{b.label_zh} < {lowest_bar:g}分" for b in bands)


def posts_section(report: EvaluationReport, st: Styles) -> list[Flowable]:
    widths = column_widths(9, 40, 13, 15, 11, 11, 11, 13, 11, 16, 14)
    rows: list[list[object]] = [["序号", "岗位", "区域", "类型", "定岗", "在册", "受检",
                                 "检查人次", "问题", "到岗情况", "得分"]]
    low: list[tuple] = []
    for number, post in enumerate(report.score.per_post, start=1):
        status = {"absent": "缺岗", "understaffed": "缺员"}.get(post.status or "", "")
        rows.append([str(number), fit_cell(post.post_name, widths[1], st.cell), post.zone,
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
    note = (f"共{len(report.score.per_post)}个岗位，其中{not_inspected}个岗位未检查。"
            "岗位得分按同一计分规则、以本岗位的记录计算。")
    return [CondPageBreak(40 * mm), Heading("二、各岗位情况", st.font),
            grid_table(rows, widths, st.font, extra), Spacer(1, 1.5 * mm), para(note, st.note)]


def guards_section(report: EvaluationReport, st: Styles) -> list[Flowable]:
    score = report.score
    everyone = len(score.per_guard) <= ALL_GUARDS_LIMIT
    listed = [g for g in score.per_guard if everyone or g.findings > 0]
    widths = column_widths(9, 18, 28, 38, 35, 10, 12, 10, 10, 13)
    rows: list[list[object]] = [["序号", "姓名", "保安员证号", "所属公司", "岗位", "样本",
                                 "检查人次", "问题", "纠正", "得分"]]
    marks: list[tuple] = []
    contracted = report.company_name
    sampled = report.sample.sampled_guard_ids if report.sample else frozenset()
    for number, guard in enumerate(listed, start=1):
        rows.append([str(number), guard.guard_name, guard.cert_no,
                     fit_cell(guard.company, widths[3], st.cell_small),
                     fit_cell(guard.post_name or "—", widths[4], st.cell_small),
                     "是" if guard.guard_id in sampled else "", str(guard.inspections),
                     str(guard.findings), str(guard.findings_corrected),
                     format_score(guard.score)])
        if contracted and guard.company and guard.company != contracted:
            marks.append(("TEXTCOLOR", (3, number), (3, number), RED))
    extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (5, 1), (5, -1), "CENTER"),
             ("ALIGN", (6, 1), (-1, -1), "RIGHT"), *marks]
    flowables: list[Flowable] = [CondPageBreak(40 * mm), Heading(
        "受检保安员", st.font,
        "受检保安员全部列出" if everyone else "列出有问题的保安员")]
    if len(rows) > 1:
        flowables.append(grid_table(rows, widths, st.font, extra))
    clean = len(score.per_guard) - len(listed)
    text = (f"共检查在册保安员{len(score.per_guard)}人，其中 "
            f"{sum(1 for g in score.per_guard if g.findings)}人有问题。")
    if clean:
        text += f"其余{clean}名受检保安员未发现问题，得分均为 100.00 分，不再逐一列出。"
    if contracted:
        text += "所属公司以红色标出的，为非合同安保服务公司人员。"
    if report.sample is not None:
        text += "“样本”栏为“是”的，为随机抽取的样本保安员；其余为样本外检查的保安员。"
    flowables += [Spacer(1, 1.5 * mm), para(text, st.note)]
    return flowables

