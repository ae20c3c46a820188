"""The diagnostic frame is data: the national file loads whole, a faulty file is refused whole with a French message."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cpom.diagnostic.frames import TemplateError, load_template
from cpom.diagnostic.models import DiagnosticTemplate, Part, TemplateSection

TITRE1_SUB_ITEMS = [
    "1.1.1",
    "1.1.2",
    "1.1.3",
    "1.1.4",
    "1.1.5",
    "1.2.1",
    "1.2.2",
    "1.2.3",
    "1.2.4",
    "1.3.1",
    "1.3.2",
    "1.3.3",
    "1.3.4",
    "1.3.5",
    "1.4.1",
    "1.4.2",
    "1.4.3",
]


def test_the_national_frame_has_every_titre1_sub_item_the_8_anap_sheets_and_the_free_section(frame):
    sections = list(frame.sections.select_related("parent"))
    titre1 = [s for s in sections if s.part == Part.TITRE1]
    assert [s.code for s in titre1 if s.parent is None] == ["1.1", "1.2", "1.3", "1.4"]
    assert [s.code for s in titre1 if s.parent is not None] == TITRE1_SUB_ITEMS
    assert all(s.parent.code == s.code.rsplit(".", 1)[0] and s.axis == s.parent.code for s in titre1 if s.parent)
    anap = [s for s in sections if s.part == Part.ANAP]
    assert len(anap) == 8
    assert "Le système d'information" in [s.title for s in anap]
    assert [s.code for s in sections if s.part == Part.FREE] == ["libre"]
    assert "Novatrices" in [item.label for item in frame.checklist.all()]


def test_loading_the_frame_twice_keeps_the_sections_identity(frame):
    before = dict(frame.sections.values_list("code", "pk"))
    load_template()
    assert dict(frame.sections.values_list("code", "pk")) == before


GOOD_FRAME = """
[template]
code = "trame-essai"
label = "Trame d'essai"
version = "1"

[[checklist]]
code = "activite"
label = "Activité"

[[section]]
code = "1.1"
part = "titre1"
axis = "1.1"
title = "Prestations"

[[section]]
code = "1.1.1"
part = "titre1"
parent = "1.1"
axis = "1.1"
title = "Adéquation de la population"
indicators = ["i-25"]
checklist = ["activite"]
"""

BAD_FRAMES = {
    "unknown indicator": (
        GOOD_FRAME.replace('indicators = ["i-25"]', 'indicators = ["i-25", "i-999"]'),
        "section n° 2 (1.1.1), clé « indicators » : indicateur inconnu du catalogue : i-999.",
    ),
    "unknown axis": (
        GOOD_FRAME.replace('parent = "1.1"\naxis = "1.1"', 'parent = "1.1"\naxis = "1.7"'),
        "section n° 2 (1.1.1), clé « axis » : « 1.7 » n'est pas un axe du Titre 1",
    ),
    "duplicated code": (
        GOOD_FRAME.replace('code = "1.1.1"', 'code = "1.1"').replace('parent = "1.1"\n', ""),
        "section n° 2 (1.1) : le code « 1.1 » est déjà utilisé.",
    ),
    "parent defined after": (
        GOOD_FRAME.replace('parent = "1.1"', 'parent = "1.2"'),
        "section n° 2 (1.1.1), clé « parent » : la section « 1.2 » doit être définie avant.",
    ),
}


@pytest.mark.parametrize("fault", BAD_FRAMES)
def test_a_faulty_frame_is_refused_whole_with_the_file_and_section_named(tmp_path, fault):
    content, message = BAD_FRAMES[fault]
    path = tmp_path / "trame_autorite.toml"
    path.write_text(content, encoding="utf-8")
    sections_before = TemplateSection.objects.count()
    with pytest.raises(TemplateError) as refused:
        load_template(path)
    assert str(refused.value).startswith("trame_autorite.toml, ")
    assert message in str(refused.value)
    assert not DiagnosticTemplate.objects.filter(code="trame-essai").exists()
    assert TemplateSection.objects.count() == sections_before


def test_the_good_test_frame_does_load(tmp_path):
    """Guards the test above: each faulty file differs from a loadable one by its fault only."""
    path = tmp_path / "trame_autorite.toml"
    path.write_text(GOOD_FRAME, encoding="utf-8")
    assert [s.code for s in load_template(path).sections.all()] == ["1.1", "1.1.1"]


def test_an_escaped_control_character_in_a_frame_is_not_loaded(tmp_path):
    """TOML lets « \\u001b » through: the section title must not carry it into the Word synthesis."""
    path = tmp_path / "trame_autorite.toml"
    path.write_text(GOOD_FRAME.replace('title = "Adéquation', 'title = "\\u001b[1mAdéquation\\u000b'), encoding="utf-8")
    section = load_template(path).sections.get(code="1.1.1")
    assert section.title == "[1mAdéquation\n de la population"


def test_the_command_loads_the_national_frame_and_says_so_in_french(capsys):
    call_command("diagnostic", "charger-trame")
    output = capsys.readouterr().out
    assert "(trame nationale) : 30 sections, 9 thèmes dans la check-list." in output


def test_the_command_loads_an_authority_frame(tmp_path, capsys):
    from cpom.registry.models import Authority

    ars = Authority.objects.get(kind="ARS")
    path = tmp_path / "trame_ars.toml"
    path.write_text(GOOD_FRAME, encoding="utf-8")
    call_command("diagnostic", "charger-trame", str(path), "--autorite", str(ars.pk))
    assert DiagnosticTemplate.objects.get(code="trame-essai").authority == ars
    assert "pour l'ARS Pays de la Loire : 2 sections, 1 thème dans la check-list." in capsys.readouterr().out


def test_the_command_turns_a_faulty_frame_into_a_french_error(tmp_path):
    path = tmp_path / "trame_autorite.toml"
    path.write_text(BAD_FRAMES["unknown axis"][0], encoding="utf-8")
    with pytest.raises(CommandError, match="trame_autorite.toml, section n° 2 \\(1.1.1\\), clé « axis »"):
        call_command("diagnostic", "charger-trame", str(path))
    with pytest.raises(CommandError, match="absente.toml : fichier introuvable."):
        call_command("diagnostic", "charger-trame", str(Path(tmp_path) / "absente.toml"))
    with pytest.raises(CommandError, match="Autorité inconnue : 999999"):
        call_command("diagnostic", "charger-trame", str(path), "--autorite", "999999")
    assert not DiagnosticTemplate.objects.filter(code="trame-essai").exists()
