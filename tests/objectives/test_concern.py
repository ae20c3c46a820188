"""A council agrees only to the objectives that concern its competence or its money: those about an establishment it
funds. The lead authority steers every objective and a proposer stands by its own; for the others the objective
« ne concerne pas » the council, whose word is neither required nor accepted."""

import pytest
from django.urls import reverse

from cpom.objectives import negotiation, readiness, services
from cpom.objectives.models import Agreement, Level, Objective, Status
from cpom.registry.models import Establishment
from support import elements, rows_of, text_of

NOT_CONCERNED = (
    "Cet objectif ne concerne pas le Conseil départemental de Loire-Atlantique : il ne porte sur aucun établissement "
    "financé par cette autorité, ni sur ses crédits. Son accord n'est ni requis ni recueilli."
)


def _propose(contract, user, title, *categories):
    strategic = services.propose(contract, user, {"level": Level.STRATEGIC, "title": f"Axe – {title}"})
    return services.propose(
        contract,
        user,
        {
            "level": Level.OPERATIONAL,
            "parent": strategic,
            "title": title,
            "due_year": 2,
            "establishments": list(
                Establishment.objects.filter(category__in=categories, managing_body=contract.managing_body)
            ),
        },
    )


def _fresh(objective):
    return Objective.objects.get(pk=objective.pk)


@pytest.fixture
def about_the_ime(association_contract, users):
    """An objective about the IME, which the ARS alone funds."""
    return _propose(association_contract, users["asso"], "Scolariser les enfants de l'IME", "IME")


def test_an_objective_about_an_establishment_the_council_does_not_fund_does_not_concern_it(about_the_ime, users):
    assert not negotiation.concerns(about_the_ime, users["cd44"].membership.authority_id)
    assert [p.label for p, _ in negotiation.agreement_state(about_the_ime)] == [
        "Association Les Chemins de Loire",
        "ARS Pays de la Loire",
    ]
    assert [p.label for p in negotiation.unconcerned(about_the_ime)] == ["Conseil départemental de Loire-Atlantique"]
    for action in ("agree", "reject", "reopen"):
        assert negotiation.refusal(_fresh(about_the_ime), users["cd44"], action) == NOT_CONCERNED
    assert negotiation.may(_fresh(about_the_ime), users["cd44"], "comment")  # it may still say something


def test_its_agreement_is_refused_and_the_others_settle_the_objective(about_the_ime, users):
    with pytest.raises(negotiation.NegotiationRefused, match="ne concerne pas le Conseil départemental"):
        negotiation.agree(_fresh(about_the_ime), users["cd44"], about_the_ime.version)
    with pytest.raises(negotiation.NegotiationRefused, match="ne concerne pas le Conseil départemental"):
        negotiation.reject(_fresh(about_the_ime), users["cd44"], "Hors de notre compétence")
    assert not Agreement.objects.filter(objective=about_the_ime, authority__isnull=False).exists()
    assert _fresh(about_the_ime).status == Status.PROPOSED
    negotiation.agree(_fresh(about_the_ime), users["ars"], about_the_ime.version)
    assert _fresh(about_the_ime).status == Status.AGREED  # the association (proposing) and the ARS


def test_an_objective_about_an_establishment_it_funds_needs_the_council(association_contract, users):
    about_the_fam = _propose(association_contract, users["asso"], "Prévenir les chutes au FAM", "FAM")
    assert negotiation.concerns(about_the_fam, users["cd44"].membership.authority_id)
    negotiation.agree(_fresh(about_the_fam), users["ars"], about_the_fam.version)
    assert _fresh(about_the_fam).status == Status.UNDER_DISCUSSION  # the council's word is awaited
    negotiation.agree(_fresh(about_the_fam), users["cd44"], about_the_fam.version)
    assert _fresh(about_the_fam).status == Status.AGREED


def test_an_objective_of_the_whole_managing_body_concerns_every_funder(association_contract, users):
    whole = _propose(association_contract, users["asso"], "Déployer le dossier usager informatisé")
    assert not whole.establishments.exists()
    assert negotiation.unconcerned(whole) == []
    assert [p.label for p, _ in negotiation.agreement_state(whole)][-1] == "Conseil départemental de Loire-Atlantique"


def test_the_lead_and_the_proposer_are_always_concerned(association_contract, users):
    foyer = _propose(association_contract, users["cd44"], "Ouvrir le foyer de vie le week-end", "FV")
    ime = _propose(association_contract, users["cd44"], "Une proposition du conseil sur l'IME", "IME")
    assert negotiation.concerns(foyer, users["ars"].membership.authority_id)  # the lead, though the council pays
    assert negotiation.concerns(ime, users["cd44"].membership.authority_id)  # its own proposal


def test_a_strategic_objective_concerns_whom_its_operational_objectives_concern(about_the_ime, users):
    strategic = about_the_ime.parent
    assert [p.label for p in negotiation.unconcerned(strategic)] == ["Conseil départemental de Loire-Atlantique"]
    _propose(about_the_ime.contract, users["asso"], "Sans rupture au FAM", "FAM")  # under another axis
    assert negotiation.unconcerned(_fresh(strategic)) != []


def test_readiness_waits_only_for_the_parties_concerned(ready_association_contract, users):
    objective = _propose(ready_association_contract, users["asso"], "Scolariser les enfants de l'IME", "IME")
    for settled in (objective.parent, objective):
        negotiation.agree(_fresh(settled), users["ars"], settled.version)
    assert [b for b in readiness.blockers(ready_association_contract) if b.rule == "not_agreed"] == []


def test_the_page_says_it_does_not_concern_the_council_and_refuses_its_agreement(client_for, about_the_ime, users):
    contract = about_the_ime.contract
    client = client_for("cd44")
    page = client.get(about_the_ime.get_absolute_url())
    assert rows_of(page, "//table[@data-testid='agreements']") == [
        ["Partie", f"Accord sur la version {about_the_ime.version}"],
        ["Association Les Chemins de Loire", f"d'accord le {about_the_ime.created_at:%d/%m/%Y}"],
        ["ARS Pays de la Loire", "en attente"],
        [
            "Conseil départemental de Loire-Atlantique",
            "ne concerne pas le Conseil départemental de Loire-Atlantique : ni ses établissements ni ses crédits, "
            "son accord n'est pas requis",
        ],
    ]
    assert not [b for b in elements(page, "//button") if "Donner l'accord" in text_of(b)]
    response = client.post(
        reverse("objectives:negotiate", args=[contract.pk, about_the_ime.pk]),
        {"action": "agree", "text": "", "version": about_the_ime.version},
        follow=True,
    )
    assert NOT_CONCERNED.replace("'", "&#x27;") in response.content.decode()
    assert not Agreement.objects.filter(objective=about_the_ime, authority__isnull=False).exists()
