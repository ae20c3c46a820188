"""Contract models as data: the shipped files read through, an authority's own loaded all or nothing, every error
naming the file, the clause and its line."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpom.documents import template
from cpom.documents.drafting import SHIPPED_FILES, SHIPPED_FOLDER
from cpom.documents.models import ContractModel

GOOD = """
[model]
code = "ars-52-2026"
version = "1"
title = "Modèle de l'ARS des Pays de la Loire (2026)"

[[parameter]]
id = "og_rep_name"
label = "Nom du représentant"

[[clause]]
id = "objet"
kind = "param"
heading = "Objet"
text = "Le contrat lie {og_name}, représenté par {og_rep_name}."

[[clause]]
id = "affectation"
kind = "choice"
label = "Affectation des résultats"

[[clause.variant]]
id = "libre"
text = "Affectation libre."

[[clause.variant]]
id = "non_libre"
text = "Affectation non libre."
"""


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in GOOD
    path = tmp_path / "ars-52.toml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.pure
@pytest.mark.parametrize("name", SHIPPED_FILES)
def test_the_shipped_models_read_through(name):
    spec = template.parse((SHIPPED_FOLDER / name).read_text(encoding="utf-8"), name)
    assert spec.instructions, "each shipped model says its drafting advice"
    kinds = {c.kind for c in spec.clauses}
    assert {"fixed", "param", "choice", "negotiated", "instruction"} <= kinds


@pytest.mark.pure
def test_the_pdl_model_offers_titre_3s_four_options_and_the_guides_clauses():
    spec = template.parse((SHIPPED_FOLDER / "pdl-2011.toml").read_text(encoding="utf-8"), "pdl-2011.toml")
    evolution = next(c for c in spec.clauses if c.id == "evolution")
    assert [v.id for v in evolution.variants] == ["authority_rate", "zero_rate", "annual_amendment", "regional_rate"]
    assert evolution.bound == "growth_mode"
    assert {c.id for c in spec.options} >= {"copil", "investissement", "evaluation", "modification"}
    assert {v.id for v in next(c for c in spec.clauses if c.id == "affectation").variants} == {"libre", "non_libre"}


@pytest.mark.pure
@pytest.mark.parametrize(
    "old,new,message",
    [
        (
            'kind = "param"',
            'kind = "paragraphe"',
            "clause « objet » (ligne 12) : type de clause inconnu « paragraphe »",
        ),
        (
            '[[clause.variant]]\nid = "non_libre"\ntext = "Affectation non libre."\n',
            "",
            "clause « affectation » (ligne 18) : un choix demande au moins deux variantes",
        ),
        ("{og_rep_name}", "{og_rep_nom}", "clause « objet » (ligne 12) : champ inconnu « {og_rep_nom} »"),
        (
            "représenté par",
            "{?og_feminine|représenté}",
            "clause « objet » (ligne 12) : accord « {?og_feminine|représenté} »",
        ),
        ('code = "ars-52-2026"', 'code = "ars 52"', "[model] : le code s'écrit en minuscules"),
        ('title = "Modèle', "title = Modèle", "fichier TOML invalide"),
    ],
)
def test_a_broken_model_is_refused_naming_file_clause_and_line(tmp_path, old, new, message):
    path = _broken(tmp_path, old, new)
    with pytest.raises(template.ModelError) as refused:
        template.parse(path.read_text(encoding="utf-8"), path.name)
    assert str(refused.value).startswith("ars-52.toml")
    assert message in str(refused.value)


@pytest.mark.pure
def test_agreement_and_repeat_render_as_the_data_says():
    spec = template.parse(GOOD.replace("représenté par", "{?og_feminine|représenté|représentée} par"), "modele.toml")
    context = template.Context(
        texts={"og_name": "L'association", "og_rep_name": "Mme Roux"}, flags={"og_feminine": True}, items={}
    )
    pieces = template.render(spec, {"affectation": "non_libre"}, {}, {}, context)
    assert [p.text for p in pieces] == [
        "Objet",
        "Le contrat lie L'association, représentée par Mme Roux.",
        "Affectation non libre.",
    ]
    masculine = template.Context(texts={"og_name": "L'établissement", "og_rep_name": ""}, flags={}, items={})
    texts = [p.text for p in template.render(spec, {}, {}, {}, masculine)]
    assert "Le contrat lie L'établissement, représenté par [à compléter : og_rep_name]." in texts


def test_loading_a_model_through_the_command_names_what_it_loaded(db, tmp_path, users):
    path = tmp_path / "ars-52.toml"
    path.write_text(GOOD, encoding="utf-8")
    authority = users["ars"].membership.authority
    out = io.StringIO()
    call_command("contrats", "charger-modele", str(path), "--autorite", str(authority.pk), stdout=out)
    model = ContractModel.objects.get(authority=authority, code="ars-52-2026")
    assert model.version == "1" and model.title == "Modèle de l'ARS des Pays de la Loire (2026)"
    assert f"empreinte {model.sha256}" in out.getvalue() and ": chargé (2 clauses" in out.getvalue()
    # The same file again changes nothing; the same version with another text is refused.
    call_command("contrats", "charger-modele", str(path), "--autorite", str(authority.pk), stdout=io.StringIO())
    path.write_text(GOOD.replace("Affectation libre.", "Affectation libre des résultats."), encoding="utf-8")
    with pytest.raises(
        CommandError, match="la version 1 du modèle « ars-52-2026 » est déjà chargée avec un autre texte"
    ):
        call_command("contrats", "charger-modele", str(path), "--autorite", str(authority.pk))
    assert ContractModel.objects.filter(code="ars-52-2026").count() == 1


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('kind = "param"', 'kind = "paragraphe"', "ars-52.toml, clause « objet » (ligne 12) : type de clause inconnu"),
        ("{og_rep_name}", "{og_rep_nom}", "ars-52.toml, clause « objet » (ligne 12) : champ inconnu « {og_rep_nom} »"),
        ('[[clause.variant]]\nid = "non_libre"\ntext = "Affectation non libre."\n', "", "clause « affectation »"),
        ("[[clause]]\nid", "[[clause]\nid", "ars-52.toml : fichier TOML invalide"),
    ],
)
def test_a_broken_file_loads_nothing(db, tmp_path, old, new, message):
    before = list(ContractModel.objects.values_list("pk", flat=True))
    with pytest.raises(CommandError) as refused:
        call_command("contrats", "charger-modele", str(_broken(tmp_path, old, new)))
    assert message in str(refused.value)
    assert list(ContractModel.objects.values_list("pk", flat=True)) == before


def test_the_shipped_models_are_in_every_database(db):
    shipped = ContractModel.objects.filter(authority=None)
    assert sorted(shipped.values_list("code", flat=True)) == ["national-2017", "pdl-2011"]
    pdl = shipped.get(code="pdl-2011")
    assert pdl.text == (SHIPPED_FOLDER / "pdl-2011.toml").read_text(encoding="utf-8")
    assert len(pdl.sha256) == 64


def test_the_command_writes_the_contract(db, tmp_path, association_contract, read_docx, read_pdf):
    output = tmp_path / "contrat.docx"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "contrats",
        "document",
        association_contract.reference,
        "--format",
        "docx",
        "--sortie",
        str(output),
        stdout=out,
        stderr=err,
    )
    assert f"{association_contract.reference} : contrat écrit dans {output} (docx)." in out.getvalue()
    word = read_docx(output.read_bytes())
    assert "TITRE 1 - DIAGNOSTIC PARTAGE" in word.text
    pdf = tmp_path / "contrat.pdf"
    call_command("contrats", "document", association_contract.reference, "--sortie", str(pdf), stdout=io.StringIO())
    assert all("PROJET" in page for page in read_pdf(pdf.read_bytes()))
    with pytest.raises(CommandError, match="Aucun contrat ne porte la référence « CPOM-INCONNU »"):
        call_command("contrats", "document", "CPOM-INCONNU", "--sortie", str(pdf))
