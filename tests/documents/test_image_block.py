"""The image block: the same PNG chart in the Word file and in the PDF, at the width asked, with its caption."""

from io import BytesIO

import docx
import pytest
from docx.shared import Cm
from PIL import Image as Picture
from pypdf import PdfReader

from cpom.documents.charts import IndicatorChart, Quartiles, indicator_png
from cpom.documents.layout import Document, Heading, Image
from cpom.documents.pdf import to_pdf
from cpom.documents.word import to_docx

pytestmark = pytest.mark.pure

CHART = IndicatorChart(
    years=[2023, 2024, 2025],
    values=[88.5, None, 94.0],
    bands={2023: Quartiles(85, 89, 93), 2024: Quartiles(86, 90, 94)},
    target=95,
)


def _document(image: Image) -> Document:
    return Document("Rapport", "Rapport", [Heading("Rapport", 0), image])


def test_the_chart_is_a_png_of_the_size_it_says():
    png = indicator_png(CHART)
    picture = Picture.open(BytesIO(png))
    assert picture.format == "PNG"
    assert Image(png, 16).pixels == picture.size
    assert Image(png, 16).height_cm == pytest.approx(16 * picture.size[1] / picture.size[0])
    # The line of values is drawn in navy, the band in light blue, the target in red.
    colours = {colour for _, colour in picture.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert {(0x00, 0x00, 0x91), (0xDC, 0xE4, 0xF5), (0xB3, 0x26, 0x1E)} <= colours


def test_a_chart_without_any_value_is_not_drawable():
    assert not IndicatorChart([2024, 2025], [None, None], target=1.0).drawable
    assert CHART.drawable


def test_word_embeds_the_picture_at_the_width_asked_with_its_caption_as_alternative_text():
    png = indicator_png(CHART)
    data = to_docx(_document(Image(png, 15, "Taux d'occupation\x0b de 2023 à 2025")))
    word = docx.Document(BytesIO(data))
    (shape,) = word.inline_shapes
    assert abs(shape.width - Cm(15)) < Cm(0.01)
    assert shape._inline.docPr.get("descr") == "Taux d'occupation\n de 2023 à 2025"
    assert word.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob == png
    assert "Taux d'occupation\n de 2023 à 2025" in [p.text for p in word.paragraphs]


def test_the_pdf_draws_the_same_picture_with_its_caption():
    png = indicator_png(CHART)
    data = to_pdf(_document(Image(png, 15, "Taux d'occupation de 2023 à 2025")))
    page = PdfReader(BytesIO(data)).pages[0]
    (image,) = page.images
    assert image.image.size == Picture.open(BytesIO(png)).size
    assert "Taux d'occupation de 2023 à 2025" in page.extract_text()


def test_an_image_block_refuses_what_is_not_a_png():
    with pytest.raises(ValueError, match="PNG"):
        Image(b"GIF89a" + bytes(30), 10).height_cm  # noqa: B018 - reading it is the check
