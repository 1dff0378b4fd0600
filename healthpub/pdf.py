"""PDF: WeasyPrint turns a leaflet job into PDF files, in a process of its own, reading nothing but
the templates and the job's subset fonts. Imported only where leaflets are rendered: WeasyPrint takes
half a second to import, which a build with nothing to render should not pay."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import math
import tempfile
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse
from urllib.request import url2pathname

import pydyf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.pdf import tags
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import fonts, output
from .leaflets import Job, with_qr_codes

logging.getLogger("weasyprint").setLevel(logging.ERROR)


def _tag_language(build_box_tree):
    """WeasyPrint 70 tags a PDF with the document's /Lang only. A bilingual edition joins the pages
    of two documents, so each top-level structure element gets the /Lang of the <html> it comes
    from, which is what a screen reader needs to switch voices (PDF/UA 7.2). The tag builder is
    recursive through its module name, so wrapping that name reaches every level."""

    @functools.wraps(build_box_tree)
    def wrapper(box, *args):
        elements = build_box_tree(box, *args)
        lang = box.element.get("lang") if getattr(box, "element_tag", None) == "html" else None
        for element in elements:
            if lang:
                element["Lang"] = pydyf.String(lang)
            yield element

    return wrapper


tags._build_box_tree = _tag_language(tags._build_box_tree)


class ProjectFetcher(URLFetcher):
    """WeasyPrint may read files under the allowed folders and nothing else: no network, no other
    local file, symlinks resolved before the check."""

    def __init__(self, allowed: tuple[Path, ...]):
        super().__init__(allowed_protocols={"file"})
        self.allowed = tuple(folder.resolve() for folder in allowed)

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(url2pathname(parsed.path)).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed):
                return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url}: leaflets may only read their stylesheet and fonts")


def write_pdfs(job: Job) -> tuple[list[bytes], list[int], list[bytes]]:
    """The job's editions as PDF files, in order, the pages of each language's leaflet, and a
    picture of each edition's first page (for the leaflet shelf). Each language is laid out once."""
    with laid_out(job) as documents:
        return _write_pdfs(job, documents)


@contextlib.contextmanager
def laid_out(job: Job) -> Iterator[list[Document]]:
    """Each of the job's HTML laid out by WeasyPrint, with the job's fonts cut down for it."""
    with tempfile.TemporaryDirectory(prefix="healthpub-fonts-") as folder:
        faces = {}
        for number, subset in enumerate(job.fonts):
            faces[subset] = Path(folder, f"{number}.otf")
            output.write(faces[subset], fonts.cut(subset))
        output.write(Path(folder, "leaflet.css"), job.stylesheet)
        fetcher = ProjectFetcher((Path(folder),))
        font_config = FontConfiguration()  # @font-face rules from a stylesheet only count through one
        font_css = CSS(string=fonts.faces_css(faces), url_fetcher=fetcher, font_config=font_config)
        base_url = Path(folder).resolve().as_uri() + "/"
        yield [HTML(string=with_qr_codes(html), base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[font_css], font_config=font_config) for html in job.htmls]


def _write_pdfs(job: Job, documents: list[Document]) -> tuple[list[bytes], list[int], list[bytes]]:
    pdfs = []
    for _, parts in job.editions:
        # The first language's document gives the edition its metadata and /Lang.
        pages = [page for index in parts for page in documents[index].pages]
        pdfs.append(documents[parts[0]].copy(pages).write_pdf(pdf_variant="pdf/ua-1", custom_metadata=True))
    # A bilingual edition starts with its translation's leaflet: the same first page, the same picture.
    pictures: dict[int, bytes] = {}
    for (_, parts), pdf in zip(job.editions, pdfs):
        if parts[0] not in pictures:
            pictures[parts[0]] = thumbnail(pdf)
    return pdfs, [len(document.pages) for document in documents], [pictures[parts[0]] for _, parts in job.editions]


THUMBNAIL_WIDTH = 240  # pixels: twice a shelf card's width on a phone, for sharp screens


def thumbnail(pdf: bytes) -> bytes:
    """The first page as a small WebP picture (about 15 KB), drawn by PDFium in this process: 14 ms a
    picture, where a pdftoppm process took 60. The bitmap is sized here, not by a scale factor
    (pypdfium2 rounds width × scale up, and 240.00000000000003 is 241 pixels); the height is rounded
    up, as pdftoppm's was (340 for A4). Same PDF, same bytes: PDFium draws with no threads or clock,
    and libwebp encodes the same pixels the same way."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        width, height = page.get_size()
        size = (THUMBNAIL_WIDTH, math.ceil(round(THUMBNAIL_WIDTH * height / width, 6)))
        bitmap = pdfium.PdfBitmap.new_native(*size, pdfium_c.FPDFBitmap_BGR, rev_byteorder=True)
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, *size)  # paper white, as pdftoppm's
        # Annotations drawn (pdftoppm did too), text and paths anti-aliased (PDFium's default).
        pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, 0, *size, 0, pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_REVERSE_BYTE_ORDER)
        out = io.BytesIO()
        bitmap.to_pil().save(out, "WEBP", quality=60, method=4)
        return out.getvalue()
    finally:
        document.close()
