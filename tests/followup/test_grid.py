"""The computed grid: every line's values are the engine's stored ones, its level the rule's, and a confirmed level
never moves without a new confirmation."""

from datetime import date

import pytest

from cpom.followup import levels, services
from cpom.followup.grid import grid_for
from cpom.followup.models import CONSOLIDATED, GridEntry
from cpom.indicators.models import IndicatorValue
from cpom.indicators.services import consolidated_for

pytestmark = pytest.mark.django_db


def _engine(line, perimeter, year):
    """The engine's value for the line's category and year, read independently of the grid."""
    if line.category == CONSOLIDATED:
        stored = IndicatorValue.objects.filter(
            indicator=line.indicator.catalogue_indicator, establishment__in=perimeter, year=year
        )
        if not stored or any(v.value is None for v in stored):
            return None
        numerator = sum(v.numerator for v in stored)
        denominators = [v.denominator for v in stored]
        factor = line.indicator.catalogue_indicator.factor
        if any(d is not None for d in denominators):
            return factor * numerator / sum(denominators)
        return factor * numerator
    rows = [
        r
        for r in consolidated_for(perimeter, year)
        if r.category == line.category and r.indicator == line.indicator.catalogue_indicator
    ]
    return rows[0].value if rows else None


def test_every_line_shows_the_engine_value_of_its_category_and_year_and_the_level_of_the_rule(followed):
    grid = grid_for(followed)
    perimeter = list(followed.contract.establishments.all())
    categories = {e.category for e in perimeter}
    computed = [line for line in grid.lines if line.computed]
    # Seven categories and the consolidated line, for each of the two catalogue indicators.
    assert len(computed) == 2 * (len(categories) + 1)
    assert {line.category for line in computed} == categories | {CONSOLIDATED}
    assert grid.years == [2021, 2022, 2023, 2024]
    for line in computed:
        for value in line.values:
            expected = _engine(line, perimeter, value.year)
            if expected is None:
                assert value.engine_value is None
            else:
                assert value.engine_value == pytest.approx(expected, rel=1e-9)
                assert value.provenance, "each value names the file its data came from"
        reviewed = line.value_of(2024)
        facts = levels.LineFacts(
            value_type=line.indicator.value_type,
            direction="higher",
            tolerance=line.indicator.tolerance,
            baseline=line.baseline,
            targets=line.targets,
            values={v.year: v.text for v in line.values},
            start_year=2022,
            due_offset=line.due_offset,
            reviewed_year=2024,
        )
        assert line.assessment == levels.assess(facts)
        if line.due_offset == 2 and reviewed.engine_value is not None:
            # Due this year: R exactly when the value (as shown, two decimals) reaches the target of 50.
            assert line.assessment.level == (levels.REALISED if round(reviewed.engine_value, 2) >= 50 else "NR")
        if line.due_offset == 4:
            assert line.assessment.level == levels.IN_PROGRESS


def test_the_objective_and_the_contract_levels_come_from_the_lines(followed):
    grid = grid_for(followed)
    [strategic] = grid.strategic
    assert [row.objective.number for row in strategic.rows] == ["1.1", "1.2"]
    for row in strategic.rows:
        assert row.level == levels.combined([line.level for line in row.lines])
    assert strategic.level == levels.combined([row.level for row in strategic.rows])
    assert grid.achievement_rate == levels.achievement_rate([row.level for row in strategic.rows])


def test_recompute_follows_a_changed_value_and_never_moves_a_confirmed_level(followed, users):
    services.recompute(followed)
    line = next(line for line in grid_for(followed).lines if line.computed and line.due_offset == 2 and line.category)
    entry = line.entry
    assert entry.proposed_level == line.assessment.level
    services.confirm_level(followed, users["ars"], entry.pk, entry.proposed_level, "", entry.version)
    confirmed = entry.proposed_level
    # The imported value changes: far above or far below the target of 50.
    new_value = 10.0 if confirmed == levels.REALISED else 90.0
    perimeter = followed.contract.establishments.filter(category=line.category)
    IndicatorValue.objects.filter(
        indicator=line.indicator.catalogue_indicator, establishment__in=perimeter, year=2024
    ).update(value=new_value, numerator=new_value * 100 / line.indicator.catalogue_indicator.factor, denominator=100)
    services.recompute(followed)
    after = grid_for(followed).line(line.indicator.pk, line.category)
    assert after.value_of(2024).engine_value == pytest.approx(new_value)
    assert after.assessment.level != confirmed
    stored = GridEntry.objects.get(pk=entry.pk)
    assert stored.proposed_level == after.assessment.level
    assert stored.confirmed_level == confirmed == after.level
    assert after.proposal_changed


def test_an_override_needs_its_comment_and_keeps_both_levels(followed, users):
    services.recompute(followed)
    line = next(line for line in grid_for(followed).lines if not line.computed and line.category == CONSOLIDATED)
    entry = line.entry
    other = levels.REALISED if entry.proposed_level != levels.REALISED else levels.NOT_REALISED
    with pytest.raises(services.FollowUpRefused) as refused:
        services.confirm_level(followed, users["ars"], entry.pk, other, "", entry.version)
    assert "indiquez le motif" in str(refused.value)
    assert GridEntry.objects.get(pk=entry.pk).confirmed_level == ""
    services.confirm_level(followed, users["ars"], entry.pk, other, "Vu sur place.", entry.version)
    stored = GridEntry.objects.get(pk=entry.pk)
    assert (stored.confirmed_level, stored.confirmed_proposal, stored.override_comment) == (
        other,
        entry.proposed_level,
        "Vu sur place.",
    )


def test_a_declared_value_is_checked_and_drives_the_proposal(followed, users):
    services.recompute(followed)
    line = next(line for line in grid_for(followed).lines if not line.computed and line.category == CONSOLIDATED)
    entry = line.entry
    with pytest.raises(services.FollowUpRefused) as refused:
        services.save_entry(followed, users["asso"], entry.pk, {"declared_value": "peut-être"}, entry.version)
    assert "valeur déclarée" in str(refused.value)
    assert GridEntry.objects.get(pk=entry.pk).declared_value == ""
    services.save_entry(
        followed, users["asso"], entry.pk, {"declared_value": "oui", "comment": "Adopté en CVS."}, entry.version
    )
    after = grid_for(followed).line(line.indicator.pk, CONSOLIDATED)
    assert after.value_of(2024).text == "oui"
    assert after.comment == "Adopté en CVS."
    assert after.assessment.level == levels.REALISED
    assert after.entry.proposed_level == levels.REALISED


def test_a_stale_line_is_refused(followed, users):
    services.recompute(followed)
    entry = next(line.entry for line in grid_for(followed).lines if not line.computed)
    services.save_entry(followed, users["asso"], entry.pk, {"comment": "Un."}, entry.version)
    with pytest.raises(services.StaleFollowUp):
        services.save_entry(followed, users["asso"], entry.pk, {"comment": "Deux."}, entry.version)
    assert GridEntry.objects.get(pk=entry.pk).comment == "Un."


def test_the_authority_does_not_fill_the_grid_and_the_managing_body_does_not_confirm(followed, users):
    services.recompute(followed)
    entry = next(line.entry for line in grid_for(followed).lines if not line.computed)
    with pytest.raises(services.FollowUpRefused):
        services.save_entry(followed, users["ars"], entry.pk, {"comment": "Non."}, entry.version)
    with pytest.raises(services.FollowUpRefused):
        services.confirm_level(followed, users["asso"], entry.pk, entry.proposed_level, "", entry.version)
    assert GridEntry.objects.get(pk=entry.pk).comment == ""


def test_milestones_are_late_done_or_to_come_at_the_reviewed_year(followed, users):
    from cpom.objectives.models import Milestone

    objective = followed.contract.objectives.get(number="1.1")
    late = Milestone.objects.create(objective=objective, label="Plan adopté", due_date=date(2024, 6, 30))
    Milestone.objects.create(objective=objective, label="Bilan", due_date=date(2026, 6, 30))
    assert [(m.label, m.state) for m in grid_for(followed).milestones] == [
        ("Plan adopté", levels.LATE),
        ("Bilan", levels.NOT_STARTED),
    ]
    services.save_milestone(followed, users["asso"], late.pk, date(2024, 9, 1), "Adopté en septembre.", 0)
    assert grid_for(followed).milestones[0].state == levels.DONE


def test_the_snapshot_holds_every_line_as_shown_and_hashes_the_same_twice(followed):
    from cpom.followup.snapshot import canonical, content_hash, grid_snapshot

    services.recompute(followed)
    grid = grid_for(followed)
    data = grid_snapshot(grid)
    lines = [line for s in data["objectives"] for row in s["operational"] for line in row["lines"]]
    assert len(lines) == len(grid.lines)
    for shown, line in zip(lines, grid.lines, strict=True):
        assert shown["level"] == line.level
        assert [v["shown"] for v in shown["values"]] == [v.shown for v in line.values]
    assert content_hash(grid_snapshot(grid_for(followed))) == content_hash(data)
    assert canonical(data).startswith("{")
