"""The level rule alone (cpom.followup.levels): what it proposes for each kind of target, and its properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpom.core.numbers import plain
from cpom.followup import levels
from cpom.followup.levels import IN_PROGRESS, NOT_REALISED, OFF_TRACK, ON_TRACK, REALISED, LineFacts, assess

pytestmark = pytest.mark.pure


def facts(**changes) -> LineFacts:
    base = {
        "value_type": "percentage",
        "direction": "higher",
        "tolerance": Decimal(0),
        "baseline": "90",
        "targets": {2: "95"},
        "values": {},
        "start_year": 2024,
        "due_offset": 2,
        "reviewed_year": 2026,
    }
    return LineFacts(**{**base, **changes})


def test_a_target_met_in_its_due_year_is_realised_and_says_why():
    result = assess(facts(values={2026: "96,1"}))
    assert result.level == REALISED
    assert result.explanation == "cible 95\u00a0% atteinte en N+2 (2026) : 96,1\u00a0%"


def test_a_target_missed_in_its_due_year_is_not_realised():
    result = assess(facts(values={2026: "94"}))
    assert result.level == NOT_REALISED
    assert "non atteinte en N+2 (2026) : 94\u00a0%" in result.explanation


def test_the_tolerance_lets_a_near_value_meet_its_target():
    assert assess(facts(values={2026: "94,5"}, tolerance=Decimal("0.5"))).level == REALISED
    assert assess(facts(values={2026: "94,4"}, tolerance=Decimal("0.5"))).level == NOT_REALISED


def test_lower_is_better_when_the_indicator_says_so():
    lower = {"direction": "lower", "baseline": "9,5", "targets": {1: "8,5", 2: "7"}}
    assert assess(facts(**lower, values={2026: "6,8"})).level == REALISED
    assert assess(facts(**lower, values={2026: "7,2"})).level == NOT_REALISED


def test_before_the_due_year_the_year_own_target_gives_the_trend():
    lower = {"direction": "lower", "baseline": "9,5", "targets": {1: "8,5", 2: "7"}, "reviewed_year": 2025}
    on = assess(facts(**lower, values={2025: "8,4"}))
    assert (on.level, on.track) == (IN_PROGRESS, ON_TRACK)
    assert on.explanation.startswith("cible de l'année 8,5\u00a0% atteinte : 8,4\u00a0% en 2025")
    off = assess(facts(**lower, values={2025: "9"}))
    assert (off.level, off.track) == (IN_PROGRESS, OFF_TRACK)


def test_without_a_year_target_the_straight_path_from_the_baseline_gives_the_trend():
    # baseline 90 at N−1, 95 at N+2: 2025 (N+1) should be at 93,33 or better.
    assert assess(facts(reviewed_year=2025, values={2025: "93,4"})).track == ON_TRACK
    assert assess(facts(reviewed_year=2025, values={2025: "92"})).track == OFF_TRACK


def test_a_free_text_target_needs_a_person():
    result = assess(facts(targets={2: "Conformité à l'agrément"}, values={2026: "3"}))
    assert (result.level, result.needs_person) == (IN_PROGRESS, True)
    assert "à apprécier" in result.explanation


def test_a_missing_value_in_the_due_year_needs_a_person():
    result = assess(facts(values={2025: "96"}))
    assert result.level == IN_PROGRESS and result.needs_person
    assert "valeur 2026 manquante" in result.explanation


def test_a_date_target_is_judged_as_soon_as_it_is_known():
    date_line = {"value_type": "date", "targets": {3: "30/09/2027"}, "due_offset": 3}
    assert assess(facts(**date_line, reviewed_year=2025, values={2025: "15/06/2025"})).level == REALISED
    assert assess(facts(**date_line, reviewed_year=2025, values={})).level == IN_PROGRESS
    late = assess(facts(**date_line, reviewed_year=2027, values={2027: "15/10/2027"}))
    assert late.level == NOT_REALISED and "dépassée" in late.explanation
    missed = assess(facts(**date_line, reviewed_year=2027, values={}))
    assert missed.level == NOT_REALISED and "passée sans date de réalisation" in missed.explanation


def test_a_yes_no_target():
    yes = {"value_type": "boolean", "targets": {2: "oui"}, "direction": "none"}
    assert assess(facts(**yes, values={2026: "oui"})).level == REALISED
    assert assess(facts(**yes, values={2026: "non"})).level == NOT_REALISED
    early = assess(facts(**yes, reviewed_year=2025, values={2025: "non"}))
    assert (early.level, early.track) == (IN_PROGRESS, "")


def test_an_objective_and_the_contract_from_their_lines():
    assert levels.combined(["R", "R"]) == "R"
    assert levels.combined(["R", "EC"]) == "EC"
    assert levels.combined(["R", "NR", "EC"]) == "NR"
    assert levels.combined([]) == ""
    assert levels.achievement_rate(["R", "NR", "EC", "R"]) == Decimal(50)
    assert levels.achievement_rate([]) is None


def test_milestones_done_late_or_to_come():
    assert levels.milestone_state(date(2025, 6, 30), date(2025, 7, 2), date(2025, 12, 31)) == levels.DONE
    assert levels.milestone_state(date(2025, 6, 30), None, date(2025, 12, 31)) == levels.LATE
    assert levels.milestone_state(date(2026, 6, 30), None, date(2025, 12, 31)) == levels.NOT_STARTED


numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
tolerances = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False)


@given(value=numbers, target=numbers, tolerance=tolerances, direction=st.sampled_from(["higher", "lower", "none"]))
def test_at_the_due_year_a_number_is_realised_exactly_when_it_meets_its_target(value, target, tolerance, direction):
    result = assess(
        facts(direction=direction, tolerance=tolerance, targets={2: plain(target)}, values={2026: plain(value)})
    )
    met = {
        "higher": value >= target - tolerance,
        "lower": value <= target + tolerance,
        "none": abs(value - target) <= tolerance,
    }[direction]
    assert result.level == (REALISED if met else NOT_REALISED)
    assert result.explanation


@given(value=numbers, target=numbers, reviewed=st.integers(min_value=2024, max_value=2025))
def test_before_the_due_year_nothing_is_ever_realised_or_not(value, target, reviewed):
    result = assess(facts(targets={2: plain(target)}, reviewed_year=reviewed, values={reviewed: plain(value)}))
    assert result.level == IN_PROGRESS
    assert result.track in ("", ON_TRACK, OFF_TRACK)


@given(value=numbers, better=st.decimals(min_value=0, max_value=100, places=2), target=numbers)
def test_a_better_value_never_gets_a_worse_level(value, better, target):
    order = {NOT_REALISED: 0, IN_PROGRESS: 1, REALISED: 2}
    worse = assess(facts(targets={2: plain(target)}, values={2026: plain(value)}))
    improved = assess(facts(targets={2: plain(target)}, values={2026: plain(value + better)}))
    assert order[improved.level] >= order[worse.level]
