"""Every transition of the lifecycle table, allowed and refused, and the checks behind them."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from cpom.access import Role
from cpom.contracts import lifecycle
from cpom.contracts.deadlines import add_months
from cpom.contracts.lifecycle import LEAD, MANAGING_BODY, PARTY, RULES, TransitionRefused
from cpom.contracts.models import State, Transition
from support import lifecycle_path, programmed_copy, walk_to

# On the association's contract: the ARS leads, the Loire-Atlantique council is the other party.
ACTOR_USERS = {LEAD: {"ars"}, PARTY: {"ars", "cd44"}, MANAGING_BODY: {"asso"}}
EVERYONE = {"asso", "ehpad", "ars", "cd44", "cd49", "admin"}


@pytest.fixture
def association_contract(ready_association_contract, monkeypatch):
    """The table's own checks are under test here: the objectives are complete and agreed. The conditions the life of
    the signed contract adds to its steps (register_check: a termination's notice, nobody into « amending » by hand)
    are its own tests' subject (tests/amendments): the table is tested without them."""
    monkeypatch.setattr(
        lifecycle,
        "_EXTRA_CHECKS",
        {
            step: [check for check in checks if not check.__module__.startswith("cpom.amendments")]
            for step, checks in lifecycle._EXTRA_CHECKS.items()
        },
    )
    return ready_association_contract


def _allowed_users(rule):
    return set().union(*(ACTOR_USERS[a] for a in rule.actors))


def _a_day_when_checks_pass(contract, rule):
    if lifecycle.end_date_reached in rule.checks:
        return contract.end_date
    if lifecycle.renewal_window_open in rule.checks:
        return add_months(contract.end_date, -18)
    if lifecycle.start_date_reached in rule.checks:
        return contract.start_date
    return contract.start_date - timedelta(days=30)


def _put_in(contract, state):
    """The contract in ``state``: walked there along the table, or, for the states before negotiation, a newly
    programmed copy walked there (a contract never goes back to them)."""
    contract.refresh_from_db()
    if lifecycle_path(contract.state, state) is None:
        contract = programmed_copy(contract, User.objects.get(username="ars"))
    return walk_to(contract, state)


@contextmanager
def _rolled_back():
    """Each actor tries the same move from the same starting point."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


TABLE = sorted(RULES.items())
# The steps the signature circuit takes (cpom.signing.services, tested in tests/signing): the lifecycle alone refuses
# them, naming the page where they are taken.
CIRCUIT = {
    (State.READY_FOR_SIGNATURE, State.IN_SIGNATURE),
    (State.IN_SIGNATURE, State.SIGNED),
    (State.IN_SIGNATURE, State.NEGOTIATION),
}


@pytest.mark.parametrize("pair,rule", TABLE, ids=[f"{a}->{b}" for (a, b), _ in TABLE])
def test_allowed_transition_by_each_allowed_actor(association_contract, users, pair, rule):
    from_state, to_state = pair
    for username in sorted(_allowed_users(rule)):
        with _rolled_back():
            contract = _put_in(association_contract, from_state)
            if pair in CIRCUIT:
                reasons = lifecycle.refusal_reasons(contract, to_state, users[username], "Motif précisé.")
                assert any("« Versions et signatures »" in reason for reason in reasons), reasons
                continue
            record = lifecycle.transition(
                contract,
                to_state,
                users[username],
                comment="Motif précisé.",
                today=_a_day_when_checks_pass(contract, rule),
            )
            contract.refresh_from_db()
            assert contract.state == to_state
            assert (record.from_state, record.to_state, record.user) == (from_state, to_state, users[username])
            assert record.organisation_label == users[username].membership.organisation_label


@pytest.mark.parametrize("pair,rule", TABLE, ids=[f"{a}->{b}" for (a, b), _ in TABLE])
def test_transition_refused_to_everyone_else(association_contract, users, pair, rule):
    from_state, to_state = pair
    contract = _put_in(association_contract, from_state)
    today = _a_day_when_checks_pass(contract, rule)
    for username in sorted(EVERYONE - _allowed_users(rule)):
        with pytest.raises(TransitionRefused) as refused:
            lifecycle.transition(contract, to_state, users[username], comment="Motif.", today=today)
        assert any(
            reason.startswith(
                ("Seule l'autorité cheffe de file, l'ARS Pays de la Loire, peut", "Seules les parties au contrat (")
            )
            for reason in refused.value.reasons
        ), username
    contract.refresh_from_db()
    assert contract.state == from_state


@pytest.mark.parametrize("pair,rule", TABLE, ids=[f"{a}->{b}" for (a, b), _ in TABLE])
def test_transition_refused_below_the_required_role(association_contract, users, pair, rule):
    from_state, to_state = pair
    contract = _put_in(association_contract, from_state)
    user = users[sorted(_allowed_users(rule))[0]]
    user.membership.role = Role.READ
    user.membership.save()
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.transition(contract, to_state, user, comment="Motif.", today=_a_day_when_checks_pass(contract, rule))
    assert f"Cette action demande le rôle « {Role(rule.role).label} »." in refused.value.reasons


@pytest.mark.parametrize("pair,rule", [(p, r) for p, r in TABLE if r.comment_required])
def test_comment_is_required_where_the_rule_says(association_contract, users, pair, rule):
    contract = _put_in(association_contract, pair[0])
    user = users[sorted(_allowed_users(rule))[0]]
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.transition(contract, pair[1], user, comment="   ", today=_a_day_when_checks_pass(contract, rule))
    assert refused.value.reasons[0] == "Un commentaire est obligatoire pour cette action."
    # A step of the signature circuit also names the page it is taken on, and nothing else.
    assert len(refused.value.reasons) == (2 if pair in CIRCUIT else 1)


FORBIDDEN = [(a, b) for a in State.values for b in State.values if (a, b) not in RULES]


@pytest.mark.parametrize("from_state,to_state", FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_transitions_outside_the_table_are_refused(association_contract, users, from_state, to_state):
    contract = _put_in(association_contract, from_state)
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.transition(contract, to_state, users["ars"], comment="Motif.", today=contract.end_date)
    assert "ne peut pas passer à l'état" in refused.value.reasons[0]
    assert Transition.objects.filter(contract=contract, to_state=to_state, from_state=from_state).count() == 0


def test_launch_needs_a_perimeter(association_contract, users):
    contract = _put_in(association_contract, State.PROGRAMMED)
    contract.establishments.clear()
    reasons = lifecycle.refusal_reasons(contract, State.LAUNCHED, users["ars"])
    assert reasons == ["Le périmètre du contrat ne comprend aucun établissement."]


def test_every_funder_of_the_perimeter_must_be_party(association_contract, users):
    contract = _put_in(association_contract, State.NEGOTIATION)
    contract.parties.exclude(is_lead=True).delete()
    reasons = lifecycle.refusal_reasons(contract, State.READY_FOR_SIGNATURE, users["ars"])
    assert len(reasons) == 3  # FAM, foyer de vie and SAVS are funded by the council
    assert (
        "L'établissement SAVS Nantes Métropole relève du Conseil départemental de Loire-Atlantique, qui n'est pas partie au contrat."
        in reasons
    )


def test_perimeter_limited_to_the_managing_body(association_contract, ehpad_contract, users):
    contract = _put_in(association_contract, State.PROGRAMMED)
    contract.establishments.add(ehpad_contract.establishments.get(category="SSIAD"))
    reasons = lifecycle.refusal_reasons(contract, State.LAUNCHED, users["ars"])
    assert any(
        "SSIAD du Baugeois" in r and "n'est pas géré par l'Association Les Chemins de Loire" in r for r in reasons
    )


def test_entry_into_force_waits_for_the_start_date(association_contract, users):
    contract = _put_in(association_contract, State.SIGNED)
    assert lifecycle.refusal_reasons(
        contract, State.IN_FORCE, users["ars"], today=contract.start_date - timedelta(days=1)
    ) == ["Le contrat n'entre en vigueur qu'à sa date d'effet, le 01/01/2027."]


def test_renewal_opens_18_months_before_the_end(association_contract, users):
    contract = _put_in(association_contract, State.IN_FORCE)
    opens = add_months(contract.end_date, -18)
    assert lifecycle.refusal_reasons(contract, State.RENEWAL, users["asso"], today=opens) == []
    assert lifecycle.refusal_reasons(contract, State.RENEWAL, users["asso"], today=opens - timedelta(days=1)) == [
        "Le renouvellement se prépare 18 mois avant la fin du contrat, soit à partir du 30/06/2030."
    ]


def test_closing_waits_for_the_end(association_contract, users):
    contract = _put_in(association_contract, State.RENEWAL)
    assert lifecycle.refusal_reasons(
        contract, State.CLOSED, users["ars"], today=contract.end_date - timedelta(days=1)
    ) == ["Le contrat ne peut être clos qu'à son terme, le 31/12/2031."]


def test_a_stale_copy_cannot_move_the_contract(association_contract, users):
    stale = type(association_contract).objects.get(pk=association_contract.pk)
    lifecycle.transition(association_contract, State.CLOSED, users["ars"], comment="Abandon.")
    with pytest.raises(lifecycle.StaleContract):
        lifecycle.transition(stale, State.READY_FOR_SIGNATURE, users["ars"])
    association_contract.refresh_from_db()
    assert association_contract.state == State.CLOSED


def test_transition_through_the_contract_page(client_for, association_contract):
    client = client_for("ars")
    page = client.get(association_contract.get_absolute_url()).content.decode()
    assert "Déclarer le contrat prêt pour signature" in page
    response = client.post(
        f"{association_contract.get_absolute_url()}etat/",
        {
            "to_state": State.READY_FOR_SIGNATURE,
            "version": association_contract.version,
            "comment": "Objectifs arrêtés.",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Le contrat est maintenant « Prêt pour signature »." in body
    assert "En négociation → Prêt pour signature" in body and "Objectifs arrêtés." in body


def test_refusal_on_the_contract_page_says_why(client_for, association_contract):
    response = client_for("asso").post(
        f"{association_contract.get_absolute_url()}etat/",
        {"to_state": State.READY_FOR_SIGNATURE, "version": association_contract.version},
        follow=True,
    )
    assert (
        "Seule l&#x27;autorité cheffe de file, l&#x27;ARS Pays de la Loire, peut effectuer cette action."
        in response.content.decode()
    )
    association_contract.refresh_from_db()
    assert association_contract.state == State.NEGOTIATION


def test_readiness_blocks_the_move_to_signature(ready_association_contract, users):
    from cpom.objectives.models import Target

    contract = ready_association_contract
    Target.objects.filter(indicator__objective__contract=contract, due_year=2).update(value="à préciser")
    reasons = lifecycle.refusal_reasons(contract, State.READY_FOR_SIGNATURE, users["ars"])
    assert len(reasons) == 1 and "la cible N+2 est « à préciser »" in reasons[0]
    with pytest.raises(TransitionRefused):
        lifecycle.transition(contract, State.READY_FOR_SIGNATURE, users["ars"])
    contract.refresh_from_db()
    assert contract.state == State.NEGOTIATION


def test_a_step_open_to_both_sides_names_every_party_to_outsiders(association_contract, users):
    contract = _put_in(association_contract, State.DIAGNOSTIC)
    reasons = lifecycle.refusal_reasons(contract, State.NEGOTIATION, users["cd49"])
    assert (
        "Seules les parties au contrat (l'Association Les Chemins de Loire, l'ARS Pays de la Loire, le Conseil "
        "départemental de Loire-Atlantique) peuvent effectuer cette action."
    ) in reasons
