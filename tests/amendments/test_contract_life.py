"""Prorogation, termination and renewal of the world's signed EHPAD contract (2024-01-01 to 2028-12-31), and the
deadlines of its life."""

from datetime import date

import pytest
from django.test import override_settings

import factories
from cpom.access import Role
from cpom.amendments import life
from cpom.amendments.models import DEFAULT_BUDGET_REGIME, Prorogation, Termination, TerminationGround
from cpom.contracts import lifecycle
from cpom.contracts.deadlines import deadlines
from cpom.contracts.models import Contract, State
from cpom.diagnostic.models import Finding
from cpom.objectives.negotiation import parties

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def _letter(**fields):
    return {
        "ground": TerminationGround.BREACH,
        "explanation": "Les engagements d'activité du SSIAD ne sont pas tenus depuis deux exercices.",
        "letter_sent_on": date(2026, 2, 20),
        "letter_presented_on": date(2026, 2, 23),
        **fields,
    }


def test_a_termination_without_a_ground_is_refused_and_nothing_saved(ehpad_contract, users):
    with pytest.raises(life.LifeRefused) as refused:
        life.terminate(ehpad_contract, users["ehpad"], _letter(ground=""), today=TODAY)
    assert refused.value.reasons == [
        "Motif : une dénonciation a un motif (non-respect des engagements, modification législative ou "
        "réglementaire, modification de l'enveloppe, non-renouvellement)."
    ]
    assert not Termination.objects.filter(contract=ehpad_contract).exists()


def test_the_notice_runs_six_months_from_the_letter_first_presentation(ehpad_contract, users):
    termination = life.terminate(ehpad_contract, users["ehpad"], _letter(), today=TODAY)
    assert (termination.notice_months, termination.ends_on) == (6, date(2026, 8, 23))
    assert termination.budget_regime == DEFAULT_BUDGET_REGIME
    assert termination.initiator == users["ehpad"].membership.organisation_label
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.state == State.IN_FORCE


@override_settings(CPOM_CONTRACT_LIFE_BY_AUTHORITY={"ARS-52": {"termination_notice_months": 3}})
def test_the_lead_authority_may_set_its_own_notice(ehpad_contract, users):
    termination = life.terminate(ehpad_contract, users["cd49"], _letter(), today=TODAY)
    assert termination.ends_on == date(2026, 5, 23)


def test_the_contract_is_terminated_only_when_the_notice_has_run(ehpad_contract, users):
    life.terminate(ehpad_contract, users["ehpad"], _letter(), today=TODAY)
    ehpad_contract.refresh_from_db()
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.transition(ehpad_contract, State.TERMINATED, users["ars"], "Préavis", today=date(2026, 8, 22))
    assert refused.value.reasons == ["Le contrat reste en vigueur jusqu'à la fin du préavis, le 23/08/2026."]
    lifecycle.transition(ehpad_contract, State.TERMINATED, users["ars"], "Fin du préavis", today=date(2026, 8, 23))
    assert Contract.objects.get(pk=ehpad_contract.pk).state == State.TERMINATED


def test_a_presentation_before_the_letter_is_refused(ehpad_contract, users):
    with pytest.raises(life.LifeRefused) as refused:
        life.terminate(ehpad_contract, users["ehpad"], _letter(letter_presented_on=date(2026, 2, 1)), today=TODAY)
    assert refused.value.reasons == [
        "Date de première présentation de la lettre : elle ne peut pas précéder son envoi (20/02/2026)."
    ]


def test_a_read_only_member_cannot_terminate(ehpad_contract, users):
    reader = factories.member(ehpad_contract.managing_body, Role.READ)
    with pytest.raises(life.LifeRefused, match="Cette action demande le rôle « Validation et signature »."):
        life.terminate(ehpad_contract, reader, _letter(), today=TODAY)


def _decision(contract, **fields):
    return {
        "decided_on": TODAY,
        "decision": "Décision conjointe ARS – Département du 2 mars 2026",
        "agreed": [p.label for p in parties(contract)],
        **fields,
    }


def test_an_ehpad_contract_is_prorogated_one_year_by_the_light_form(ehpad_contract, users):
    prorogation = life.prorogate(ehpad_contract, users["ars"], _decision(ehpad_contract), today=TODAY)
    ehpad_contract.refresh_from_db()
    assert (prorogation.old_end_date, prorogation.new_end_date) == (date(2028, 12, 31), date(2029, 12, 31))
    assert ehpad_contract.end_date == date(2029, 12, 31)
    assert ehpad_contract.state == State.IN_FORCE
    steps = list(ehpad_contract.transitions.order_by("-pk").values_list("to_state", flat=True)[:2])
    assert steps == [State.IN_FORCE, State.AMENDING]


def test_a_second_prorogation_goes_by_amendment(ehpad_contract, users):
    life.prorogate(ehpad_contract, users["ars"], _decision(ehpad_contract), today=TODAY)
    with pytest.raises(life.LifeRefused) as refused:
        life.prorogate(ehpad_contract, users["ars"], _decision(ehpad_contract), today=TODAY)
    assert refused.value.reasons == [
        "Le contrat a déjà été prorogé d'une année : une seconde prorogation ne se fait que par avenant "
        "(motif « Prolongation de la durée »)."
    ]
    assert Prorogation.objects.filter(contract=ehpad_contract).count() == 1


def test_a_prorogation_needs_every_party_agreement(ehpad_contract, users):
    with pytest.raises(life.LifeRefused) as refused:
        life.prorogate(ehpad_contract, users["ars"], _decision(ehpad_contract, agreed=[]), today=TODAY)
    assert refused.value.reasons[0].startswith("Accord des parties : l'accord de ")
    assert Contract.objects.get(pk=ehpad_contract.pk).end_date == date(2028, 12, 31)


@override_settings(
    CPOM_CONTRACT_LIFE={
        "termination_notice_months": 6,
        "renewal_ideal_months": 18,
        "renewal_minimum_months": 12,
        "intentions_months": 3,
        "prorogation_legal_bases": [],
    }
)
def test_the_legal_bases_that_allow_a_prorogation_are_a_setting(ehpad_contract, users):
    with pytest.raises(life.LifeRefused) as refused:
        life.prorogate(ehpad_contract, users["ars"], _decision(ehpad_contract), today=TODAY)
    assert "ne prévoit pas de prorogation selon un formalisme allégé" in refused.value.reasons[0]


def test_the_deadlines_show_the_renewal_window_and_the_intentions(ehpad_contract):
    shown = {d.label: d.day for d in deadlines(ehpad_contract)}
    assert shown["Préparation du renouvellement (18 mois avant la fin, idéalement)"] == date(2027, 6, 30)
    assert shown["Renouvellement engagé au plus tard (12 mois avant la fin)"] == date(2027, 12, 31)
    assert shown["Intentions des parties : renouvellement ou dénonciation (3 mois avant la fin)"] == date(2028, 9, 30)


@override_settings(CPOM_CONTRACT_LIFE_BY_AUTHORITY={"ARS-52": {"renewal_ideal_months": 24}})
def test_the_renewal_window_is_set_per_lead_authority(ehpad_contract):
    shown = {d.label: d.day for d in deadlines(ehpad_contract)}
    assert shown["Préparation du renouvellement (24 mois avant la fin, idéalement)"] == date(2026, 12, 31)


def _renewal(contract, **fields):
    return {
        "reference": "CPOM-PDL-2029-049-08",
        "title": "CPOM tripartite de l'EHPAD Les Tilleuls (2029-2033)",
        "duration_years": 5,
        "establishments": list(contract.establishments.all()),
        "co_signatories": [p.authority for p in contract.parties.all() if not p.is_lead],
        **fields,
    }


def test_renewal_programs_the_successor_linked_to_its_predecessor(ehpad_contract, users):
    successor = life.renew(ehpad_contract, users["ars"], _renewal(ehpad_contract), today=date(2027, 7, 1))
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.state == State.RENEWAL
    assert successor.predecessor == ehpad_contract
    assert (successor.state, successor.start_date, successor.end_date) == (
        State.PROGRAMMED,
        date(2029, 1, 1),
        date(2033, 12, 31),
    )
    assert successor.managing_body == ehpad_contract.managing_body
    assert set(successor.establishments.all()) == set(ehpad_contract.establishments.all())
    assert {p.authority for p in successor.parties.all()} == {p.authority for p in ehpad_contract.parties.all()}


def test_renewal_before_its_window_is_refused(ehpad_contract, users):
    with pytest.raises(life.LifeRefused) as refused:
        life.renew(ehpad_contract, users["ars"], _renewal(ehpad_contract), today=TODAY)
    assert "à partir du 30/06/2027" in refused.value.reasons[0]
    assert not Contract.objects.filter(predecessor=ehpad_contract).exists()


def test_the_predecessor_assessment_is_taken_up_in_the_successor_diagnostic(ehpad_contract, users):
    from support import walk_to

    successor = life.renew(ehpad_contract, users["ars"], _renewal(ehpad_contract), today=date(2027, 7, 1))
    items = life.assessment(successor)
    assert items, "the predecessor's objectives are offered"
    objective = next(i for i in items if i.key.startswith("objective-"))
    with pytest.raises(life.LifeRefused, match="son diagnostic partagé s'ouvre au lancement"):
        life.take_up(successor, users["ehpad"], objective.key)
    walk_to(successor, State.DIAGNOSTIC)
    finding = life.take_up(successor, users["ehpad"], objective.key)
    assert finding.diagnostic.contract == successor
    assert finding.text.startswith("Objectif à réexaminer du contrat précédent : ")
    assert next(i for i in life.assessment(successor) if i.key == objective.key).taken_up
    with pytest.raises(life.LifeRefused, match="déjà repris"):
        life.take_up(successor, users["ehpad"], objective.key)
    assert Finding.objects.filter(diagnostic__contract=successor).count() == 1


def test_the_contract_page_says_it_is_terminated_until_the_notice_ends(ehpad_contract, users, client_for):
    from support import element, text_of

    life.terminate(ehpad_contract, users["cd49"], _letter(ground=TerminationGround.ENVELOPE_CHANGE), today=TODAY)
    page = client_for("ehpad").get(ehpad_contract.get_absolute_url())
    assert text_of(element(page, "//*[@data-testid='contract-termination']")) == (
        "Dénoncé par le Conseil départemental de Maine-et-Loire (modification de l'enveloppe) : en vigueur jusqu'à "
        "la fin du préavis, le 23/08/2026. Ensuite : retour à la procédure contradictoire annuelle d'élaboration des "
        "budgets."
    )


def test_the_contract_page_offers_the_end_of_a_terminated_contract_only_when_its_notice_has_run(
    ehpad_contract, users, client_for
):
    from cpom.demo.clock import fixed_clock, moment
    from support import elements

    def buttons(day):
        with fixed_clock(moment(day)):
            page = client_for("ars").get(ehpad_contract.get_absolute_url())
        return [b.get("data-testid") for b in elements(page, "//form[starts-with(@data-testid, 'transition-')]")]

    before = buttons(TODAY)
    # Neither the application of an amendment nor the end of an unrecorded termination is a button nobody can press.
    assert "transition-amending" not in before and "transition-terminated" not in before
    life.terminate(ehpad_contract, users["ehpad"], _letter(), today=TODAY)
    assert "transition-terminated" not in buttons(date(2026, 8, 22))
    assert "transition-terminated" in buttons(date(2026, 8, 23))
