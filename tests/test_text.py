"""Text as it may be stored (no control characters), pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpom.core.text import agreed, clean_strings, clean_text, of, plural, the, to

pytestmark = pytest.mark.pure

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
    assert not any(
        (ord(c) < 32 and c not in ALLOWED_CONTROLS) or c in "\ufffe\uffff" or 0xD800 <= ord(c) <= 0xDFFF
        for c in cleaned
    )
    assert clean_text(cleaned) == cleaned


def test_a_data_file_is_cleaned_inside_its_tables_and_lists():
    read = {"section": [{"title": "Axe\x1b 1", "order": 1, "codes": ["a\x07", "b"]}], "version": "1\x0b"}
    assert clean_strings(read) == {"section": [{"title": "Axe 1", "order": 1, "codes": ["a", "b"]}], "version": "1\n"}


@pytest.mark.parametrize(
    "name, of_name, to_name, the_name",
    [
        ("ARS Pays de la Loire", "de l'ARS Pays de la Loire", "à l'ARS Pays de la Loire", "l'ARS Pays de la Loire"),
        (
            "Conseil départemental de Loire-Atlantique",
            "du Conseil départemental de Loire-Atlantique",
            "au Conseil départemental de Loire-Atlantique",
            "le Conseil départemental de Loire-Atlantique",
        ),
        (
            "Association Les Chemins de Loire",
            "de l'Association Les Chemins de Loire",
            "à l'Association Les Chemins de Loire",
            "l'Association Les Chemins de Loire",
        ),
        (
            "EHPAD public Les Tilleuls",
            "de l'EHPAD public Les Tilleuls",
            "à l'EHPAD public Les Tilleuls",
            "l'EHPAD public Les Tilleuls",
        ),
        (
            "MAS Les Hauts de Sèvre",
            "de la MAS Les Hauts de Sèvre",
            "à la MAS Les Hauts de Sèvre",
            "la MAS Les Hauts de Sèvre",
        ),
        ("FAM Le Clos Fleuri", "du FAM Le Clos Fleuri", "au FAM Le Clos Fleuri", "le FAM Le Clos Fleuri"),
        ("Fondation Saint-Jean", "de la Fondation Saint-Jean", "à la Fondation Saint-Jean", "la Fondation Saint-Jean"),
        ("Les Papillons Blancs", "des Papillons Blancs", "aux Papillons Blancs", "les Papillons Blancs"),
        ("Le Clos Fleuri", "du Clos Fleuri", "au Clos Fleuri", "le Clos Fleuri"),
        ("L'Escale", "de l'Escale", "à l'Escale", "l'Escale"),
        ("Coallia", "de Coallia", "à Coallia", "Coallia"),
        ("Emmaüs Connect", "d'Emmaüs Connect", "à Emmaüs Connect", "Emmaüs Connect"),
    ],
)
def test_an_organisation_is_named_with_its_article(name, of_name, to_name, the_name):
    assert (of(name), to(name), the(name)) == (of_name, to_name, the_name)


def test_counts_agree_with_their_noun():
    assert plural(1, "établissement") == "1 établissement"
    assert plural(0, "an") == "0 an"
    assert plural(1200, "établissement") == "1\u00a0200 établissements"
    assert plural(2, "travail", "travaux") == "2 travaux" and agreed(3, "inconnue") == "inconnues"
