"""Committee packs: per partner and cycle one PDF to send before the committee, and the programme's.

A pack is a cover (client, partner, cycle, date, confidentiality) and a table of contents, then the
partner's reports of the cycle: the strategic report of the quarter, which opens on its first page
(the summary), then the operational report of each month. The programme pack holds the programme
overview (client only). Its pages are numbered across the pack at the bottom left ("page 7 / 42"),
the numbers the contents give; each report keeps its own "page / pages" at the bottom right.

How: each report is already printed by Chromium (`batch.pdf`); the cover and contents are printed the
same way from ``templates/pack/cover.html.j2``; pypdf merges them, adds an outline (the PDF viewer's
bookmarks) and stamps the numbers. Printing one combined HTML instead would need the reports' pages
merged into one document, and Chromium cannot print a table of contents with page numbers (no CSS
``target-counter``): the page count of each report is only known once it is printed.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ..core.atomic import write_atomic
from ..core.periods import parse_period
from ..views.language import _, in_language
from ..views.wording import day, number, pack_confidentiality, period_name
from .html_export import TEMPLATES_DIR
from .pdf import PdfError, print_pdf

__all__ = ["PACKS_FOLDER", "Pack", "PackPart", "pack_page_label", "print_pack"]

#: The packs' folder in a cycle's folder.
PACKS_FOLDER = "packs"

# Where the pack's number goes: the bottom left, in the page's 12 mm side and 14 mm bottom margins (points).
_NUMBER_X, _NUMBER_Y, _NUMBER_SIZE = 34, 18, 8


@dataclass(frozen=True)
class PackPart:
    """One report of a pack: the title its contents line gives, and its printed PDF."""

    title: str
    pdf: Path


@dataclass(frozen=True)
class Pack:
    """A committee pack to print: whose, which cycle, its reports in order, where it goes."""

    client: str
    partner: str | None  # the partner's name; None: the programme pack (client only)
    period: str
    parts: tuple[PackPart, ...]
    path: Path
    language: str = "en"  # the cover's, the contents' and the footer's (`views.language`)

    @property
    def heading(self) -> str:
        with in_language(self.language):
            return _("Programme pack") if self.partner is None else _("Committee pack")

    @property
    def period_name(self) -> str:
        """The cycle in words: `Q3 2026` (`T3 2026`)."""
        with in_language(self.language):
            return period_name(parse_period(self.period))

    @property
    def title(self) -> str:
        """ "Committee pack Q3 2026 — NorthCall Services", the PDF's title and its pages' footer."""
        return f"{self.heading} {self.period_name}" + (f" — {self.partner}" if self.partner else "")

    @property
    def confidentiality(self) -> str:
        with in_language(self.language):
            return pack_confidentiality(self.client, self.partner)


def pack_page_label(pack: Pack, page: int, pages: int) -> str:
    """The footer stamped on a pack's page: the pack's title and "page 7 / 42"."""
    with in_language(pack.language):
        where = _("page {page} / {pages}").format(page=page, pages=pages)
    return f"{pack.title} · {where}"


def print_pack(pack: Pack, date: dt.date, *, browser: Path | None = None) -> int:
    """Write `pack.path` (atomically) from its parts' PDFs; the cover says `date`. Returns its page count.
    Raises PdfError when Chromium cannot print the cover or a part's PDF is missing."""
    for part in pack.parts:
        if not part.pdf.is_file():
            raise PdfError(f"{pack.path}: the report {part.pdf} has no PDF to put in the pack")
    readers = [PdfReader(part.pdf) for part in pack.parts]
    front = 2  # the cover and one page of contents, until printed otherwise
    for _attempt in range(2):  # a long contents runs over a page: number again with the pages it took
        first_pages = _first_pages(front, [len(r.pages) for r in readers])
        cover = _cover_pdf(pack, date, [(p.title, n) for p, n in zip(pack.parts, first_pages, strict=True)], browser)
        if len(cover.pages) == front:
            break
        front = len(cover.pages)
    writer = PdfWriter()
    writer.append(cover)
    for part, reader, page in zip(pack.parts, readers, first_pages, strict=True):
        writer.append(reader)
        writer.add_outline_item(title=part.title, page_number=page - 1)
    pages = len(writer.pages)
    for index, page in enumerate(writer.pages, start=1):
        page.merge_page(_stamp(page, pack_page_label(pack, index, pages)))
    writer.add_metadata({"/Title": pack.title})
    writer.compress_identical_objects()  # the reports share fonts and images: once in the pack (a third smaller)
    out = io.BytesIO()
    writer.write(out)
    pack.path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(pack.path, out.getvalue())
    return pages


def _first_pages(front: int, lengths: Sequence[int]) -> list[int]:
    """The page (from 1) where each part begins, after `front` pages of cover and contents."""
    starts, page = [], front + 1
    for length in lengths:
        starts.append(page)
        page += length
    return starts


def _cover_pdf(pack: Pack, date: dt.date, contents: list[tuple[str, int]], browser: Path | None) -> PdfReader:
    """The cover and contents printed by Chromium, read back."""
    with in_language(pack.language):
        html = _cover_template().render(pack=pack, date=day(date), contents=contents)
    folder = pack.path.parent
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f".{pack.path.stem}.cover.{os.getpid()}.html"
    printed = source.with_suffix(".pdf")
    try:
        source.write_text(html, encoding="utf-8")
        print_pdf(source, printed, browser=browser)
        return PdfReader(io.BytesIO(printed.read_bytes()))
    finally:
        source.unlink(missing_ok=True)
        printed.unlink(missing_ok=True)


def _stamp(page: PageObject, text: str) -> PageObject:
    """A transparent page of `page`'s size holding `text` at the bottom left, in Helvetica (a PDF standard
    font: nothing to embed), to merge over it."""
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    overlay = PageObject.create_blank_page(width=page.mediabox.width, height=page.mediabox.height)
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/PaPack"): font})}
    )
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", errors="replace")
    stream = DecodedStreamObject()
    stream.set_data(f"BT /PaPack {_NUMBER_SIZE} Tf 0.33 g {_NUMBER_X} {_NUMBER_Y} Td (".encode() + escaped + b") Tj ET")
    overlay.replace_contents(stream)
    return overlay


@functools.cache
def _cover_template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "pack"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(_=_, number=number)
    return environment.get_template("cover.html.j2")
