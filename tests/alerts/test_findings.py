"""The pure rules of the alerts (cpom.alerts.findings): what raises one, what does not."""

from datetime import date
from decimal import Decimal

import pytest

from cpom.alerts import findings

pytestmark = pytest.mark.pure


def _value(value, year=2025, flag=""):
    return findings.ValueFact(
        1, "EHPAD Les Tilleuls", "490008018", 25, "i-25", "Taux d'occupation", "%", year, value, flag
    )


def test_a_milestone_is_overdue_once_its_date_has_passed_and_it_is_not_done():
    def milestone(due, done=False):
        return findings.MilestoneFact(1, 2, "objectif 1.1 Réduire", 3, "Plan adopté", due, done)

    today = date(2025, 7, 1)
    assert findings.overdue_milestones([milestone(date(2025, 7, 1))], today) == []
    assert findings.overdue_milestones([milestone(date(2025, 6, 30), done=True)], today) == []
    assert findings.overdue_milestones([milestone(None)], today) == []
    [late] = findings.overdue_milestones([milestone(date(2025, 6, 30))], today)
    assert late.message == (
        "Jalon en retard : « Plan adopté » (objectif 1.1 Réduire), prévu le 30/06/2025, n'est pas réalisé."
    )
    assert (late.cause_url_name, late.cause_args, late.year) == ("objectives:detail", (1, 2), 2025)


def test_under_activity_is_below_the_threshold_only():
    threshold = Decimal("95")
    assert findings.under_activity([_value(95.0), _value(None), _value(99.2)], threshold) == []
    [low] = findings.under_activity([_value(92.84)], threshold)
    assert low.message == (
        "Sous-activité de l'EHPAD Les Tilleuls en 2025 : taux d'occupation de 92,84\u00a0%, sous le seuil de "
        "95,00\u00a0%."
    )
    assert low.key == "i-25-25/490008018/2025"


def test_only_the_flag_asked_for_is_implausible():
    values = [_value(180.0, flag="hors bornes"), _value(92.0, flag="très éloignée"), _value(91.0)]
    [flagged] = findings.implausible_values(values, "hors bornes")
    assert "180,0\u00a0%" in flagged.message and (flagged.cause_args, flagged.cause_query) == (
        ("490008018",),
        "annee=2025",
    )


@pytest.mark.parametrize(
    "actual,planned,raised",
    [
        (Decimal("-1000"), Decimal("0"), True),  # a deficit where balance was planned
        (Decimal("-1000"), Decimal("-5000"), False),  # a planned deficit bettered
        (Decimal("-1000"), Decimal("-1000"), False),  # a planned deficit met
        (Decimal("-6000"), Decimal("-5000"), True),  # deeper than planned
        (Decimal("500"), Decimal("2000"), False),  # below the plan but no deficit
    ],
)
def test_a_deficit_is_an_alert_only_when_worse_than_the_trajectory(actual, planned, raised):
    result = findings.ResultFact(1, 2025, actual, planned, 7, "Scénario retenu")
    assert bool(findings.deficits([result])) is raised
