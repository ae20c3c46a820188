"""The demo's launch kit of the association's contract (cpom.demo.launch_story), on the loaded demo: its committee
and referents, its adapted RACI, its check-list partly ticked and its schedule two steps late on the demo's day."""

from datetime import date

import pytest

from cpom import history_sources
from cpom.demo.launch_story import AS_OF, LATE_STEPS, TICKED
from cpom.launch import raci, services

pytestmark = pytest.mark.usefixtures("demo_database")


@pytest.fixture
def kit(association_contract):
    return services.kit_of(association_contract)


def test_the_committee_has_a_referent_per_party(kit):
    assert {m.name for m in kit.members.all()} == {
        "Claire Martin",
        "Isabelle Roux",
        "Nadia Benali",
        "Marc Lebrun",
        "Julien Moreau",
    }
    assert {m.organisation_label: m.name for m in services.referents(kit)} == {
        "Association Les Chemins de Loire": "Claire Martin",
        "ARS Pays de la Loire": "Nadia Benali",
        "Conseil départemental de Loire-Atlantique": "Julien Moreau",
    }


def test_the_matrix_holds_the_rule_and_the_ars_director_answers_for_its_signature(kit):
    matrix = services.matrix_of(kit)
    members = set(kit.members.values_list("pk", flat=True))
    assert raci.problems(services.steps_of(kit.contract), matrix, members) == []
    lebrun = kit.members.get(name="Marc Lebrun").pk
    assert matrix["lead_signature"][lebrun] == "A"


def test_the_check_list_is_partly_ticked_at_the_launch_meeting(kit):
    ticked = kit.checklist.filter(ticked_at__isnull=False)
    assert set(ticked.values_list("code", flat=True)) == set(TICKED)
    assert 0 < ticked.count() < kit.checklist.count()
    assert {t.ticked_at.date() for t in ticked} == {date(2026, 1, 19)}


def test_two_steps_are_late_on_the_demo_s_day(kit):
    plan = services.schedule_of(kit, AS_OF)
    assert tuple(row.planned.step.code for row in plan.late) == LATE_STEPS
    sheets = next(row for row in plan.progress if row.planned.step.code == "objective_sheets")
    assert sheets.done_on == date(2026, 9, 30) and sheets.status_label == "Fait en retard (26 j)"


def test_the_history_carries_the_story_s_dates(kit):
    events = history_sources.collect(kit.contract, ["launch"])
    assert events[0].label == "Kit de lancement créé" and events[0].at.date() == date(2026, 1, 19)
    assert events[0].person == "Nadia Benali"
