"""The portfolio's pure figures: coverage as the PdL authority kept it, the pipeline, the map's geometry."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpom.portfolios import figures, maps

pytestmark = pytest.mark.pure


def site(pk, body, department="44", places=10):
    return figures.Site(pk, f"F{pk}", f"Établissement {pk}", "IME", department, places, body, f"Organisme {body}")


def test_coverage_counts_bodies_establishments_places_and_the_ones_left_outside():
    sites = [site(1, 1), site(2, 1, "49", 30), site(3, 2), site(4, 3, "49", 5)]
    # Body 1 signed a contract (10) holding establishment 1 only; body 2 signed one (11) holding establishment 3.
    coverage = figures.coverage(sites, {1: {10}, 3: {11}}, {1, 2}, ["44", "49"])
    total = coverage.total
    assert (total.body_count, total.signed_body_count, total.body_rate) == (3, 2, Decimal("66.67"))
    assert (total.establishments, total.covered_establishments) == (4, 2)
    assert (total.places, total.covered_places, total.place_rate) == (55, 20, Decimal("36.36"))
    assert total.contract_count == 2 and total.average_perimeter == Decimal("1.0")
    assert [s.pk for s in coverage.outside] == [2]  # body 1's establishment in 49, outside its contract
    loire, maine = coverage.lines
    assert (loire.establishments, loire.covered_establishments, loire.establishment_rate) == (2, 2, Decimal(100))
    assert (maine.body_count, maine.signed_body_count, maine.establishment_rate) == (2, 1, Decimal(0))


def test_a_rate_out_of_nothing_is_none():
    assert figures.rate(0, 0) is None and figures.ratio(3, 0) is None
    assert figures.rate(33, 124) == Decimal("26.61")  # the PdL note's figure (seed 000 L775)


@given(
    st.lists(
        st.tuples(st.integers(1, 8), st.sampled_from(["44", "49", "53"]), st.integers(0, 90), st.booleans()),
        max_size=40,
    ),
    st.sets(st.integers(1, 8)),
)
def test_the_departments_add_up_to_the_territory_and_nothing_exceeds_its_whole(rows, signed):
    sites = [site(n, body, department, places) for n, (body, department, places, _) in enumerate(rows)]
    covering = {n: {100 + body} for n, (body, _, _, under) in enumerate(rows) if under and body in signed}
    coverage = figures.coverage(sites, covering, signed, ["44", "49", "53"])
    total = coverage.total
    assert sum(line.establishments for line in coverage.lines) == total.establishments == len(rows)
    assert sum(line.covered_establishments for line in coverage.lines) == total.covered_establishments
    assert sum(line.covered_places for line in coverage.lines) == total.covered_places <= total.places
    assert total.signed_body_count <= total.body_count
    assert all(s.managing_body_id in signed and s.pk not in covering for s in coverage.outside)
    assert len(coverage.outside) + total.covered_establishments == sum(1 for s in sites if s.managing_body_id in signed)


def test_the_pipeline_counts_by_state_and_year_in_the_lifecycles_order():
    rows = [figures.ContractRow(1, "in_force", 2024), figures.ContractRow(2, "programmed", 2027)]
    rows.append(figures.ContractRow(3, "programmed", 2027))
    years, table = figures.pipeline(rows, ["programmed", "negotiation", "in_force"])
    assert years == [2024, 2027]
    assert table == [("programmed", [0, 2], 2), ("in_force", [1, 0], 1)]


def test_the_box_of_an_outline_follows_its_relative_moves():
    assert maps.box_of("m 10,20 5,0 0,5 -5,0 z m 10,0 2,2 z") == (
        10,
        20,
        22,
        25,
    )  # the second subpath starts from the first one's start


def test_the_region_is_framed_on_its_five_departments_with_a_legend_and_the_credit():
    drawn = maps.draw({"44": Decimal(80), "49": Decimal(10), "53": None, "72": Decimal(50), "85": Decimal(25)}, {})
    assert [s.code for s in drawn.shapes] == ["44", "49", "53", "72", "85"]
    fills = {s.code: s.fill for s in drawn.shapes}
    assert fills["44"] == "#000091" and fills["53"] == maps.NO_DATA[0]
    assert fills["72"] == fills["72"] != fills["85"] != fills["49"]
    loire = next(s for s in drawn.shapes if s.code == "44")
    assert loire.title == "Loire-Atlantique (44) : 80 % des établissements sous contrat (75 % et plus)"
    left, top, width, height = map(float, drawn.view_box.split())
    assert width < 200 and height < 200  # the region, not France (613 × 585)
    assert len(drawn.legend) == 5 and "CC BY 4.0" in drawn.credit
    assert all(left <= s.x <= left + width and top <= s.y <= top + height for s in drawn.shapes)


def test_every_department_of_metropolitan_france_has_an_outline():
    outlines = maps.outlines()
    assert len(outlines) == 96 and outlines["2A"].name == "Corse-du-Sud"
    assert maps.draw({"971": Decimal(10)}, {}).shapes == []  # overseas: in the table only
