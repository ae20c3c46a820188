"""Text as it may be stored (no control characters), pure functions."""

from hypothesis import given
from hypothesis import strategies as st

from cpom.text import clean_strings, clean_text

ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def test_a_vertical_tab_or_a_form_feed_becomes_a_new_line():
    assert clean_text("Ligne 1\x0bLigne 2") == "Ligne 1\nLigne 2"
    assert clean_text("Page 1\x0cPage 2") == "Page 1\nPage 2"


def test_other_control_characters_go_and_tab_and_new_lines_stay():
    assert clean_text("Titre\x1b[31m rouge\x08\x00") == "Titre[31m rouge"
    assert clean_text("a\tb\r\nc") == "a\tb\r\nc"
    assert clean_text("non-caractères \ufffe\uffff et demi-paire \ud800") == "non-caractères  et demi-paire "


def test_french_text_is_left_as_it_is():
    text = "Élaborer « le projet » d'établissement – 12 500,50 € · œuvre\u00a0!"
    assert clean_text(text) == text


@given(st.text())
def test_nothing_an_xml_writer_refuses_is_left(text):
    cleaned = clean_text(text)
    assert not any((ord(c) < 32 and c not in ALLOWED_CONTROLS) or c in "\ufffe\uffff" or 0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    assert clean_text(cleaned) == cleaned


def test_a_data_file_is_cleaned_inside_its_tables_and_lists():
    read = {"section": [{"title": "Axe\x1b 1", "order": 1, "codes": ["a\x07", "b"]}], "version": "1\x0b"}
    assert clean_strings(read) == {"section": [{"title": "Axe 1", "order": 1, "codes": ["a", "b"]}], "version": "1\n"}
