"""French numbers, read and written by cpom.core.numbers: the one reader and the one formatter."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpom.core.numbers import MINUS, NBSP, grouped, measure, money, percent, plain, rate, read_decimal

pytestmark = pytest.mark.pure


def test_a_negative_amount_takes_the_minus_sign_not_a_hyphen():
    assert grouped(Decimal("-46666.666")) == f"{MINUS}46{NBSP}666,67"
    assert money(Decimal("-164375.38")) == f"{MINUS}164{NBSP}375,38{NBSP}€"
    assert grouped(Decimal("-0.001")) == "0,00"  # rounded to nothing: no sign left
    assert plain(Decimal("-0.50")) == f"{MINUS}0,5" and rate(Decimal("-0.5")) == f"{MINUS}0,5{NBSP}%"
    assert percent(Decimal("33.3333")) == f"33,33{NBSP}%"


def test_counts_are_grouped_without_decimals():
    assert grouped(1200, 0) == f"1{NBSP}200" and grouped(Decimal("11000"), 0) == f"11{NBSP}000"


@pytest.mark.parametrize(
    "typed, read",
    [
        ("12 500,50", Decimal("12500.50")),
        ("12\u202f500,50 €", Decimal("12500.50")),
        (f"{MINUS}3,5 %", Decimal("-3.5")),
        ("-3.5", Decimal("-3.5")),
        ("", None),
    ],
)
def test_what_people_type_and_what_cpom_writes_is_read(typed, read):
    assert read_decimal(typed) == read


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_every_amount_written_reads_back_to_itself(amount):
    assert read_decimal(grouped(amount)) == amount
    assert read_decimal(plain(amount)) == amount


@pytest.mark.parametrize(
    "value, unit, shown",
    [
        (8.0, "nombre", "8"),
        (11.0, "personnes", "11\u00a0personnes"),
        (2.5, "personnes", "2,50\u00a0personnes"),
        (94.5, "%", "94,50\u00a0%"),
        (1250.0, "€", "1\u00a0250\u00a0€"),
        (-3.25, "%", f"{MINUS}3,25\u00a0%"),
        (120.04, "", "120,0"),
    ],
)
def test_an_indicator_s_value_reads_as_a_count_a_rate_or_an_amount(value, unit, shown):
    assert measure(value, unit) == shown
