"""The reviews a contract calls for (cpom.reviews.planning): for every duration and every start, the rules hold."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpom.reviews import planning
from cpom.reviews.planning import ANNUAL, EXTRA, FINAL, MID_TERM, RENEWAL, Rules, contract_year_bounds, plan

pytestmark = pytest.mark.pure

starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
durations = st.integers(min_value=1, max_value=5)
windows = st.tuples(st.integers(1, 12), st.integers(1, 12)).map(sorted).map(tuple)


@given(start=starts, duration=durations, yearly=st.booleans(), alerts=st.booleans(), window=windows)
def test_the_planned_reviews_follow_the_rules_for_every_duration_and_start(start, duration, yearly, alerts, window):
    rules = Rules(yearly=yearly, window=window, preferred_month=window[0])
    reviews = plan(start, duration, rules, alerts_open=alerts)
    years = [r.year for r in reviews]
    # Ordered, one meeting a year at most, each inside its contract year, inside the contract, in the window.
    assert years == sorted(set(years))
    days = [r.day for r in reviews]
    assert days == sorted(days)
    end = contract_year_bounds(start, duration)[1]
    for review in reviews:
        first, last = contract_year_bounds(start, review.year)
        assert first <= review.day <= last <= end
        assert start <= review.day
        assert window[0] <= review.day.month <= window[1]
        assert len(set(review.purposes)) == len(review.purposes)
        assert review.kind == review.purposes[0]
    by_year = {r.year: r.purposes for r in reviews}
    # Years 3 and 5 at least, when within the duration; nothing beyond it.
    assert (MID_TERM in by_year.get(3, ())) == (duration >= 3)
    assert (FINAL in by_year.get(5, ())) == (duration == 5)
    assert all(1 <= y <= duration for y in years)
    # A shorter contract ends with its end-of-contract review.
    assert FINAL in by_year[duration]
    # The N+4 review prepares the renewal, in the year before the last.
    if duration >= 2:
        assert RENEWAL in by_year[duration - 1]
    # The supplementary year-4 review comes only with open alerts.
    assert (EXTRA in by_year.get(4, ())) == (alerts and duration >= 4)
    # Yearly: every year has its meeting.
    if yearly:
        assert years == list(range(1, duration + 1))
        assert all(ANNUAL in purposes for purposes in by_year.values())
    else:
        assert all(ANNUAL not in purposes for purposes in by_year.values())


@given(start=starts)
def test_the_default_day_is_the_fifteenth_of_october_when_the_contract_year_holds_it(start):
    for review in plan(start, 5, Rules()):
        first, last = contract_year_bounds(start, review.year)
        octobers = [date(y, 10, 15) for y in (first.year, last.year) if first <= date(y, 10, 15) <= last]
        if octobers:
            assert review.day == octobers[0]


def test_a_five_year_contract_from_january_has_its_five_meetings_named_as_the_sources_name_them():
    reviews = plan(date(2024, 1, 1), 5, Rules(), alerts_open=True)
    assert [(r.year, r.day, r.label) for r in reviews] == [
        (1, date(2024, 10, 15), "Dialogue de gestion de l'année 1 (annuel)"),
        (2, date(2025, 10, 15), "Dialogue de gestion de l'année 2 (annuel)"),
        (3, date(2026, 10, 15), "Dialogue de gestion de l'année 3 (mi-parcours, annuel)"),
        (
            4,
            date(2027, 10, 15),
            "Dialogue de gestion de l'année 4 (préparation du renouvellement, supplémentaire, annuel)",
        ),
        (5, date(2028, 10, 15), "Dialogue de gestion de l'année 5 (fin de contrat, annuel)"),
    ]


def test_an_authority_that_does_not_hold_them_yearly_meets_in_years_3_4_and_5_only():
    reviews = plan(date(2024, 7, 1), 5, Rules(yearly=False))
    assert [(r.year, r.kind) for r in reviews] == [(3, MID_TERM), (4, RENEWAL), (5, FINAL)]
    # Year 3 runs from July 2026 to June 2027: October 2026 is in it.
    assert reviews[0].day == date(2026, 10, 15)


def test_a_duration_outside_one_to_five_years_is_refused():
    with pytest.raises(ValueError, match="de 1 à 5 ans"):
        plan(date(2024, 1, 1), 6, Rules())


def test_rules_read_from_the_settings_keep_what_they_know():
    rules = Rules.of({"yearly": False, "window": [6, 9], "unknown": 1})
    assert (rules.yearly, rules.window, rules.mid_term_year) == (False, (6, 9), 3)
    assert planning.LABELS[rules.mid_term_year == 3 and MID_TERM] == "mi-parcours"
