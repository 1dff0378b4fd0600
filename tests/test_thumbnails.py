"""Leaflet shelf pictures: the first page drawn by PDFium in the rendering process, 240 px wide, the
height from the page's shape, the colours of the page, and the same bytes for the same PDF."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import pytest
from PIL import Image
from weasyprint import HTML

from conftest import REPO
from healthpub import pdf


def leaflet(size: str) -> bytes:
    """A two-page PDF: a red band and some text on the first page, which should be the one drawn."""
    return HTML(string=f"""<style>@page {{ size: {size}; margin: 0 }} body {{ margin: 0; font: 12pt sans-serif }}
        .band {{ background: #c00000; height: 40vh }} .next {{ break-before: page; background: #0000c0; height: 100vh }}
        </style><div class="band"></div><p>At a glance: wash your hands for 20 seconds.</p><div class="next"></div>
        """).write_pdf()


@pytest.mark.parametrize("size, expected", [
    ("A4", (240, 340)),  # 595.28 × 841.89 pt: 339.42 rounded up, as pdftoppm's pictures were
    ("A5 landscape", (240, 170)),
    ("letter", (240, 311)),
    # 303.3 pt: 303.3 × (240 / 303.3) is just over 240, which pypdfium2's render(scale) makes 241 pixels.
    ("303.3pt 400pt", (240, 317)),
])
def test_a_picture_is_240_pixels_wide_webp_with_the_page_s_shape(size, expected):
    picture = Image.open(io.BytesIO(pdf.thumbnail(leaflet(size))))
    assert picture.format == "WEBP" and picture.size == expected == (pdf.THUMBNAIL_WIDTH, expected[1])


def test_a_picture_shows_the_first_page_in_its_colours():
    picture = Image.open(io.BytesIO(pdf.thumbnail(leaflet("A4")))).convert("RGB")
    red, white = picture.getpixel((120, 60)), picture.getpixel((120, 320))
    assert red[0] > 170 and red[1] < 60 and red[2] < 60, red  # red, not BGR's blue, and not page two's blue
    assert min(white) > 240, white  # paper white below the band, not transparent black


def test_the_same_pdf_gives_the_same_picture_twice_and_in_a_rendering_process():
    data = leaflet("A4")
    first = pdf.thumbnail(data)
    assert pdf.thumbnail(data) == first
    # In a fresh process under the rendering processes' address-space limit, as a build's workers are.
    code = ("import hashlib, sys; from healthpub import leaflets, pdf; leaflets.limit_memory(); "
            "print(hashlib.sha256(pdf.thumbnail(sys.stdin.buffer.read())).hexdigest())")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, input=data, capture_output=True, check=True)
    assert result.stdout.decode().strip() == hashlib.sha256(first).hexdigest()

