"""Negotiation of an objective: every transition, who may make it, and the rule that the other side cannot edit."""

import pytest

from cpom.audit.models import AuditEntry
from cpom.contracts.models import State
from cpom.objectives import negotiation, services
from cpom.objectives.models import Agreement, Funding, Level, Message, Objective, Status
from cpom.objectives.negotiation import NegotiationRefused, StaleObjective
from support import walk_to

AUTHORITIES = ("ars", "cd44")


@pytest.fixture
def contract(association_contract):
    association_contract.objectives.all().delete()
    return association_contract


@pytest.fixture
def proposal(contract, users):
    """An operational objective proposed by the association."""
    strategic = services.propose(contract, users["asso"], {"level": Level.STRATEGIC, "title": "Parcours sans rupture"})
    return services.propose(
        contract,
        users["asso"],
        {"level": Level.OPERATIONAL, "parent": strategic, "title": "Accompagner les jeunes adultes", "due_year": 3},
        sheet={"pilot": "Directeur de l'IME"},
    )


def _fresh(objective):
    return Objective.objects.get(pk=objective.pk)


def test_a_proposal_belongs_to_the_side_that_made_it(proposal, users):
    assert proposal.status == Status.PROPOSED and proposal.proposed_by_authority is None
    assert proposal.proposer_label == "Association Les Chemins de Loire"
    assert proposal.number == "1.1" and proposal.sheet.pilot == "Directeur de l'IME"


def test_an_authority_proposal_is_the_authority_s(contract, users):
    strategic = services.propose(contract, users["ars"], {"level": Level.STRATEGIC, "title": "Transformer l'offre"})
    assert strategic.proposer_label == "ARS Pays de la Loire"
    assert negotiation.may(strategic, users["ars"], "edit")
    assert not negotiation.may(strategic, users["asso"], "edit")


def test_the_other_side_cannot_edit_a_proposal(proposal, users):
    for username in ("ars", "cd44"):
        assert negotiation.refusal(proposal, users[username], "edit") == (
            "Cet objectif ne peut être modifié que par l'Association Les Chemins de Loire, qui l'a proposé ; les autres parties en discutent."
        )
        with pytest.raises(NegotiationRefused):
            services.update(
                proposal, users[username], {"title": "Titre réécrit par l'autorité"}, None, proposal.version
            )
        with pytest.raises(NegotiationRefused):
            services.save_milestone(proposal, users[username], "Étape", None, proposal.version)
    after = _fresh(proposal)
    assert after.title == "Accompagner les jeunes adultes" and after.version == proposal.version
    assert not after.milestones.exists()


def test_edit_page_is_forbidden_to_the_other_side(client_for, proposal):
    url = f"{proposal.get_absolute_url()}modifier/"
    response = client_for("ars").post(url, {"title": "Réécrit", "version": proposal.version})
    assert response.status_code == 403
    assert _fresh(proposal).title == "Accompagner les jeunes adultes"
    page = client_for("ars").get(proposal.get_absolute_url()).content.decode()
    assert "Modifier la proposition" not in page and "Donner l'accord de l&#x27;ARS Pays de la Loire" in page


def test_outsiders_and_readers_cannot_negotiate(proposal, users):
    for username in ("ehpad", "cd49", "admin"):
        assert negotiation.refusal(proposal, users[username], "comment") == (
            "Seules les parties au contrat (rôle contribution au moins) négocient les objectifs."
        )
        with pytest.raises(NegotiationRefused):
            negotiation.agree(proposal, users[username], proposal.version)
    assert not Agreement.objects.filter(objective=proposal, authority__isnull=False).exists()


def test_the_other_side_s_first_message_opens_the_discussion(proposal, users):
    negotiation.comment(proposal, users["asso"], "Nous précisons le public visé.")
    assert _fresh(proposal).status == Status.PROPOSED
    negotiation.comment(proposal, users["ars"], "Quel volume de jeunes en amendement Creton ?")
    assert _fresh(proposal).status == Status.UNDER_DISCUSSION
    thread = list(proposal.messages.values_list("organisation_label", "text"))
    assert thread == [
        ("Association Les Chemins de Loire", "Nous précisons le public visé."),
        ("ARS Pays de la Loire", "Quel volume de jeunes en amendement Creton ?"),
    ]


def test_proposing_is_agreeing(proposal, users):
    agreed = [party.label for party, agreement in negotiation.agreement_state(proposal) if agreement]
    assert agreed == ["Association Les Chemins de Loire"]
    assert (
        negotiation.refusal(proposal, users["asso"], "agree")
        == "Votre organisation a déjà donné son accord à cette version."
    )


def test_agreement_needs_every_party(proposal, users):
    for n, username in enumerate(AUTHORITIES):
        assert _fresh(proposal).status != Status.AGREED
        negotiation.agree(_fresh(proposal), users[username], proposal.version)
        agreed = [party.label for party, agreement in negotiation.agreement_state(_fresh(proposal)) if agreement]
        assert len(agreed) == n + 2
    assert _fresh(proposal).status == Status.AGREED
    events = list(proposal.messages.values_list("organisation_label", "event"))
    assert events[-1] == (
        "Conseil départemental de Loire-Atlantique",
        f"a donné son accord à la version {proposal.version}",
    )


def test_a_party_agrees_once_per_version(proposal, users):
    negotiation.agree(proposal, users["ars"], proposal.version)
    with pytest.raises(NegotiationRefused, match="déjà donné son accord"):
        negotiation.agree(_fresh(proposal), users["ars"], proposal.version)


def test_an_edit_makes_earlier_agreements_lapse(proposal, users):
    negotiation.agree(proposal, users["ars"], proposal.version)
    negotiation.agree(_fresh(proposal), users["cd44"], proposal.version)
    edited = services.update(
        _fresh(proposal),
        users["asso"],
        {"title": "Accompagner les jeunes adultes vers le secteur adulte"},
        None,
        proposal.version,
    )
    assert edited.version == proposal.version + 1 and edited.status == Status.UNDER_DISCUSSION
    # Only the proposer's agreement stands for the new version.
    assert [p.label for p, agreement in negotiation.agreement_state(edited) if agreement] == [
        "Association Les Chemins de Loire"
    ]
    # The history shows what changed between the two versions.
    entry = AuditEntry.objects.filter(
        object_type="objectives.objective", object_id=str(proposal.pk), action__startswith="Version 2"
    ).get()
    assert (
        "Objectif",
        "Accompagner les jeunes adultes",
        "Accompagner les jeunes adultes vers le secteur adulte",
    ) in entry.changed_fields()


def test_agreeing_to_an_outdated_version_is_refused(proposal, users):
    services.update(proposal, users["asso"], {"title": "Nouvel intitulé"}, None, proposal.version)
    with pytest.raises(StaleObjective):
        negotiation.agree(proposal, users["ars"], proposal.version)
    assert not Agreement.objects.filter(objective=proposal, authority__isnull=False).exists()


def test_a_stale_edit_is_refused(proposal, users):
    services.update(proposal, users["asso"], {"title": "Première modification"}, None, proposal.version)
    with pytest.raises(StaleObjective):
        services.update(
            proposal,
            users["asso"],
            {"title": "Seconde modification faite sur une copie périmée"},
            None,
            proposal.version,
        )
    assert _fresh(proposal).title == "Première modification"


def test_reject_needs_a_reason_and_ends_the_negotiation(proposal, users):
    with pytest.raises(NegotiationRefused, match="Indiquez pourquoi"):
        negotiation.reject(proposal, users["cd44"], "  ")
    assert _fresh(proposal).status == Status.PROPOSED
    negotiation.reject(proposal, users["cd44"], "Hors du champ du schéma départemental.")
    rejected = _fresh(proposal)
    assert rejected.status == Status.REJECTED
    for action in ("edit", "agree", "reject"):
        assert "au statut « Rejeté »" in negotiation.refusal(rejected, users["asso"], action)
    message = proposal.messages.last()
    assert (message.organisation_label, message.event, message.text) == (
        "Conseil départemental de Loire-Atlantique",
        "a rejeté l'objectif",
        "Hors du champ du schéma départemental.",
    )


def test_reopen_brings_back_the_discussion_and_asks_again_for_agreements(proposal, users):
    for username in AUTHORITIES:
        negotiation.agree(_fresh(proposal), users[username], proposal.version)
    assert _fresh(proposal).status == Status.AGREED
    with pytest.raises(NegotiationRefused):
        negotiation.reopen(_fresh(proposal), users["ars"], "")
    reopened = negotiation.reopen(_fresh(proposal), users["ars"], "Le coût doit être revu.")
    assert reopened.status == Status.UNDER_DISCUSSION and reopened.version == proposal.version + 1
    assert not any(agreement for _, agreement in negotiation.agreement_state(reopened))


def test_an_agreed_intention_is_kept_as_intention(contract, users):
    strategic = services.propose(contract, users["asso"], {"level": Level.STRATEGIC, "title": "Innover"})
    intention = services.propose(
        contract,
        users["asso"],
        {
            "level": Level.OPERATIONAL,
            "parent": strategic,
            "title": "Créer un habitat inclusif",
            "funding": Funding.INTENTION,
        },
    )
    for username in AUTHORITIES:
        negotiation.agree(_fresh(intention), users[username], intention.version)
    assert _fresh(intention).status == Status.INTENTION


def test_negotiation_stops_at_signature(proposal, users):
    walk_to(proposal.contract, State.SIGNED)
    refused = negotiation.refusal(_fresh(proposal), users["asso"], "comment")
    assert refused == "Les objectifs ne se négocient plus : le contrat est à l'état « Signé »."
    with pytest.raises(NegotiationRefused):
        negotiation.comment(_fresh(proposal), users["asso"], "Trop tard ?")
    assert not Message.objects.filter(objective=proposal).exists()


@pytest.mark.parametrize(
    "action,start",
    [
        ("agree", Status.AGREED),
        ("agree", Status.REJECTED),
        ("agree", Status.INTENTION),
        ("reject", Status.AGREED),
        ("reject", Status.REJECTED),
        ("reopen", Status.PROPOSED),
        ("reopen", Status.UNDER_DISCUSSION),
        ("edit", Status.REJECTED),
    ],
)
def test_transitions_outside_the_table_are_refused(proposal, users, action, start):
    Objective.objects.filter(pk=proposal.pk).update(status=start)
    assert negotiation.refusal(_fresh(proposal), users["asso"], action) == (
        f"Impossible de {negotiation.ACTION_LABELS[action]} un objectif au statut « {Status(start).label} »."
    )


def test_a_party_admitted_after_the_agreement_still_gives_its_word(proposal, users):
    """Agreed by the association, the ARS and the council; then the registry records cd49 as a funder of the FAM
    (competent, it takes part at once) and the lead adds it: the objective, about the whole perimeter, concerns it."""
    from cpom.contracts.parties import set_parties
    from cpom.objectives import readiness

    for username in AUTHORITIES:
        negotiation.agree(_fresh(proposal), users[username], proposal.version)
    assert _fresh(proposal).status == Status.AGREED
    contract = proposal.contract
    lead = contract.parties.get(is_lead=True).authority
    cd44, cd49 = users["cd44"].membership.authority, users["cd49"].membership.authority
    contract.establishments.get(category="FAM").funders.add(cd49)
    set_parties(contract, users["ars"], lead, [cd44, cd49])
    blockers = [
        b.message
        for b in readiness.blockers(contract)
        if b.rule == "not_agreed" and b.url.startswith(proposal.get_absolute_url())
    ]
    assert blockers == [
        "Objectif 1.1 « Accompagner les jeunes adultes » : accepté avant l'arrivée de Conseil "
        "départemental de Maine-et-Loire, dont l'accord manque."
    ]
    assert negotiation.may(_fresh(proposal), users["cd49"], "agree")
    negotiation.agree(_fresh(proposal), users["cd49"], proposal.version)
    assert _fresh(proposal).status == Status.AGREED
    assert not [
        b
        for b in readiness.blockers(contract)
        if b.rule == "not_agreed" and b.url.startswith(proposal.get_absolute_url())
    ]
    assert not negotiation.may(_fresh(proposal), users["cd49"], "agree")  # once is enough
