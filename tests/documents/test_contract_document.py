"""The contract generated from its model, read back from the Word and PDF files as a reader would."""

import re
import tomllib
from decimal import Decimal

import pytest

from cpom.contracts.models import ContractParty
from cpom.core.formatting import money
from cpom.documents import contract as documents
from cpom.documents.drafting import SHIPPED_FOLDER, save_drafting
from cpom.documents.models import ContractModel, Drafting
from cpom.objectives.models import Target
from cpom.registry.models import Authority, AuthorityKind

PARAMETERS = {
    "og_rep_civility": "Mme",
    "og_rep_name": "Claire Martin",
    "og_rep_title": "Présidente",
    "authority_address": {"ARS-52": "CS 56 233 – 44262 Nantes CEDEX 2", "CD-44": "3 quai Ceineray, 44000 Nantes"},
    "rep_civility": {"ARS-52": "Mme", "CD-44": "M."},
    "rep_name": {"ARS-52": "Nadia Benali", "CD-44": "Julien Moreau"},
    "rep_title": {"ARS-52": "Directrice Générale", "CD-44": "Président"},
    "budget_documents": "l'EPRD et ses annexes",
    "transmission_deadlines": "au plus tard le 30 avril de chaque année",
    "result_rules": "les excédents sont affectés à la réserve de compensation des déficits.",
    "investment_establishment": "IME Les Grands Chênes",
    "alignment_terms": "Alignement étagé sur trois exercices.",
    "gap_reduction_terms": "Réduction des écarts de coût à la place sur la durée du contrat.",
}


def pdl_model() -> ContractModel:
    return ContractModel.objects.get(authority=None, code="pdl-2011")


def draft(contract, users, parameters=None, options=None, choices=None):
    """The lead authority drafts the contract on the PdL 2011 model, keeping every optional clause."""
    model = pdl_model()
    spec_options = {c["id"]: True for c in model.clauses["clauses"] if c["kind"] == "optional"}
    existing = Drafting.objects.filter(contract=contract).first()
    return save_drafting(
        contract,
        users["ars"],
        model=model,
        choices=choices or {"procedure-contradictoire": "non", "affectation": "non_libre", "budget-objet": "surcouts"},
        options=spec_options if options is None else options,
        parameters=PARAMETERS if parameters is None else parameters,
        expected_version=existing.version if existing else None,
    )


def instructions_of(filename: str) -> list[str]:
    data = tomllib.loads((SHIPPED_FOLDER / filename).read_text())
    return [c["text"].strip() for c in data["clause"] if c["kind"] == "instruction"]


@pytest.fixture
def drafted(association_contract, users):
    draft(association_contract, users)
    association_contract.refresh_from_db()
    return association_contract


@pytest.fixture
def snapshot(drafted):
    return documents.contract_snapshot(drafted)


def word_text(read_docx, data: bytes) -> str:
    return read_docx(data).text


def all_paragraph_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _figures(snapshot) -> list[str]:
    """What the reader must find: every FINESS, objective title, target, envelope amount and share."""
    expected = [e["finess"] for e in snapshot["perimeter"]]
    expected += [o["title"] for o in snapshot["objectives"] + snapshot["intentions"]]
    expected += [t["value"] for o in snapshot["objectives"] for i in o["indicators"] for t in i["targets"]]
    for envelope in snapshot["budget"]["envelopes"]:
        expected.append(money(Decimal(envelope["amount"])).replace("\u00a0", " "))
        expected += [money(Decimal(s["amount"])).replace("\u00a0", " ") for s in envelope["shares"]]
    return expected


def test_the_word_file_holds_every_figure_as_stored(snapshot, read_docx):
    document = read_docx(documents.contract_docx(snapshot))
    text = document.text
    assert snapshot["budget"]["envelopes"], "the world's budget pays tariff income"
    for expected in _figures(snapshot):
        assert expected in text, expected


def test_the_pdf_holds_every_figure_as_stored(snapshot, read_pdf):
    text = " ".join(read_pdf(documents.contract_pdf(snapshot)))
    flat = re.sub(r"\s+", " ", text)
    for expected in _figures(snapshot):
        assert re.sub(r"\s+", " ", expected) in flat, expected


def test_no_drafting_instruction_and_no_blank_is_left(snapshot, read_docx, read_pdf):
    word = read_docx(documents.contract_docx(snapshot)).text
    pdf = re.sub(r"\s+", " ", " ".join(read_pdf(documents.contract_pdf(snapshot))))
    for instruction in instructions_of("pdl-2011.toml"):
        for paragraph in instruction.split("\n\n"):
            assert paragraph.strip() not in word
            assert re.sub(r"\s+", " ", paragraph.strip()) not in pdf
    for text in (word, pdf):
        assert "{" not in text and "}" not in text
        assert "à compléter" not in text
        assert not re.search(r"\b[Xx]\b", text), re.search(r".{40}\b[Xx]\b.{40}", text)
        assert "sis....." not in text


def test_the_choices_and_options_are_in_the_text(snapshot, read_docx):
    text = read_docx(documents.contract_docx(snapshot)).text
    assert "La fixation annuelle du tarif n'est pas soumise à la procédure contradictoire." in text
    assert "l'EPRD et ses annexes" in text and "au plus tard le 30 avril de chaque année" in text
    # The world's budget grows at the regional rate: Titre 3.8's fourth option, and only it.
    assert "le taux directeur attribué annuellement correspondra au taux directeur régional." in text
    assert "feront l'objet d'un avenant annuel" not in text
    assert "L'affectation des résultats budgétaires n'est pas libre." in text
    assert "Un comité de pilotage et de suivi (COPIL) du CPOM annuel doit être mis en place" in text


def test_an_optional_clause_left_out_is_not_in_the_text(association_contract, users, read_docx):
    draft(association_contract, users, options={})
    text = read_docx(documents.contract_docx(documents.contract_snapshot(association_contract))).text
    assert "COPIL" not in text
    assert "Modalités d'alignement des ressources" not in text


def test_agreements_follow_the_parties(snapshot, read_docx):
    text = read_docx(documents.contract_docx(snapshot)).text
    # The association is feminine, represented by a woman; the ARS by its Directrice Générale, the council by its
    # Président; the managing body and two authorities are three parties.
    assert "représentée par Mme Claire Martin, Présidente, dûment habilitée à cet effet" in text
    assert "à laquelle a été confié" in text and "qu'elle gère" in text
    assert "Représentée par sa Directrice Générale," in text
    assert "Représenté par son Président," in text
    assert "Les trois parties conviennent :" in text


def test_one_man_for_a_public_body_and_two_councils_make_four_parties(drafted, users, read_docx, read_pdf):
    cd49 = Authority.objects.get(kind=AuthorityKind.CD, territory="49")
    ContractParty.objects.create(contract=drafted, authority=cd49)
    parameters = {
        **PARAMETERS,
        "og_rep_civility": "M.",
        "og_rep_name": "Hervé Dupuis",
        "og_rep_title": "Président",
        **{
            key: {**PARAMETERS[key], "CD-49": value}
            for key, value in (
                ("authority_address", "Hôtel du Département, 49000 Angers"),
                ("rep_civility", "Mme"),
                ("rep_name", "Sophie Garnier"),
                ("rep_title", "Présidente"),
            )
        },
    }
    draft(drafted, users, parameters=parameters)
    snapshot = documents.contract_snapshot(drafted)
    word = read_docx(documents.contract_docx(snapshot)).text
    assert "représenté par M. Hervé Dupuis, Président, dûment habilité à cet effet" in word
    assert "Les quatre parties conviennent :" in word
    assert "Représenté par sa Présidente," in word
    assert word.count("Date et signature :") == 4
    pdf = " ".join(read_pdf(documents.contract_pdf(snapshot)))
    assert pdf.count("Date et signature :") == 4
    for name in ("Association Les Chemins de Loire", "ARS Pays de la Loire", "Conseil départemental de Maine-et-Loire"):
        assert f"Pour {name}" in word


def test_three_parties_sign_a_contract_with_one_council(snapshot, read_docx):
    word = read_docx(documents.contract_docx(snapshot)).text
    assert word.count("Date et signature :") == 3
    # The managing body signs first, the lead authority last.
    order = [
        word.index(f"Pour {name}")
        for name in (
            "Association Les Chemins de Loire",
            "Conseil départemental de Loire-Atlantique",
            "ARS Pays de la Loire",
        )
    ]
    assert order == sorted(order)


def test_the_draft_carries_a_watermark_on_every_page_and_the_final_none(snapshot, read_pdf, read_docx):
    pages = read_pdf(documents.contract_pdf(snapshot, draft=True))
    assert len(pages) > 5
    assert all("PROJET" in page for page in pages)
    assert not any("PROJET" in page for page in read_pdf(documents.contract_pdf(snapshot, draft=False)))
    draft_word = read_docx(documents.contract_docx(snapshot, draft=True)).document
    final_word = read_docx(documents.contract_docx(snapshot, draft=False)).document
    assert 'string="PROJET"' in draft_word.sections[0].header._element.xml
    assert "PROJET" not in final_word.sections[0].header._element.xml


def test_the_fingerprint_is_in_every_page_footer(snapshot, read_pdf, read_docx):
    digest = documents.content_hash(snapshot)
    pages = read_pdf(documents.contract_pdf(snapshot, content_hash=digest, draft=False))
    assert all(f"Empreinte SHA-256 : {digest}" in page for page in pages)
    assert all(re.search(rf"page {n} sur {len(pages)}", page) for n, page in enumerate(pages, start=1))
    footer = read_docx(documents.contract_docx(snapshot, content_hash=digest, draft=False)).document.sections[0].footer
    assert f"Empreinte SHA-256 : {digest}" in "\n".join(p.text for p in footer.paragraphs)
    assert "NUMPAGES" in footer._element.xml
    unsigned = read_pdf(documents.contract_pdf(snapshot, draft=False))
    assert not any("Empreinte" in page for page in unsigned)


def test_the_pdf_has_a_table_of_contents_with_pages(snapshot, read_pdf):
    pages = [re.sub(r"\s+", " ", page) for page in read_pdf(documents.contract_pdf(snapshot))]
    contents = next(page for page in pages if "Sommaire" in page)
    titre_3 = "TITRE 3 - MOYENS FINANCIERS PERMETTANT D'ATTEINDRE LES OBJECTIFS"
    assert titre_3 in contents
    page_of_titre_3 = next(n for n, page in enumerate(pages, start=1) if titre_3 in page and "Sommaire" not in page)
    assert re.search(re.escape(titre_3) + r"[\s.]*" + str(page_of_titre_3) + r"\b", contents)


def test_the_word_file_has_a_table_of_contents_field(snapshot, read_docx):
    document = read_docx(documents.contract_docx(snapshot)).document
    assert 'TOC \\o "1-2"' in document.element.xml
    assert (
        "3.1 – Détermination de la dotation globale commune de référence"
        in read_docx(documents.contract_docx(snapshot)).text
    )


def test_the_snapshot_is_deterministic_and_follows_a_target(drafted):
    first, second = documents.contract_snapshot(drafted), documents.contract_snapshot(drafted)
    assert first == second
    assert documents.canonical_json(first) == documents.canonical_json(second)
    digest = documents.content_hash(first)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    target = Target.objects.filter(indicator__objective__contract=drafted).order_by("pk").first()
    target.value = target.value + "1"
    target.save()
    changed = documents.contract_snapshot(drafted)
    assert documents.content_hash(changed) != digest


def test_canonical_json_is_sorted_and_compact():
    assert documents.canonical_json({"b": "é", "a": [1, 2]}) == '{"a":[1,2],"b":"é"}'.encode()


def test_a_sealed_snapshot_renders_the_same_after_the_data_changed(drafted, read_docx):
    snapshot = documents.contract_snapshot(drafted)
    before = read_docx(documents.contract_docx(snapshot)).text
    objective = drafted.objectives.filter(level="operational").first()
    objective.title = "Un autre titre"
    objective.save()
    assert read_docx(documents.contract_docx(snapshot)).text == before


def test_every_empty_parameter_blocks_the_signature_with_its_form(association_contract, users):
    draft(
        association_contract,
        users,
        parameters={**PARAMETERS, "og_rep_name": "", "rep_name": {"ARS-52": "Nadia Benali"}},
    )
    found = documents.missing_parameters(association_contract)
    messages = [b.message for b in found]
    assert "Rédaction du contrat : « Nom du représentant de l'organisme gestionnaire » n'est pas renseigné." in messages
    assert (
        "Rédaction du contrat : « Nom du représentant de l'autorité (Conseil départemental de Loire-Atlantique) » "
        "n'est pas renseigné." in messages
    )
    assert all(b.url == f"/contrats/{association_contract.pk}/document/redaction/" for b in found)
    assert len(found) == 2


def test_a_parameter_only_a_variant_needs_is_not_asked_for_otherwise(association_contract, users):
    parameters = {k: v for k, v in PARAMETERS.items() if k not in ("budget_documents", "result_rules")}
    draft(
        association_contract,
        users,
        parameters=parameters,
        choices={"procedure-contradictoire": "oui", "affectation": "libre"},
    )
    assert documents.missing_parameters(association_contract) == [
        b for b in documents.missing_parameters(association_contract) if "Documents budgétaires" not in b.message
    ]
    assert not any("affectation" in b.message for b in documents.missing_parameters(association_contract))


def test_the_national_model_renders_its_articles(association_contract, users, read_docx):
    model = ContractModel.objects.get(authority=None, code="national-2017")
    save_drafting(
        association_contract,
        users["ars"],
        model=model,
        choices={},
        options={"annexe-frais-de-siege": True},
        parameters={
            **PARAMETERS,
            "other_contracts": "Aucun.",
            "disputes": "Tribunal administratif de Nantes.",
            "ctp_terms": "Sans objet.",
            "territorial_response": "Réponse aux besoins.",
        },
        expected_version=Drafting.objects.get(contract=association_contract).version,
    )
    text = read_docx(documents.contract_docx(documents.contract_snapshot(association_contract))).text
    for n, heading in enumerate(
        [
            "Article 1 – Identification du gestionnaire et périmètre du contrat",
            "Article 2 – Articulation avec les autres CPOM signés",
            "Article 9 – Date d'entrée en vigueur du CPOM et durée du CPOM",
            "Annexe : Arrêté fixant les frais de siège",
        ]
    ):
        assert heading in text, n
    assert "Annexe : Abrégé du dernier rapport d'évaluation externe" not in text
    for instruction in instructions_of("national-2017.toml"):
        assert instruction not in text


def test_an_address_missing_from_the_registry_blocks_with_the_registry_page(association_contract):
    body = association_contract.managing_body
    body.street = body.postal_code = body.city = ""
    body.save()
    found = documents.missing_parameters(association_contract)
    assert [(b.message, b.url) for b in found] == [
        (
            "Rédaction du contrat : « Adresse de l'organisme gestionnaire (fiche de l'organisme au registre) » "
            "n'est pas renseigné.",
            body.get_absolute_url(),
        )
    ]


def test_the_board_deliberation_date_comes_from_the_stage_that_records_it(drafted, monkeypatch, read_docx):
    # The world's board deliberation, recorded through the consultations (cpom.signing), dates the line.
    text = read_docx(documents.contract_docx(documents.contract_snapshot(drafted))).text
    assert "Vu la délibération en date du 28/09/2026 du Conseil d'Administration" in text
    # Without a stage that knows it, the date is to be set.
    monkeypatch.setattr(documents, "_CONTEXT_HOOKS", [])
    text = read_docx(documents.contract_docx(documents.contract_snapshot(drafted))).text
    assert "Vu la délibération en date du date à fixer du Conseil d'Administration" in text
    # The consultations (a stage above the documents) register what they know of the contract.
    documents.register_context(lambda contract: {"deliberation_date": "2026-11-20"})
    snapshot = documents.contract_snapshot(drafted)
    assert snapshot["context"] == {"deliberation_date": "2026-11-20"}
    text = read_docx(documents.contract_docx(snapshot)).text
    assert (
        "Vu la délibération en date du 20/11/2026 du Conseil d'Administration de Association Les Chemins de Loire, "
        "relative au contrat d'objectifs et de moyens entre Association Les Chemins de Loire et l'Agence Régionale "
        "de Santé des Pays de la Loire, pour la période de 2027 à 2031." in text
    )


def test_each_funder_s_growth_is_printed_as_it_chose_it(drafted, users, read_docx):
    from cpom.core.numbers import rate
    from cpom.finance.budget import services
    from cpom.finance.models import GrowthMode, ReferenceBudget

    budget = ReferenceBudget.objects.get(contract=drafted)
    council = users["cd44"].membership.authority
    growth = services.growth_of(budget, council)
    services.set_growth(
        budget, users["cd44"], council, GrowthMode.AUTHORITY_RATE, Decimal("0.8"), 0, None, growth.version
    )
    growths = services.growth_by_funder(budget)
    assert len({g.rate for g in growths}) == 2
    text = read_docx(documents.contract_docx(documents.contract_snapshot(drafted))).text
    for growth in growths:
        row = f"{growth.authority.name} | {growth.label} | {rate(growth.rate)}"
        assert row.replace("\u00a0", " ") in text.replace("\u00a0", " "), row


def test_the_fiche_signaletique_names_the_legal_finess_and_its_absence_blocks(drafted, read_pdf):
    body = drafted.managing_body
    text = " ".join(read_pdf(documents.contract_pdf(documents.contract_snapshot(drafted))))
    assert f"FINESS juridique : {body.legal_finess}" in re.sub(r"\s+", " ", text).replace("\u00a0", " ")
    assert "registry_legal_finess" not in [b.rule for b in documents.missing_parameters(drafted)]
    body.legal_finess = ""
    body.save()
    found = [(b.message, b.url) for b in documents.missing_parameters(drafted) if b.rule == "registry_legal_finess"]
    assert found == [
        (
            "Fiche signalétique : le FINESS juridique de l'organisme gestionnaire n'est pas renseigné "
            "(fiche de l'organisme au registre).",
            body.get_absolute_url(),
        )
    ]
