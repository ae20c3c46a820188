"""The contract's text page and its drafting page, as the lead authority and the others use them."""

import pytest
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.documents.models import ContractModel, Drafting
from support import assert_stale, element, elements, page_text, text_of


def _form_data(drafting, **changes) -> dict:
    """What the drafting page posts back when nothing is changed, then ``changes``."""
    data = {"model": str(drafting.model_id), "version": str(drafting.version)}
    for key, value in drafting.parameters.items():
        if isinstance(value, dict):
            data.update({f"{key}__{code}": text for code, text in value.items()})
        else:
            data[key] = value
    for key, value in drafting.choices.items():
        data[f"choice_{key}"] = value
    for key, kept in drafting.options.items():
        if kept:
            data[f"option_{key}"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def drafting(association_contract):
    return Drafting.objects.get(contract=association_contract)


def test_the_contract_page_reads_article_by_article(client_for, association_contract):
    page = client_for("asso").get(reverse("documents:contract", kwargs={"contract_id": association_contract.pk}))
    text = text_of(element(page, "//article[@data-testid='contract-text']"))
    headings = [text_of(h) for h in elements(page, "//article//h2")]
    assert "TITRE 1 - DIAGNOSTIC PARTAGE" in headings
    assert "TITRE 3 - MOYENS FINANCIERS PERMETTANT D'ATTEINDRE LES OBJECTIFS" in headings
    assert "Les trois parties conviennent :" in text
    for establishment in association_contract.establishments.all():
        assert establishment.finess in text
    assert len(elements(page, "//div[@data-testid='signature-block']")) == 3
    # Nothing is missing in the world's drafting; the download links are there.
    assert "Rien : chaque paramètre du modèle est renseigné." in text_of(
        element(page, "//section[@data-testid='contract-missing']")
    )
    link = element(page, "//a[@data-testid='contract-docx']").get("href")
    response = client_for("asso").get(link)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert f"contrat-{association_contract.reference}.docx" in response["Content-Disposition"]


def test_what_is_missing_is_said_with_the_form_that_fills_it(client_for, association_contract, drafting):
    parameters = {**drafting.parameters, "og_rep_title": ""}
    Drafting.objects.filter(pk=drafting.pk).update(parameters={k: v for k, v in parameters.items() if v})
    page = client_for("cd44").get(reverse("documents:contract", kwargs={"contract_id": association_contract.pk}))
    missing = element(page, "//section[@data-testid='contract-missing']")
    assert (
        "Rédaction du contrat : « Titre du représentant de l'organisme gestionnaire » n'est pas renseigné."
        in text_of(missing)
    )
    assert elements(missing, ".//a/@href") == [
        reverse("documents:drafting", kwargs={"contract_id": association_contract.pk})
    ]
    assert "[à compléter : Titre du représentant de l'organisme gestionnaire]" in page_text(page)


def test_the_lead_authority_fills_the_drafting_and_it_is_journaled(client_for, association_contract, drafting):
    url = reverse("documents:drafting", kwargs={"contract_id": association_contract.pk})
    client = client_for("ars")
    page = client.get(url)
    labels = [text_of(label).removesuffix("\u00a0:") for label in elements(page, "//form//label")]
    assert "Nom du représentant de l'autorité – Conseil départemental de Loire-Atlantique" in labels
    assert "Procédure contradictoire pour la fixation annuelle du tarif" in labels
    response = client.post(
        url,
        _form_data(
            drafting,
            **{
                "choice_affectation": "non_libre",
                "result_rules": "Excédents affectés à l'investissement.",
                "rep_name__CD-44": "Yann Le Goff",
            },
        ),
    )
    assert response.status_code == 302
    drafting.refresh_from_db()
    assert drafting.choices["affectation"] == "non_libre"
    assert drafting.parameters["rep_name"]["CD-44"] == "Yann Le Goff"
    entry = AuditEntry.objects.filter(
        object_id=str(association_contract.pk), action="Rédaction du contrat enregistrée"
    ).latest("at")
    assert entry.after["paramètres"]["result_rules"] == "Excédents affectés à l'investissement."
    text = page_text(client.get(reverse("documents:contract", kwargs={"contract_id": association_contract.pk})))
    assert (
        "L'affectation des résultats budgétaires n'est pas libre. Elle suit les règles suivantes : Excédents affectés à l'investissement."
        in text
    )


def test_a_bad_civility_is_refused_naming_the_field(client_for, association_contract, drafting):
    url = reverse("documents:drafting", kwargs={"contract_id": association_contract.pk})
    response = client_for("ars").post(url, _form_data(drafting, og_rep_civility="Dr", og_rep_name="Autre nom"))
    assert response.status_code == 200
    assert "« Civilité du représentant de l'organisme gestionnaire » : « M. » ou « Mme »." in page_text(response)
    assert Drafting.objects.get(pk=drafting.pk).parameters == drafting.parameters


def test_a_drafting_saved_meanwhile_is_not_overwritten(client_for, association_contract, drafting):
    url = reverse("documents:drafting", kwargs={"contract_id": association_contract.pk})
    stale = _form_data(drafting, og_rep_name="Première")
    Drafting.objects.filter(pk=drafting.pk).update(version=drafting.version + 1)
    assert_stale(client_for("ars").post(url, stale))
    assert Drafting.objects.get(pk=drafting.pk).parameters["og_rep_name"] == drafting.parameters["og_rep_name"]


@pytest.mark.parametrize("username", ["asso", "cd44"])
def test_only_the_lead_authority_drafts(client_for, association_contract, drafting, username):
    url = reverse("documents:drafting", kwargs={"contract_id": association_contract.pk})
    page = client_for(username).get(url)
    assert "Seule l'autorité cheffe de file rédige le contrat (modèle, choix et paramètres)." in page_text(page)
    assert not elements(page, "//form[@data-testid='drafting-form']//button")
    response = client_for(username).post(url, _form_data(drafting, og_rep_name="Intrus"))
    assert response.status_code == 403
    assert Drafting.objects.get(pk=drafting.pk).parameters["og_rep_name"] == drafting.parameters["og_rep_name"]


def test_the_lead_authority_switches_to_the_national_model(client_for, association_contract, drafting):
    national = ContractModel.objects.get(authority=None, code="national-2017")
    url = reverse("documents:drafting", kwargs={"contract_id": association_contract.pk})
    response = client_for("ars").post(url, _form_data(drafting, model=str(national.pk), choice_affectation=None))
    assert response.status_code == 302
    drafting.refresh_from_db()
    assert drafting.model == national
    # The representatives' names carry over; the national model's own parameters are now missing.
    assert drafting.parameters["og_rep_name"] == "Claire Martin"
    page = client_for("ars").get(reverse("documents:contract", kwargs={"contract_id": association_contract.pk}))
    assert "Article 6 – Traitement des litiges" in page_text(page)
    assert (
        "« Traitement des litiges : instance de conciliation et juridiction compétente » n'est pas renseigné"
        in page_text(page)
    )


def test_a_signed_contracts_drafting_is_frozen(client_for, ehpad_contract):
    drafting = Drafting.objects.get(contract=ehpad_contract)
    url = reverse("documents:drafting", kwargs={"contract_id": ehpad_contract.pk})
    response = client_for("ars").post(url, _form_data(drafting, og_rep_name="Autre"))
    assert response.status_code == 403
    assert "Le contrat n'est plus en négociation : sa rédaction est figée." in page_text(response)
    page = client_for("ehpad").get(reverse("documents:contract", kwargs={"contract_id": ehpad_contract.pk}))
    # Signed: the text is no longer a draft.
    assert "Projet de contrat" not in page_text(page)
