"""QR codes drawn as vectors on a reportlab canvas: sharp at any printer resolution.

Used by the badge cards and post labels (app.badge.sheets) and by the evaluation PDF's
document code (app.evaluation.pdf_kit). Apart from app.badge.qr so that the camera's decoder
does not load reportlab.
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float,
            size: float) -> None:
    """The modules as filled rectangles, one per horizontal run of dark modules.

    Written as raw PDF operators in a coordinate system of one unit per module: integer
    coordinates, so a 600-card sheet does not spend seconds formatting a million floats.
    """
    count = len(matrix)
    module = size / count
    ops = ["q", "0 g", f"{module:.5f} 0 0 {module:.5f} {x:.3f} {y:.3f} cm"]
    for r, row in enumerate(matrix):
        bottom = count - 1 - r
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                # A hair taller than the module so that anti-aliased viewers show no seams.
                ops.append(f"{start} {bottom} {c - start} 1.02 re")
            else:
                c += 1
    ops += ["f", "Q"]
    canvas.addLiteral("\n".join(ops))
