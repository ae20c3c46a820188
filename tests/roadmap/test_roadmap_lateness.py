"""When an action or a milestone is late, and who a person was on a day: the pure rules, over their whole range."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpom.roadmap.lateness import action_is_late, days_late, due_year_end, milestone_is_late
from cpom.timeline.dating import Period, person_label, role_on

pytestmark = pytest.mark.pure

# The machine is shared: generation may be slow, never the rules.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


@relaxed
@given(days, days, st.one_of(st.none(), days))
def test_a_milestone_is_late_only_past_its_day_and_not_done(due, today, done_on):
    assert milestone_is_late(due, done_on, today) == (done_on is None and due < today)
    assert not milestone_is_late(None, done_on, today)


@relaxed
@given(days, st.integers(min_value=0, max_value=4))
def test_an_action_is_due_by_the_end_of_its_echeance_calendar_year(start, due_year):
    end = due_year_end(start, due_year)
    assert end == date(start.year + due_year, 12, 31)
    assert due_year_end(start, None) is None


@relaxed
@given(days, days, st.booleans(), st.lists(st.booleans(), max_size=4))
def test_an_action_past_due_is_late_unless_realised_or_its_calendar_done(due, today, realised, milestones):
    late = action_is_late(due, today, realised, milestones)
    expected = due < today and not realised and not (milestones and all(milestones))
    assert late == expected
    if late:
        assert days_late(due, today) == (today - due).days > 0


def test_days_late_never_counts_backwards():
    assert days_late(date(2026, 1, 10), date(2026, 1, 1)) == 0


@relaxed
@given(days, st.integers(min_value=0, max_value=4000), st.integers(min_value=-30, max_value=4000))
def test_the_role_held_is_that_of_the_period_holding_the_day(start, length, offset):
    period = Period("Directrice générale", start, start + timedelta(days=length))
    day = start + timedelta(days=offset)
    assert role_on([period], day) == ("Directrice générale" if 0 <= offset <= length else "")


def test_the_latest_started_period_wins_and_an_open_one_runs_on():
    periods = [
        Period("Directeur adjoint", date(2015, 1, 1), None),
        Period("Directeur général", date(2021, 9, 1), None),
    ]
    assert role_on(periods, date(2020, 1, 1)) == "Directeur adjoint"
    assert role_on(periods, date(2030, 1, 1)) == "Directeur général"
    assert person_label("Hervé Dupuis", "Directeur général") == "Hervé Dupuis, directeur général"
    assert person_label("Hervé Dupuis", "") == "Hervé Dupuis"
