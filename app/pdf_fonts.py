"""The bundled CJK font for PDFs, so Chinese prints as characters, never as empty boxes.

reportlab's built-in fonts hold no Chinese, and its CID fonts (STSong-Light) are not embedded:
a PDF that relies on the reader having them prints boxes on a machine without them. The bundled
WenQuanYi Micro Hei has TrueType outlines, so reportlab embeds the subset a document uses and the
PDF prints the same everywhere.
"""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import font_path

CJK_FONT_NAME = "WenQuanYiMicroHei"
_lock = threading.Lock()


def register_cjk_font() -> str:
    """Register the bundled font with reportlab (once per process) and return its name."""
    with _lock:
        if CJK_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            # The .ttc holds two faces; index 0 is the proportional Micro Hei.
            pdfmetrics.registerFont(TTFont(CJK_FONT_NAME, str(font_path()), subfontIndex=0))
    return CJK_FONT_NAME
