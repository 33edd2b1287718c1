"""The order's 办理单 as an A4 PDF (reportlab), stored in the exports bucket and handed out as a
short-lived presigned link, as the Excel exports are (adapters/workbooks.py says why a link).

Chinese is set in STSong-Light, one of the CID fonts every PDF reader carries for Adobe-GB1: the
file names the font and embeds none, so the package needs no font file and a sheet is a few KB."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from ..domain.handling_sheet import HandlingSheet, PrintedSheet, SheetPrinter
from .workbooks import download_link, owned_key

PDF = "application/pdf"
FONT = "STSong-Light"


def _tables(sheet: HandlingSheet, body: Any) -> tuple[Any, Any]:
    """The order's facts (label, value) and its timeline, each a bordered table of paragraphs."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    def p(text: str) -> Any:
        return _paragraph(text, body)

    ruled: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    fields = Table(
        [[p(k), p(v)] for k, v in sheet.fields],
        colWidths=[28 * mm, 152 * mm],
        style=TableStyle([*ruled, ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)]),
    )
    rows = [[p(e.at), p(e.step), p(e.by), p(e.note)] for e in sheet.timeline] or [[p("—")] * 4]
    steps = Table(
        [[p("时间"), p("办理环节"), p("单位 / 角色"), p("说明")], *rows],
        colWidths=[30 * mm, 26 * mm, 44 * mm, 80 * mm],
        repeatRows=1,
        style=TableStyle([*ruled, ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]),
    )
    return fields, steps


def _paragraph(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    # Paragraph reads a small markup: the text is escaped so it is only ever text.
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)


def render(sheet: HandlingSheet) -> tuple[bytes, int]:
    """The sheet as PDF bytes, and its number of pages."""
    # Imported on the first print: no other route pays reportlab's (and Pillow's) import time.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.grey)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=body, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4)
    fields, steps = _tables(sheet, body)
    buffer = io.BytesIO()
    margin = 15 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{sheet.title} {sheet.order_id}",
        author="12345",
        invariant=True,
    )
    head = [_paragraph(sheet.title, title), _paragraph(sheet.printed, small), Spacer(1, 4 * mm)]
    doc.build([*head, fields, _paragraph("办理过程", heading), steps])
    return buffer.getvalue(), doc.page


class S3SheetPrinter(SheetPrinter):
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def publish(self, sheet: HandlingSheet, filename: str, owner: str, valid_for: timedelta) -> PrintedSheet:
        data, pages = render(sheet)
        key = owned_key(owner, "pdf")
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=PDF)
        # inline: the browser opens it in its PDF viewer, from where it prints.
        url = download_link(self._client, self._bucket, key, filename, PDF, valid_for, "inline")
        return PrintedSheet(
            filename=filename,
            url=str(url),
            expires_at=datetime.now(UTC) + valid_for,
            pages=pages,
            bytes=len(data),
        )
