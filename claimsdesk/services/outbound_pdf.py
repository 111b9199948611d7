"""The appeal letter as a PDF (fpdf2, core Helvetica): letterhead, address block, RE: lines,
body, the table of lines and codes, signature; one or two US Letter pages.

Core fonts are Latin-1 only: text is folded (accents dropped where Latin-1 lacks the
letter, typographic quotes and dashes made plain) rather than shipping a TTF font.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from claimsdesk.services.outbound_letter import AppealLetter, longdate, money

INK = (17, 17, 17)
NAVY = (31, 58, 95)
GREY = (85, 85, 85)
SHADE = (232, 237, 243)
SIGNATURE_HEIGHT = 34  # mm from "Sincerely," to the enclosures line
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\u2022": "-", "\u2026": "...",
                        "\u00a0": " ", "\u20ac": "EUR"})  # fmt: skip


def latin1(text: str) -> str:
    """Text the core fonts can show: Latin-1 kept, the rest folded or dropped."""
    text = text.translate(_PLAIN)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(folded or "?")
    return "".join(out)


class _LetterPDF(FPDF):
    """A letter page: the footer names the claim and the page."""

    footer_text = ""

    def footer(self) -> None:
        """Claim reference and page number on every page."""
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, latin1(f"{self.footer_text}   page {self.page_no()} of {{nb}}"),
                  align="C")  # fmt: skip


def render_pdf(letter: AppealLetter, created: dt.datetime | None = None) -> bytes:
    """The letter as PDF bytes."""
    pdf = _LetterPDF(format="Letter", unit="mm")
    pdf.set_margins(22, 15, 22)
    pdf.set_auto_page_break(True, margin=18)
    pdf.footer_text = f"Appeal - account {letter.pcn} - payer claim {letter.payer_claim_number}"
    pdf.set_title(latin1(f"Appeal {letter.pcn}"))
    pdf.set_author(latin1(letter.provider_name))
    pdf.set_creator("claimsdesk")
    if created is not None:
        pdf.set_creation_date(created)
    pdf.add_page()
    _letterhead(pdf, letter)
    _addresses(pdf, letter)
    _re_block(pdf, letter)
    _body(pdf, letter)
    _lines_table(pdf, letter)
    _closing(pdf, letter)
    return bytes(pdf.output())


def _text(pdf: FPDF, text: str, size: float = 10, style: str = "", color: tuple[int, ...] = INK,
          height: float = 5) -> None:  # fmt: skip
    pdf.set_font("Helvetica", style, size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, height, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _letterhead(pdf: FPDF, letter: AppealLetter) -> None:
    _text(pdf, letter.provider_name, 16, "B", NAVY, 7)
    for line in (*letter.provider_lines, letter.provider_ids):
        if line:
            _text(pdf, line, 9, "", GREY, 4.2)
    pdf.ln(1.5)
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(5)


def _addresses(pdf: FPDF, letter: AppealLetter) -> None:
    _text(pdf, longdate(letter.letter_date))
    pdf.ln(3)
    for line in letter.recipient_lines:
        _text(pdf, line, height=4.8)
    _text(pdf, letter.delivery, 9, "I", GREY, 4.4)
    pdf.ln(4)


def _re_block(pdf: FPDF, letter: AppealLetter) -> None:
    birth = f" (born {longdate(letter.patient_birth_date)})" if letter.patient_birth_date else ""
    notice = ""
    if letter.notice_date:
        trace = f", check/EFT {letter.trace_number}" if letter.trace_number else ""
        notice = f"dated {longdate(letter.notice_date)}{trace}"
    rows = [
        ("RE:", letter.subject),
        ("Patient:", letter.patient_name + birth),
        ("Member ID:", letter.member_id),
        ("Patient account (PCN):", letter.pcn),
        ("Payer claim number:", letter.payer_claim_number or "not given"),
        ("Dates of service:", letter.service_dates),
        ("Billed / paid:", f"{money(letter.billed)} / {money(letter.paid)} "
                           f"(in dispute: {money(letter.amount)})"),
        ("Remittance:", notice),
        ("Appeal deadline:", longdate(letter.deadline) or "not known"),
    ]  # fmt: skip
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "", 10)
    with pdf.table(
        col_widths=(44, 128), borders_layout=TableBordersLayout.NONE, first_row_as_headings=False,
        line_height=4.5, padding=(0.3, 0), text_align=("LEFT", "LEFT"),
    ) as table:  # fmt: skip
        for label, value in rows:
            if not value:
                continue
            row = table.row()
            row.cell(latin1(label), style=FontFace(emphasis="BOLD", size_pt=10))
            row.cell(latin1(value), style=FontFace(emphasis="", size_pt=10))
    pdf.ln(4)


def _body(pdf: FPDF, letter: AppealLetter) -> None:
    _text(pdf, "Dear Appeals Reviewer,")
    pdf.ln(2)
    when = f" dated {longdate(letter.notice_date)}" if letter.notice_date else ""
    _text(pdf, f"We ask you to reconsider your decision on the claim above. Your remittance{when} "
               f"paid {money(letter.paid)} of the {money(letter.billed)} billed, giving these "
               "reasons:")  # fmt: skip
    pdf.ln(1)
    for code in letter.codes:
        pdf.set_x(pdf.l_margin + 4)
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(*INK)
        label = latin1(f"- {code.code}: ")
        pdf.cell(pdf.get_string_width(label), 5, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, latin1(code.meaning), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2.5)
    _text(pdf, "Why the claim should be paid:", style="B")
    for paragraph in letter.reason_paragraphs:
        _text(pdf, paragraph)
        pdf.ln(1.5)
    pdf.ln(2)


def _lines_table(pdf: FPDF, letter: AppealLetter) -> None:
    pdf.set_font("Helvetica", "", 8.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.2)
    heading = FontFace(emphasis="BOLD", fill_color=SHADE)
    with pdf.table(
        col_widths=(10, 20, 26, 11, 19, 19, 67), headings_style=heading, line_height=4.6,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES, padding=(0.8, 1),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
    ) as table:  # fmt: skip
        table.row(["Line", "Date", "Service", "Units", "Billed", "Paid", "Adjustments, remarks"])
        for ln in letter.lines:
            table.row([latin1(v) for v in (ln.number, ln.service_date, ln.service, ln.units,
                                           money(ln.billed), money(ln.paid),
                                           ", ".join(ln.codes))])  # fmt: skip
        total = table.row()
        bold = FontFace(emphasis="BOLD")
        total.cell("Total", colspan=4, style=bold)
        total.cell(money(letter.billed), style=bold)
        total.cell(money(letter.paid), style=bold)
        total.cell("")
    pdf.ln(4)


def _closing(pdf: FPDF, letter: AppealLetter) -> None:
    text = ("Please reprocess the claim and pay the amount in dispute, or tell us in writing "
            "what else you need.")  # fmt: skip
    if letter.deadline and not letter.late:
        text += (f" This request is sent within your appeal period, which ends on "
                 f"{longdate(letter.deadline)}.")  # fmt: skip
    pdf.set_font("Helvetica", "", 10)
    needed = pdf.multi_cell(0, 5, latin1(text), dry_run=True, output=MethodReturnValue.HEIGHT)
    assert isinstance(needed, float | int)
    if pdf.will_page_break(float(needed) + SIGNATURE_HEIGHT):
        pdf.add_page()  # keep the closing paragraph with the signature
    _text(pdf, text)
    if letter.late and letter.deadline:
        pdf.ln(1.5)
        _text(pdf, f"This request is sent after the appeal period ended on "
                   f"{longdate(letter.deadline)}; we ask you to accept it for the reasons given "
                   "above.", style="B", color=(138, 28, 28))  # fmt: skip
    pdf.ln(4)
    _text(pdf, "Sincerely,")
    pdf.ln(7)
    _text(pdf, letter.signer_name, style="B")
    _text(pdf, f"{letter.signer_title}, {letter.provider_name}")
    pdf.ln(3)
    _text(pdf, "Enclosures: copy of the remittance advice; supporting documentation.", 9, "",
          GREY)  # fmt: skip


__all__ = ["latin1", "render_pdf"]
