"""The backward schedule, its comparison with what happened, its Gantt chart and the RACI rule: pure computation."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpom.launch import gantt, raci, schedule

pytestmark = pytest.mark.pure

ORDER = ("managing_body", "co_signatories", "lead")
TARGET = date(2026, 12, 15)


def _steps(co_signatories=True, durations=None):
    return schedule.steps_for(durations or {}, ORDER, co_signatories)


durations = st.dictionaries(st.sampled_from([s.code for s in schedule.STEPS]), st.integers(1, 120))


@given(
    target=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    durations=durations,
    co_signatories=st.booleans(),
    order=st.permutations(ORDER),
)
def test_the_steps_end_on_the_target_in_order_each_as_long_as_its_duration(target, durations, co_signatories, order):
    steps = schedule.steps_for(durations, order, co_signatories)
    planned = schedule.plan(target, steps)
    assert planned[-1].end == target
    assert [p.step.code for p in planned] == [s.code for s in steps]
    for before, after in zip(planned, planned[1:], strict=False):
        assert before.end == after.start  # contiguous, hence ordered
    for item in planned:
        expected = durations.get(item.step.code, item.step.default_days)
        assert item.days == expected and item.end - item.start == timedelta(days=expected)
    assert planned[0].start == target - timedelta(days=sum(p.days for p in planned))


@given(order=st.permutations(ORDER), co_signatories=st.booleans())
def test_the_signatures_come_last_in_the_signature_order_and_the_council_only_when_there_is_one(order, co_signatories):
    codes = [s.code for s in schedule.steps_for({}, order, co_signatories)]
    signatures = [schedule.SIGNATURE_STEPS[p] for p in order if co_signatories or p != "co_signatories"]
    assert codes[-len(signatures) :] == signatures
    assert ("co_signature" in codes) is co_signatories
    # The nine steps of the note de cadrage keep their order, the consultations before the board.
    assert codes[:10] == [
        "referral",
        "template",
        "calendar",
        "diagnostic",
        "diagnostic_meeting",
        "objective_sheets",
        "objectives_meeting",
        "final_document",
        "consultations",
        "board",
    ]


def test_the_two_sourced_durations_are_the_note_de_cadrage_s():
    by_code = {s.code: s for s in _steps()}
    assert by_code["diagnostic"].default_days == 30 and by_code["diagnostic"].sourced
    assert by_code["objective_sheets"].default_days == 14 and by_code["objective_sheets"].sourced
    assert not by_code["board"].sourced


def test_a_duration_under_a_day_is_refused_in_french():
    with pytest.raises(ValueError, match="Saisine.*au moins un jour"):
        _steps(durations={"referral": 0})


@given(
    today=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    done_days=st.dictionaries(st.integers(0, 12), st.integers(-60, 60)),
)
def test_a_step_is_late_exactly_when_it_is_not_done_and_its_planned_end_is_past(today, done_days):
    planned = schedule.plan(TARGET, _steps())
    done = {planned[i].step.code: planned[i].end + timedelta(days=d) for i, d in done_days.items()}
    rows = schedule.compare(planned, done, today)
    for row in rows:
        code = row.planned.step.code
        if code in done:
            assert row.done_on == done[code]
            assert row.status == (schedule.DONE_LATE if done[code] > row.planned.end else schedule.DONE)
            assert row.days_late == max(0, (done[code] - row.planned.end).days)
        elif today > row.planned.end:
            assert row.is_late and row.days_late == (today - row.planned.end).days
        else:
            assert not row.is_late and row.days_late == 0
    assert schedule.late(rows) == [r for r in rows if r.status == schedule.LATE]


def test_the_status_reads_as_the_people_say_it():
    planned = schedule.plan(TARGET, _steps())
    rows = schedule.compare(
        planned, {"referral": planned[0].end + timedelta(days=3)}, planned[2].end + timedelta(days=5)
    )
    assert rows[0].status_label == "Fait en retard (3 j)"
    assert rows[1].status_label == "En retard (20 j)"
    assert rows[2].status_label == "En retard (5 j)"
    assert rows[3].status_label == "En cours"
    assert rows[4].status_label == "À venir"


def test_the_gantt_draws_one_row_per_step_the_late_ones_red_and_the_today_line_between_its_neighbours():
    planned = schedule.plan(TARGET, _steps())
    today = date(2026, 10, 20)
    done = {p.step.code: p.end for p in planned[:6]}
    chart = gantt.gantt(schedule.compare(planned, done, today), today)
    assert [row.code for row in chart.rows] == [p.step.code for p in planned]
    late = [row.code for row in chart.rows if row.late]
    assert late == ["objectives_meeting", "final_document"]
    for row in chart.rows:
        if row.late:
            assert row.actual.colour == gantt.COLOURS[schedule.LATE]
            # Its overdue days: from its planned end to today.
            assert row.actual.x == pytest.approx(row.planned.x + row.planned.width, abs=0.2)
    assert chart.rows[0].planned.x < chart.today_x < chart.target_x <= chart.width
    assert all(row.y < later.y for row, later in zip(chart.rows, chart.rows[1:], strict=False))
    labels = [t.label for t in chart.ticks]
    assert "oct. 26" in labels or "sept. 26" in labels


def test_the_gantt_needs_a_step():
    with pytest.raises(ValueError):
        gantt.gantt([], TARGET)


STEPS = _steps()
people = st.lists(st.tuples(st.sampled_from([raci.OG, raci.LEAD, raci.CO]), st.booleans()), min_size=0, max_size=6)


@given(extra=people)
def test_the_default_matrix_always_holds_the_rule_once_both_referents_are_named(extra):
    persons = [raci.Person(1, raci.OG, True), raci.Person(2, raci.LEAD, True)]
    persons += [raci.Person(10 + n, side, False) for n, (side, _) in enumerate(extra)]
    matrix = raci.default(STEPS, persons)
    assert raci.problems(STEPS, matrix, {p.id for p in persons}) == []
    assert set(matrix) == {s.code for s in STEPS}


def test_the_default_matrix_needs_both_referents():
    with pytest.raises(ValueError):
        raci.default(STEPS, [raci.Person(1, raci.OG, True)])


def test_the_rule_says_every_broken_step_in_french():
    matrix = {s.code: {1: "A", 2: "R"} for s in STEPS}
    matrix["board"] = {1: "R", 2: "R"}
    matrix["diagnostic"] = {1: "A", 2: "A"}
    matrix["calendar"] = {1: "A", 2: "C"}
    matrix["template"] = {1: "A", 2: "R", 9: "I"}
    matrix["referral"] = {1: "A", 2: "X"}
    reasons = raci.problems(STEPS, matrix, {1, 2})
    assert (
        "Étape « Délibération du conseil d'administration de l'organisme gestionnaire » : il faut exactement une "
        "personne « A » (qui décide et rend compte) ; la matrice en donne aucune personne." in reasons
    )
    assert any("4. Renseignement" in r and "en donne 2 personnes" in r for r in reasons)
    assert any("3. Fixation conjointe" in r and "au moins une personne « R »" in r for r in reasons)
    assert any("2. Transmission" in r and "pas au comité de pilotage" in r for r in reasons)
    assert any("« X » n'est pas un rôle RACI" in r for r in reasons)
