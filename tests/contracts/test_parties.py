"""Parties must be competent for the perimeter; any other co-signatory is proposed by the lead alone and sees nothing of
the managing body until the managing body has accepted it.

The reproduction: as cd44 (Loire-Atlantique), programming a contract for the association (all its establishments in
44) with cd49 (Maine-et-Loire) as co-signer opened the association's establishments, indicators and accounts to cd49.
"""

from datetime import UTC, date

import pytest
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.contracts import lifecycle, parties, services
from cpom.contracts.models import Contract, ContractParty, State
from cpom.finance.accounting import services as imports
from cpom.indicators.models import IndicatorValue
from cpom.registry.models import Authority, ManagingBody

IME = "440005015"
REFERENCE = "CPOM-PDL-2030-044-02"
FEC = (
    "\n".join(
        [
            "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|"
            "EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise",
            "PA|Paie|1|20260131|641100|Salaires|||P1|20260131|Paie|30000,00|0,00|||20260205||EUR",
            "PA|Paie|1|20260131|421000|Rémunérations dues|||P1|20260131|Paie|0,00|30000,00|||20260205||EUR",
        ]
    )
    + "\n"
)


def _authority(kind, territory) -> Authority:
    return Authority.objects.get(kind=kind, territory=territory)


def _programme(association, ars, cd44) -> dict:
    """What the ARS types to programme a contract of the association with the council of 44 as co-signatory."""
    return {
        "reference": REFERENCE,
        "title": "CPOM",
        "legal_basis": "L313-11",
        "duration_years": 5,
        "start_date": date(2030, 1, 1),
        "end_date": date(2034, 12, 31),
        "target_signature_date": None,
        "managing_body": association,
        "establishments": list(association.establishments.all()),
        "lead_authority": ars,
        "co_signatories": [cd44],
    }


@pytest.fixture
def association(db) -> ManagingBody:
    return ManagingBody.objects.get(name="Association Les Chemins de Loire")


@pytest.fixture
def cd44(db):
    return _authority("CD", "44")


@pytest.fixture
def cd49(db):
    return _authority("CD", "49")


def _program_post(association, lead, **overrides):
    data = {
        "reference": REFERENCE,
        "title": "Deuxième CPOM de l'association",
        "managing_body": association.pk,
        "legal_basis": "L313-11",
        "duration_years": "5",
        "start_date": "2030-01-01",
        "end_date": "",
        "target_signature_date": "",
        "lead_authority": lead.pk,
        "establishments": list(association.establishments.values_list("pk", flat=True)),
    }
    data.update(overrides)
    return data


def _association_data_urls(users) -> list[str]:
    """What cd49 must not reach: an establishment, its indicators (the accounts' totals), an import of its FEC."""
    from cpom.registry.models import Establishment

    ime = Establishment.objects.get(finess=IME)
    value = IndicatorValue.objects.filter(establishment=ime, indicator__code="i-41").first()
    balance = imports.read(FEC.encode(), "ecritures.txt", "FEC", imports.fiscal_year(2026))
    batch = imports.store(balance, ime, 2026, users["asso"])
    return [
        reverse("registry:establishment", kwargs={"finess": IME}),
        reverse("registry:managing_body", kwargs={"managing_body_id": ime.managing_body_id}),
        reverse("indicators:establishment", kwargs={"finess": IME}),
        reverse("indicators:detail", kwargs={"finess": IME, "indicator_id": value.indicator_id, "year": value.year}),
        reverse("finance:import_report", kwargs={"batch_id": batch.pk}),
    ]


def _status_codes(client, urls) -> list[int]:
    return [client.get(url).status_code for url in urls]


def test_a_council_cannot_open_the_association_to_another_council(client_for, users, association, cd44, cd49):
    urls = _association_data_urls(users)
    assert _status_codes(client_for("cd49"), urls) == [404] * len(urls)
    response = client_for("cd44").post(
        reverse("contracts:create"), _program_post(association, cd44, other_authorities=[cd49.pk])
    )
    assert (
        "Une autorité cochée n&#x27;est pas compétente pour les établissements de l&#x27;organisme gestionnaire : "
        "seule l&#x27;autorité cheffe de file peut l&#x27;associer, comme cosignataire hors compétence."
    ) in response.content.decode()
    assert not Contract.objects.filter(reference=REFERENCE).exists()
    assert _status_codes(client_for("cd49"), urls) == [404] * len(urls)


def test_a_co_signatory_outside_its_competence_sees_nothing_until_the_managing_body_accepts(
    client_for, users, association, cd44, cd49
):
    urls = _association_data_urls(users)
    response = client_for("cd44").post(
        reverse("contracts:create"), _program_post(association, cd44, outside_authorities=[cd49.pk]), follow=True
    )
    body = response.content.decode()
    assert "est inscrit à la programmation" in body
    assert (
        "Conseil départemental de Maine-et-Loire n&#x27;est pas compétente pour le périmètre du contrat : elle ne "
        "verra rien du contrat tant que l&#x27;organisme gestionnaire ne l&#x27;aura pas acceptée comme cosignataire."
    ) in body
    contract = Contract.objects.get(reference=REFERENCE)
    party = contract.parties.get(authority=cd49)
    assert not party.is_admitted and party.acceptance_requested_at is not None
    contract_url = reverse("contracts:detail", kwargs={"contract_id": contract.pk})

    cd49_client = client_for("cd49")
    assert _status_codes(
        cd49_client, [*urls, contract_url, reverse("contract-detail", kwargs={"pk": contract.pk})]
    ) == [404] * (len(urls) + 2)
    assert REFERENCE not in cd49_client.get("/").content.decode()
    assert REFERENCE not in cd49_client.get("/api/v1/contracts/").content.decode()
    assert IME not in cd49_client.get("/api/v1/establishments/?page_size=1000").content.decode()

    page = client_for("asso").get(contract_url).content.decode()
    assert "en attente de l'acceptation de l'organisme gestionnaire" in page
    assert "Accepter Conseil départemental de Maine-et-Loire comme cosignataire" in page
    response = client_for("asso").post(
        reverse("contracts:party_accept", kwargs={"contract_id": contract.pk, "party_id": party.pk}), follow=True
    )
    assert (
        "Conseil départemental de Maine-et-Loire est acceptée comme cosignataire : elle voit désormais le contrat et "
        "son périmètre."
    ) in response.content.decode()
    party.refresh_from_db()
    assert party.is_admitted and party.accepted_by == users["asso"]
    entry = AuditEntry.objects.get(
        object_id=str(contract.pk),
        action="Acceptation de Conseil départemental de Maine-et-Loire comme cosignataire du contrat",
    )
    assert entry.user == users["asso"] and "(en attente de l'acceptation de l'organisme gestionnaire)" in str(
        entry.before["parties"]
    )

    assert _status_codes(cd49_client, [*urls, contract_url]) == [200] * (len(urls) + 1)
    assert REFERENCE in cd49_client.get("/").content.decode()


def test_the_form_offers_only_the_authorities_competent_for_the_perimeter(client_for, association, cd44, cd49):
    form = (
        client_for("cd44")
        .get(reverse("contracts:perimeter_choices"), {"managing_body": association.pk})
        .content.decode()
    )
    competent, _, outside = form.partition("Cosignataires hors compétence")
    assert "ARS Pays de la Loire" in competent and "Conseil départemental de Maine-et-Loire" not in competent
    assert "Conseil départemental de Maine-et-Loire" in outside and "ARS Pays de la Loire" not in outside
    ehpad = ManagingBody.objects.get(name__startswith="EHPAD")
    form = client_for("ars").get(reverse("contracts:perimeter_choices"), {"managing_body": ehpad.pk}).content.decode()
    competent, _, outside = form.partition("Cosignataires hors compétence")
    assert (
        "Conseil départemental de Maine-et-Loire" in competent
        and "Conseil départemental de Loire-Atlantique" in outside
    )
    assert competent.count('type="checkbox" name="other_authorities"') == 2  # ARS and the council of 49
    assert parties.competent_authorities(ehpad.establishments.all()).count() == 2


def test_only_the_lead_proposes_an_authority_outside_its_competence(client_for, users, association, cd44, cd49):
    # The platform team may program, but speaks for no authority: it cannot bring in an outsider.
    form = client_for("admin").get(reverse("contracts:create")).content.decode()
    assert "Cosignataires hors compétence" not in form
    with pytest.raises(
        parties.PartiesRefused,
        match="Seule l'autorité cheffe de file peut associer au contrat une "
        r"autorité qui n'est pas compétente pour son périmètre \(Conseil départemental de Maine-et-Loire\).",
    ):
        services.program_contract(
            users["admin"],
            {
                **{f: v for f, v in _program_post(association, cd44).items() if f in services.FRAME_FIELDS},
                "start_date": date(2030, 1, 1),
                "end_date": date(2034, 12, 31),
                "duration_years": 5,
                "target_signature_date": None,
                "managing_body": association,
                "establishments": list(association.establishments.all()),
                "lead_authority": cd44,
                "co_signatories": [cd49],
            },
        )
    assert not Contract.objects.filter(reference=REFERENCE).exists()
    # The lead itself must be competent.
    response = client_for("admin").post(reverse("contracts:create"), _program_post(association, cd49))
    assert (
        "L&#x27;autorité cheffe de file doit être compétente pour le périmètre du contrat : Conseil départemental de "
        "Maine-et-Loire ne l&#x27;est pas (compétentes : ARS Pays de la Loire, Conseil départemental de "
        "Loire-Atlantique)."
    ) in response.content.decode()
    assert not Contract.objects.filter(reference=REFERENCE).exists()


def _edit_post(contract, **overrides):
    data = {
        "reference": contract.reference,
        "title": contract.title,
        "legal_basis": contract.legal_basis,
        "duration_years": contract.duration_years,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "target_signature_date": "",
        "lead_authority": contract.lead_authority_id,
        "other_authorities": [
            p.authority_id for p in contract.parties.admitted() if not p.is_lead and p.acceptance_requested_at is None
        ],
        "establishments": list(contract.establishments.values_list("pk", flat=True)),
        "version": contract.version,
    }
    data.update(overrides)
    return data


def test_the_lead_adds_an_outsider_when_editing_and_it_waits_for_acceptance(
    client_for, users, association_contract, cd49
):
    url = reverse("contracts:update", kwargs={"contract_id": association_contract.pk})
    refused = client_for("ars").post(
        url,
        _edit_post(
            association_contract,
            other_authorities=[*[p.authority_id for p in association_contract.parties.all() if not p.is_lead], cd49.pk],
        ),
    )
    assert "Une autorité cochée n&#x27;est pas compétente" in refused.content.decode()
    assert not association_contract.parties.filter(authority=cd49).exists()
    client_for("ars").post(url, _edit_post(association_contract, outside_authorities=[cd49.pk]))
    party = association_contract.parties.get(authority=cd49)
    assert not party.is_admitted
    assert (
        client_for("cd49").get(reverse("contracts:detail", kwargs={"contract_id": association_contract.pk})).status_code
        == 404
    )
    entry = AuditEntry.objects.filter(
        object_id=str(association_contract.pk), action="Modification du cadre du contrat"
    ).latest("pk")
    assert (
        "Conseil départemental de Maine-et-Loire (en attente de l'acceptation de l'organisme gestionnaire)"
        in entry.after["parties"]
    )
    # Saved again, the party keeps its request; once accepted, a later edit keeps the acceptance.
    association_contract.refresh_from_db()
    client_for("ars").post(url, _edit_post(association_contract, outside_authorities=[cd49.pk], title="Titre revu"))
    services.accept_party(association_contract, party.pk, users["asso"])
    association_contract.refresh_from_db()
    client_for("ars").post(
        url, _edit_post(association_contract, outside_authorities=[cd49.pk], title="Titre revu encore")
    )
    association_contract.refresh_from_db()
    assert (
        association_contract.title == "Titre revu encore"
        and association_contract.parties.get(authority=cd49).is_admitted
    )


def test_acceptance_needs_the_managing_body_s_validation_role(client_for, users, association_contract, cd49):
    parties.set_parties(
        association_contract,
        users["ars"],
        association_contract.parties.get(is_lead=True).authority,
        [*(p.authority for p in association_contract.parties.filter(is_lead=False)), cd49],
    )
    party = association_contract.parties.get(authority=cd49)
    accept = reverse("contracts:party_accept", kwargs={"contract_id": association_contract.pk, "party_id": party.pk})
    # An authority party cannot accept it for the managing body, nor can a managing-body user without the role.
    body = client_for("ars").post(accept, follow=True).content.decode()
    assert (
        "Seul l&#x27;organisme gestionnaire du contrat (rôle validation et signature) accepte ou refuse un cosignataire."
        in body
    )
    users["asso"].membership.role = "contribute"
    users["asso"].membership.save()
    page = (
        client_for("asso")
        .get(reverse("contracts:detail", kwargs={"contract_id": association_contract.pk}))
        .content.decode()
    )
    assert "Seul l'organisme gestionnaire (rôle validation et signature) peut l'accepter ou la refuser." in page
    assert "Accepter Conseil départemental" not in page
    client_for("asso").post(accept)
    party.refresh_from_db()
    assert not party.is_admitted
    # cd49 itself cannot even find the route.
    assert client_for("cd49").post(accept).status_code == 404


def test_the_managing_body_may_decline_the_outsider(client_for, users, association_contract, cd49):
    lead = association_contract.parties.get(is_lead=True).authority
    parties.set_parties(
        association_contract,
        users["ars"],
        lead,
        [*(p.authority for p in association_contract.parties.filter(is_lead=False)), cd49],
    )
    party = association_contract.parties.get(authority=cd49)
    response = client_for("asso").post(
        reverse("contracts:party_decline", kwargs={"contract_id": association_contract.pk, "party_id": party.pk}),
        follow=True,
    )
    assert "Conseil départemental de Maine-et-Loire n&#x27;est plus partie au contrat." in response.content.decode()
    assert not association_contract.parties.filter(authority=cd49).exists()
    assert AuditEntry.objects.filter(
        object_id=str(association_contract.pk),
        action="Refus de Conseil départemental de Maine-et-Loire comme cosignataire du contrat",
    ).exists()


def test_an_outsider_awaiting_acceptance_takes_no_part_and_blocks_signature(users, association_contract, cd49):
    lead = association_contract.parties.get(is_lead=True).authority
    parties.set_parties(
        association_contract,
        users["ars"],
        lead,
        [*(p.authority for p in association_contract.parties.filter(is_lead=False)), cd49],
    )
    from cpom.objectives import negotiation

    assert "Conseil départemental de Maine-et-Loire" not in [p.label for p in negotiation.parties(association_contract)]
    reasons = lifecycle.refusal_reasons(association_contract, State.READY_FOR_SIGNATURE, users["ars"])
    assert (
        "Conseil départemental de Maine-et-Loire attend l'acceptation de l'organisme gestionnaire : il ne peut pas "
        "signer tant que l'organisme ne l'a pas accepté comme cosignataire (ou que l'autorité cheffe de file ne l'a "
        "pas retiré des parties)."
    ) in reasons
    assert lifecycle.options_for(association_contract, users["cd49"]) == []


def test_a_party_that_loses_its_competence_with_the_perimeter_waits_for_acceptance(users, association, cd44):
    ars = _authority("ARS", "52")
    contract = services.program_contract(users["ars"], _programme(association, ars, cd44))
    assert contract.parties.get(authority=cd44).is_admitted
    # The perimeter keeps only establishments cd44 neither funds nor covers: the council of 44 covers them all, so
    # the test moves one to another département, as a registry correction would.
    ime = association.establishments.get(finess=IME)
    ime.department = "85"
    ime.save()
    contract.establishments.set([ime])
    parties.set_parties(contract, users["ars"], ars, [cd44])
    assert not contract.parties.get(authority=cd44).is_admitted
    assert not ContractParty.objects.admitted().filter(contract=contract, authority=cd44).exists()


def test_the_admin_shows_the_parties_without_changing_them(client_for, association_contract):
    """Parties change through the contract's form, where competence is checked, not in the admin."""
    body = client_for("admin").get(f"/admin/contracts/contract/{association_contract.pk}/change/").content.decode()
    assert "Conseil départemental de Loire-Atlantique" in body
    assert 'name="parties-0-authority"' not in body and 'id="parties-empty"' not in body


def test_programming_a_contract_writes_its_comment_and_the_time_of_the_step_into_its_history(users, association, cd44):
    """The form's wording by default; the demo's stories give their own comment and play under a fixed clock."""
    from datetime import datetime
    from unittest import mock

    from cpom.contracts.models import Transition

    ars = _authority("ARS", "52")
    data = _programme(association, ars, cd44)
    contract = services.program_contract(users["ars"], data)
    assert Transition.objects.get(contract=contract).comment == "Contrat inscrit à la programmation."
    at = datetime(2029, 6, 1, 8, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=at):
        other = services.program_contract(
            users["ars"], {**data, "reference": "CPOM-AUTRE"}, comment="Programmé en 2029."
        )
    (programmed,) = Transition.objects.filter(contract=other)
    assert (programmed.comment, programmed.at, other.created_at) == ("Programmé en 2029.", at, at)
