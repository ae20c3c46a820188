"""The field-by-field difference between two versions' snapshots."""

import pytest

from cpom.amendments.diff import ADDED, CHANGED, REMOVED, Difference, diff

pytestmark = pytest.mark.pure

BEFORE = {
    "frame": {"end_date": "2028-12-31", "reference": "CPOM-1"},
    "perimeter": [
        {"finess": "490008011", "authorised_places": 86},
        {"finess": "490008029", "authorised_places": 40},
    ],
    "objectives": [{"number": "1.1", "title": "Réduire l'absentéisme", "targets": {"4": "8"}}],
    "note": None,
}


def test_identical_snapshots_have_no_difference():
    assert diff(BEFORE, BEFORE) == []


def test_records_are_matched_by_their_identity_not_their_position():
    after = {
        **BEFORE,
        "perimeter": [
            {"finess": "490000001", "authorised_places": 12},
            {"finess": "490008011", "authorised_places": 86},
            {"finess": "490008029", "authorised_places": 45},
        ],
    }
    assert diff(BEFORE, after) == [
        Difference("perimeter[490000001].authorised_places", None, 12, ADDED),
        Difference("perimeter[490000001].finess", None, "490000001", ADDED),
        Difference("perimeter[490008029].authorised_places", 40, 45, CHANGED),
    ]


def test_changed_and_removed_fields_are_named_by_their_path():
    after = {
        "frame": {"end_date": "2029-12-31", "reference": "CPOM-1"},
        "perimeter": BEFORE["perimeter"],
        "objectives": [{"number": "1.1", "title": "Réduire l'absentéisme", "targets": {"4": "6"}}],
        "note": None,
    }
    del after["note"]
    assert diff(BEFORE, after) == [
        Difference("frame.end_date", "2028-12-31", "2029-12-31", CHANGED),
        Difference("note", None, None, REMOVED),
        Difference("objectives[1.1].targets.4", "8", "6", CHANGED),
    ]


def test_a_null_value_is_not_an_absent_one():
    assert diff({"a": None}, {"a": 0}) == [Difference("a", None, 0, CHANGED)]
    assert diff({"a": None}, {}) == [Difference("a", None, None, REMOVED)]


def test_lists_without_identity_are_compared_by_position():
    assert diff({"parties": ["ARS", "CD 49"]}, {"parties": ["ARS"]}) == [
        Difference("parties[1]", "CD 49", None, REMOVED)
    ]
