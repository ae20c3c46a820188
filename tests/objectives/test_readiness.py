"""Each readiness rule, broken one at a time on a contract that is otherwise ready for signature."""

import pytest
from django.core.management import call_command

from cpom.objectives import readiness, services
from cpom.objectives.models import (
    FollowUpIndicator,
    Level,
    Milestone,
    Objective,
    ObjectiveLimits,
    ObjectiveSheet,
    Status,
    Target,
)


@pytest.fixture
def ready(ready_association_contract):
    assert readiness.blockers(ready_association_contract) == []
    return ready_association_contract


def _operational(contract):
    return contract.objectives.get(level=Level.OPERATIONAL)


def _rules(contract):
    return [(b.rule, b.message) for b in readiness.blockers(contract)]


def test_an_objective_without_indicator(ready):
    FollowUpIndicator.objects.filter(objective__contract=ready).delete()
    assert _rules(ready) == [("no_indicator", "Objectif 1.1 « Réduire l'absentéisme » : aucun indicateur de suivi.")]


def test_a_specific_indicator_without_method_unit_or_source(ready):
    FollowUpIndicator.objects.filter(objective__contract=ready).update(method="", unit="", data_source=" ")
    assert _rules(ready) == [
        (
            "indicator_method",
            "Objectif 1.1 « Réduire l'absentéisme », indicateur « Taux d'absentéisme » : précisez la méthode de calcul, "
            "la source des données, l'unité.",
        )
    ]


def test_an_indicator_without_baseline_value_or_date(ready):
    FollowUpIndicator.objects.filter(objective__contract=ready).update(baseline_date=None)
    assert [r for r, _ in _rules(ready)] == ["indicator_baseline"]
    FollowUpIndicator.objects.filter(objective__contract=ready).update(
        baseline_date="2025-12-31", baseline_value="à préciser"
    )
    assert [r for r, _ in _rules(ready)] == ["indicator_baseline"]


def test_an_indicator_without_target_for_the_due_year(ready):
    Target.objects.filter(indicator__objective__contract=ready, due_year=2).delete()
    assert _rules(ready) == [
        (
            "indicator_target",
            "Objectif 1.1 « Réduire l'absentéisme », indicateur « Taux d'absentéisme » : pas de cible pour l'échéance N+2.",
        )
    ]


@pytest.mark.parametrize("value", ["à préciser", "", "Moyenne régionale (à venir)", "?", "NC"])
def test_unspecified_or_empty_targets(ready, value):
    Target.objects.filter(indicator__objective__contract=ready, due_year=1).update(value=value)
    rules = _rules(ready)
    assert [r for r, _ in rules] == ["target_unspecified"]
    assert "la cible N+1 est" in rules[0][1]


def test_a_milestone_without_a_date(ready):
    Milestone.objects.create(objective=_operational(ready), label="Baromètre social")
    assert _rules(ready) == [
        (
            "milestone_without_date",
            "Objectif 1.1 « Réduire l'absentéisme » : l'étape « Baromètre social » n'a pas de date.",
        )
    ]


def test_a_fiche_without_pilot_or_calendar(ready):
    ObjectiveSheet.objects.filter(objective__contract=ready).update(pilot="  ")
    Milestone.objects.filter(objective__contract=ready).delete()
    assert [r for r, _ in _rules(ready)] == ["sheet_no_pilot", "sheet_no_calendar"]


def test_an_objective_that_answers_no_finding_or_priority(ready):
    _operational(ready).findings.clear()
    assert _rules(ready) == [
        (
            "answers_nothing",
            "Objectif 1.1 « Réduire l'absentéisme » : ne répond à aucun constat du diagnostic ni à aucune priorité territoriale.",
        )
    ]


def test_an_objective_not_yet_agreed(ready):
    Objective.objects.filter(contract=ready, level=Level.OPERATIONAL).update(status=Status.UNDER_DISCUSSION)
    assert [r for r, _ in _rules(ready)] == ["not_agreed"]


def test_a_rejected_objective_is_out_of_the_contract(ready, users):
    strategic = ready.objectives.get(level=Level.STRATEGIC)
    services.propose(ready, users["ars"], {"level": Level.OPERATIONAL, "parent": strategic, "title": "Objectif écarté"})
    assert "not_agreed" in [r for r, _ in _rules(ready)]
    Objective.objects.filter(title="Objectif écarté").update(status=Status.REJECTED)
    assert _rules(ready) == []


def _add_operational(contract, first, last):
    strategic = contract.objectives.get(level=Level.STRATEGIC)
    for n in range(first, last + 1):
        Objective.objects.create(
            contract=contract, level=Level.OPERATIONAL, parent=strategic, number=f"1.{n}", title=f"Objectif {n}"
        )


def test_more_operational_objectives_than_the_default_limit(ready):
    _add_operational(ready, 2, 15)  # 15 in all: the default limit
    assert "too_many_operational" not in [r for r, _ in _rules(ready)]
    _add_operational(ready, 16, 16)
    assert (
        "too_many_operational",
        "16 objectifs opérationnels financés : l'autorité cheffe de file en accepte 15 au plus.",
    ) in _rules(ready)


def test_the_lead_authority_sets_its_own_limit(ready):
    ObjectiveLimits.objects.create(
        authority=ready.parties.get(is_lead=True).authority, max_operational=3, max_strategic=1
    )
    _add_operational(ready, 2, 4)
    Objective.objects.create(
        contract=ready, level=Level.STRATEGIC, number="2", title="Deuxième axe", status=Status.AGREED
    )
    rules = _rules(ready)
    assert ("too_many_strategic", "2 objectifs stratégiques : l'autorité cheffe de file en accepte 1 au plus.") in rules
    assert (
        "too_many_operational",
        "4 objectifs opérationnels financés : l'autorité cheffe de file en accepte 3 au plus.",
    ) in rules


def test_more_than_five_strategic_objectives(ready):
    for n in range(2, 7):
        Objective.objects.create(
            contract=ready, level=Level.STRATEGIC, number=str(n), title=f"Axe {n}", status=Status.AGREED
        )
    assert (
        "too_many_strategic",
        "6 objectifs stratégiques : l'autorité cheffe de file en accepte 5 au plus.",
    ) in _rules(ready)


def test_a_contract_without_objective_is_not_ready(association_contract):
    association_contract.objectives.all().delete()
    assert _rules(association_contract) == [
        ("no_objective", "Le contrat ne comporte aucun objectif opérationnel financé.")
    ]


def test_each_blocker_points_to_the_place_to_fix_it(ready):
    FollowUpIndicator.objects.filter(objective__contract=ready).delete()
    (blocker,) = readiness.blockers(ready)
    assert blocker.url == f"{_operational(ready).get_absolute_url()}#indicateurs"


def test_command_prints_the_list_and_exits_1(ready, capsys):
    Target.objects.filter(indicator__objective__contract=ready, due_year=1).update(value="à préciser")
    with pytest.raises(SystemExit) as exit_status:
        call_command("contrats", "verification", ready.reference)
    assert exit_status.value.code == 1
    out = capsys.readouterr().out
    assert f"{ready.reference} : 1 point bloque la signature." in out
    assert "la cible N+1 est « à préciser »" in out and "à corriger : /contrats/" in out


def test_command_exits_0_when_ready(ready, capsys):
    call_command("contrats", "verification", ready.reference)
    assert capsys.readouterr().out.strip() == f"{ready.reference} : rien ne bloque la signature."


def test_readiness_page_lists_the_blockers_with_links(client_for, ready):
    Target.objects.filter(indicator__objective__contract=ready, due_year=1).update(value="à préciser")
    page = client_for("cd44").get(f"/contrats/{ready.pk}/objectifs/verification/").content.decode()
    assert "1 point bloque la signature." in page
    assert f'href="{_operational(ready).get_absolute_url()}#indicateurs"' in page


def test_the_diagnostic_s_salient_issues_and_synthesis_must_be_written(ready):
    from cpom.diagnostic.models import AxisPerspective, Diagnostic

    synthesis_url = f"/contrats/{ready.pk}/diagnostic/synthese/"
    Diagnostic.objects.filter(contract=ready).update(salient_issues="  ")
    assert [(b.rule, b.message, b.url) for b in readiness.blockers(ready)] == [
        ("no_salient_issues", "Diagnostic partagé : les problématiques saillantes ne sont pas rédigées.", synthesis_url)
    ]
    AxisPerspective.objects.filter(diagnostic__contract=ready).update(text="")
    assert _rules(ready) == [
        ("no_salient_issues", "Diagnostic partagé : les problématiques saillantes ne sont pas rédigées."),
        ("no_synthesis", "Diagnostic partagé : la synthèse n'est pas rédigée (perspectives d'aucun axe)."),
    ]
