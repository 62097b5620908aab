"""The page records what it draws, and field values keep their exact text when wrapped."""

from __future__ import annotations

import pytest
from PIL import ImageFont

from scriptsensei.samples import fonts
from scriptsensei.samples.page import Page, PageOverflowError, wrap_parts


@pytest.fixture
def font() -> ImageFont.FreeTypeFont:
    return fonts.load(fonts.PRINTED[0], 30)


def test_write_records_text_and_field_boxes(font: ImageFont.FreeTypeFont) -> None:
    page = Page(800, 600, 40)
    box = page.write((40, 40), [("BP: ", None), ("120/80 mmHg", "vitals.bloodPressure")], font)
    assert page.texts[0].text == "BP: 120/80 mmHg"
    mark = page.fields["vitals.bloodPressure"]
    assert mark.value == "120/80 mmHg"
    ((x0, _, x1, _),) = mark.boxes
    assert box[0] < x0 < x1 <= box[2] + 1  # the value's box starts after the label


def test_value_wrapped_over_lines_joins_back_exactly(font: ImageFont.FreeTypeFont) -> None:
    value = "Drink plenty of fluids, Avoid oily and spicy food, Walk 30 minutes daily"
    page = Page(800, 600, 40)
    end = page.paragraph(
        (40, 40), [("Advice: ", None), (value, "advice.lifestyleAdvice")], font, 400, 40
    )
    assert len(page.texts) > 1 and end > 80
    assert page.fields["advice.lifestyleAdvice"].value == value
    assert len(page.fields["advice.lifestyleAdvice"].boxes) == len(page.texts)


def test_wrap_never_exceeds_the_width_when_words_fit(font: ImageFont.FreeTypeFont) -> None:
    lines = wrap_parts([("one two three four five six seven eight nine ten", None)], font, 200)
    assert len(lines) > 1
    assert all(font.getlength("".join(p for p, _ in line)) <= 200 for line in lines)


def test_writing_past_the_limit_overflows(font: ImageFont.FreeTypeFont) -> None:
    page = Page(800, 600, 40)
    page.limit = 100
    with pytest.raises(PageOverflowError):
        page.write((40, 90), "too low", font)
    assert page.texts == []


def test_missing_font_names_the_package_to_install() -> None:
    face = fonts.Typeface("Nowhere Sans", "NowhereSans.ttf", "NowhereSans-Bold.ttf", False, "-")
    with pytest.raises(fonts.FontMissingError, match="fonts-dejavu-core"):
        fonts.font_path(face)


def test_shipped_fonts_come_with_their_licences() -> None:
    for face in fonts.HANDWRITING:
        path = fonts.font_path(face)
        assert path.is_file()
        licences = list(path.parent.glob("LICENSE-*"))
        assert any(face.name.split()[0] in p.name for p in licences), face.name
