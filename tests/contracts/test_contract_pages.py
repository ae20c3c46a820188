"""Programming a contract and editing its frame: rules, bad input, audit and optimistic locking."""

from datetime import date

import pytest
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.contracts.deadlines import next_deadline
from cpom.contracts.models import Contract, State
from cpom.registry.models import Authority, Establishment, ManagingBody
from support import assert_stale


def _new_contract_post(**overrides):
    ehpad = ManagingBody.objects.get(name__startswith="EHPAD")
    data = {
        "reference": "CPOM-PDL-2029-049-02",
        "title": "Deuxième CPOM de l'EHPAD Les Tilleuls",
        "managing_body": ehpad.pk,
        "legal_basis": "L313-12-IVter",
        "duration_years": "5",
        "start_date": "2029-01-01",
        "end_date": "",
        "target_signature_date": "2028-11-30",
        "lead_authority": Authority.objects.get(kind="ARS").pk,
        "other_authorities": [Authority.objects.get(kind="CD", territory="49").pk],
        "establishments": list(Establishment.objects.filter(managing_body=ehpad).values_list("pk", flat=True)),
    }
    data.update(overrides)
    return data


def test_the_ars_programs_a_contract_with_a_computed_end_date(client_for):
    response = client_for("ars").post(reverse("contracts:create"), _new_contract_post(), follow=True)
    contract = Contract.objects.get(reference="CPOM-PDL-2029-049-02")
    assert contract.end_date == date(2028 + 5, 12, 31)
    assert contract.state == State.PROGRAMMED
    assert [str(p) for p in contract.parties.all()] == [
        "ARS Pays de la Loire (cheffe de file)",
        "Conseil départemental de Maine-et-Loire",
    ]
    body = response.content.decode()
    assert "est inscrit à la programmation" in body and "Périmètre : 2 établissements" in body
    assert AuditEntry.objects.filter(object_id=str(contract.pk), action="Programmation du contrat").exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"end_date": "2028-06-30"}, "La date de fin doit être postérieure à la date d&#x27;effet."),
        (
            {"end_date": "2034-06-30"},
            "La date de fin dépasse la durée du contrat (5 ans) : elle doit être au plus tard le 31/12/2033.",
        ),
        ({"duration_years": "7"}, "Un CPOM est conclu pour cinq ans au plus."),
        ({"target_signature_date": "2035-01-01"}, "La signature visée doit précéder la fin du contrat."),
        ({"start_date": "01/2029"}, "Saisissez une date valide."),
        ({"reference": "CPOM-PDL-2024-049-07"}, "Un contrat porte déjà cette référence."),
    ],
)
def test_bad_contract_input_gets_a_french_message_and_saves_nothing(client_for, overrides, message):
    before = Contract.objects.count()
    response = client_for("ars").post(reverse("contracts:create"), _new_contract_post(**overrides))
    assert message in response.content.decode()
    assert Contract.objects.count() == before


THIS_YEAR = date.today().year


@pytest.mark.parametrize(
    "field, typed, window",
    [
        (
            "start_date",
            "1900-01-01",
            f"entre le 01/01/{THIS_YEAR - 5} et le 31/12/{THIS_YEAR + 5} (vous avez saisi le 01/01/1900)",
        ),
        (
            "start_date",
            "2999-01-01",
            f"entre le 01/01/{THIS_YEAR - 5} et le 31/12/{THIS_YEAR + 5} (vous avez saisi le 01/01/2999)",
        ),
        (
            "target_signature_date",
            "1899-06-30",
            f"entre le 01/01/{THIS_YEAR - 5} et le 31/12/{THIS_YEAR + 10} (vous avez saisi le 30/06/1899)",
        ),
    ],
)
def test_a_date_out_of_the_plausible_window_is_refused_naming_the_window(client_for, field, typed, window):
    before = Contract.objects.count()
    response = client_for("ars").post(reverse("contracts:create"), _new_contract_post(**{field: typed}))
    assert f"La date doit être comprise {window}." in response.content.decode()
    assert Contract.objects.count() == before


def test_perimeter_must_belong_to_the_managing_body(client_for):
    mas = Establishment.objects.get(name="MAS Les Hauts de Sèvre")
    data = _new_contract_post()
    data["establishments"].append(mas.pk)
    response = client_for("ars").post(reverse("contracts:create"), data)
    assert (
        "Un établissement choisi n&#x27;est pas géré par l&#x27;organisme gestionnaire du contrat."
        in response.content.decode()
    )
    assert not Contract.objects.filter(reference="CPOM-PDL-2029-049-02").exists()


def test_managing_bodies_and_councils_without_validation_role_cannot_program(client_for, users):
    assert client_for("asso").get(reverse("contracts:create")).status_code == 403
    users["cd44"].membership.role = "contribute"
    users["cd44"].membership.save()
    before = Contract.objects.count()
    assert client_for("cd44").post(reverse("contracts:create"), _new_contract_post()).status_code == 403
    assert Contract.objects.count() == before


def test_perimeter_choices_follow_the_managing_body(client_for):
    ehpad = ManagingBody.objects.get(name__startswith="EHPAD")
    body = client_for("ars").get(reverse("contracts:perimeter_choices"), {"managing_body": ehpad.pk}).content.decode()
    assert "EHPAD Les Tilleuls" in body and "SSIAD du Baugeois" in body and "MAS Les Hauts" not in body


def _edit_post(contract, **overrides):
    data = {
        "reference": contract.reference,
        "title": contract.title,
        "legal_basis": contract.legal_basis,
        "duration_years": contract.duration_years,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "target_signature_date": "2026-12-18",
        "lead_authority": contract.lead_authority_id,
        "other_authorities": [p.authority_id for p in contract.parties.all() if not p.is_lead],
        "establishments": list(contract.establishments.values_list("pk", flat=True)),
        "version": contract.version,
    }
    data.update(overrides)
    return data


def test_the_lead_edits_the_frame_and_the_change_is_audited(client_for, association_contract):
    client = client_for("ars")
    client.post(
        reverse("contracts:update", kwargs={"contract_id": association_contract.pk}), _edit_post(association_contract)
    )
    association_contract.refresh_from_db()
    assert association_contract.target_signature_date == date(2026, 12, 18)
    entry = AuditEntry.objects.get(object_id=str(association_contract.pk), action="Modification du cadre du contrat")
    assert ("target_signature_date", "2026-12-15", "2026-12-18") in entry.changed_fields()
    assert entry.user.username == "ars"


def test_a_stale_edit_is_refused_not_overwritten(client_for, association_contract):
    stale = _edit_post(association_contract, title="Titre d'un onglet resté ouvert")
    client = client_for("ars")
    client.post(
        reverse("contracts:update", kwargs={"contract_id": association_contract.pk}), _edit_post(association_contract)
    )
    response = client.post(reverse("contracts:update", kwargs={"contract_id": association_contract.pk}), stale)
    assert_stale(response)
    association_contract.refresh_from_db()
    assert association_contract.title == "CPOM de l'Association Les Chemins de Loire"


def test_the_other_party_and_the_managing_body_cannot_edit_the_frame(client_for, association_contract):
    url = reverse("contracts:update", kwargs={"contract_id": association_contract.pk})
    for username in ("cd44", "asso"):
        assert client_for(username).post(url, _edit_post(association_contract, title="Autre")).status_code == 403
    association_contract.refresh_from_db()
    assert association_contract.title == "CPOM de l'Association Les Chemins de Loire"


def test_a_signed_contract_frame_is_frozen(client_for, ehpad_contract):
    url = reverse("contracts:update", kwargs={"contract_id": ehpad_contract.pk})
    assert client_for("ars").post(url, _edit_post(ehpad_contract, title="Autre")).status_code == 403
    assert type(ehpad_contract).objects.get(pk=ehpad_contract.pk).title == ehpad_contract.title


def test_home_lists_my_contracts_with_state_and_next_deadline(client_for, ehpad_contract):
    body = client_for("ehpad").get("/").content.decode()
    assert "CPOM-PDL-2024-049-07" in body and "En vigueur" in body
    deadline = next_deadline(ehpad_contract, date(2026, 11, 22))
    assert deadline.label == "Dialogue de gestion de l'année 3" and deadline.day == date(2026, 12, 31)


def test_home_filters_by_state_with_htmx(client_for):
    client = client_for("ars")
    body = client.get("/", {"etat": "in_force"}, HTTP_HX_REQUEST="true").content.decode()
    assert "CPOM-PDL-2024-049-07" in body and "CPOM-PDL-2027-044-01" not in body and "<html" not in body
