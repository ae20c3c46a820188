"""The consultations before signature: who records which, what is refused, and what the readiness check and the
document take from them."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

import factories
from cpom.audit.models import AuditEntry
from cpom.contracts import guards
from cpom.signing import services
from cpom.signing.models import Consultation
from support import element, page_text, programmed_copy, rows_of, text_of, walk_to


def _page(contract):
    return reverse("signing:consultations", kwargs={"contract_id": contract.pk})


def _cvs_form(contract, **fields):
    establishment = contract.establishments.order_by("finess").first()
    return {
        "kind": "cvs",
        "establishment": establishment.pk,
        "body": "",
        "held_on": "2026-10-05",
        "outcome": "favourable",
        "comment": "Avis unanime.",
        **fields,
    }


def test_the_managing_body_records_its_cvs_with_its_minutes_and_the_page_lists_it(
    association_contract, client_for, users
):
    viewer = client_for("asso")
    minutes = factories.pdf_upload("pv-cvs.pdf", b"%PDF-1.4\n% proces-verbal\n")
    response = viewer.post(_page(association_contract), {**_cvs_form(association_contract), "minutes": minutes})
    assert response.status_code == 302
    page = viewer.get(_page(association_contract))
    rows = rows_of(page, "//table[@data-testid='consultations']/tbody")
    establishment = association_contract.establishments.order_by("finess").first()
    assert [
        "05/10/2026",
        "Conseil de la vie sociale (CVS)",
        f"Conseil de la vie sociale – {establishment.name}",
        "Avis favorable",
        "Avis unanime.",
        "pv-cvs.pdf",
    ] == rows[-1][:6]
    link = element(page, "//table[@data-testid='consultations']//a[text()='pv-cvs.pdf']").get("href")
    download = viewer.get(link)
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n% proces-verbal\n"
    assert download["Content-Disposition"].startswith("attachment")
    consultation = Consultation.objects.get(contract=association_contract, kind="cvs")
    assert consultation.recorded_by == users["asso"] and consultation.minutes_name == "pv-cvs.pdf"
    assert AuditEntry.objects.filter(
        object_id=str(association_contract.pk), action=f"Consultation enregistrée : {consultation.body}"
    ).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"establishment": ""}, "Établissement : le conseil de la vie sociale est celui d'un établissement."),
        ({"outcome": "adopted"}, "Résultat : pour « Conseil de la vie sociale (CVS) », choisissez"),
        ({"held_on": "2099-01-01"}, "Date : le 01/01/2099 est dans le futur ; enregistrez une consultation tenue."),
        ({"held_on": ""}, "Date : indiquez la date de la consultation."),
    ],
)
def test_a_wrong_consultation_is_refused_in_french_and_nothing_is_saved(
    association_contract, client_for, fields, message
):
    before = Consultation.objects.count()
    response = client_for("asso").post(_page(association_contract), _cvs_form(association_contract, **fields))
    assert response.status_code == 400
    assert message in page_text(response)
    assert Consultation.objects.count() == before


def test_minutes_that_are_not_a_pdf_are_refused_naming_the_file(association_contract, client_for):
    before = Consultation.objects.count()
    minutes = factories.pdf_upload("pv.exe", b"MZ\x90\x00", "application/octet-stream")
    response = client_for("asso").post(
        _page(association_contract), {**_cvs_form(association_contract), "minutes": minutes}
    )
    assert response.status_code == 400
    assert "Procès-verbal : pv.exe n'est pas un PDF (type « application/octet-stream »)." in page_text(response)
    assert Consultation.objects.count() == before


def test_the_managing_body_records_its_own_bodies_any_party_the_health_insurance_opinion(association_contract, users):
    today = timezone.localdate()
    with pytest.raises(services.SigningRefused) as refused:
        factories.consultation(association_contract, users["cd44"], "board", today, "adopted")
    assert refused.value.reasons == [
        "« Délibération du conseil d'administration de l'organisme gestionnaire » : c'est l'organisme gestionnaire "
        "qui enregistre les consultations de ses instances."
    ]
    opinion = factories.consultation(association_contract, users["ars"], "health_insurance", today, "favourable")
    assert (opinion.body, opinion.organisation_label) == ("Assurance maladie", "ARS Pays de la Loire")
    for outsider in ("cd49", "ehpad"):
        with pytest.raises(services.SigningRefused) as refused:
            factories.consultation(association_contract, users[outsider], "health_insurance", today, "favourable")
        assert refused.value.reasons == ["Seules les parties au contrat peuvent effectuer cette action."]


def test_no_consultation_is_recorded_once_the_version_is_sent(sent_version, users, client_for):
    contract = sent_version.contract
    with pytest.raises(services.SigningRefused) as refused:
        factories.consultation(contract, users["asso"], "staff", timezone.localdate(), "favourable")
    assert refused.value.reasons == [
        "Le contrat est à l'état « En signature » : les consultations s'enregistrent avant l'envoi de la version "
        "finale pour signature."
    ]
    page = client_for("asso").get(_page(contract))
    assert "les consultations s'enregistrent avant l'envoi" in text_of(
        element(page, "//*[@data-testid='consultation-refusal']")
    )


def test_without_a_board_deliberation_the_readiness_check_blocks_and_points_to_the_page(association_contract, users):
    copy = walk_to(programmed_copy(association_contract, users["ars"]), "negotiation")
    blockers = [b for b in guards.blockers(copy) if b.rule == "no_board_deliberation"]
    assert [(b.message, b.url) for b in blockers] == [
        ("La délibération du conseil d'administration n'est pas enregistrée.", _page(copy))
    ]
    assert services.deliberation_context(copy) == {}
    factories.consultation(copy, users["asso"], "board", date(2026, 10, 1), "rejected")
    assert [b.rule for b in guards.blockers(copy)].count("no_board_deliberation") == 1
    factories.consultation(copy, users["asso"], "board", date(2026, 10, 12), "adopted")
    assert "no_board_deliberation" not in [b.rule for b in guards.blockers(copy)]
    # Its date is the one the contract's « Vu la délibération » line cites.
    assert services.deliberation_context(copy) == {"deliberation_date": "2026-10-12"}


def test_the_board_deliberation_of_the_world_is_shown_on_the_page(association_contract, client_for):
    page = client_for("cd44").get(_page(association_contract))
    assert text_of(element(page, "//*[@data-testid='deliberation']")) == (
        "Délibération du conseil d'administration adoptée le 28/09/2026 : le contrat la vise."
    )
