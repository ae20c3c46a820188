import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cpom.registry.identifiers import finess_with_key, validate_finess, validate_siren

pytestmark = pytest.mark.pure

# Real FINESS numbers of public bodies (AP-HP, AP-HM, Hospices civils de Lyon, CHU de Toulouse).
REAL_FINESS = ["750712184", "130786049", "690781810", "310781406"]


@pytest.mark.parametrize("finess", REAL_FINESS + ["440005015", " 44 000 5015 "])
def test_valid_finess_numbers_pass(finess):
    validate_finess(finess)


@pytest.mark.parametrize(
    "finess,message",
    [
        ("75071218", "doit comporter 9 caractères (il en a 8)"),
        ("7507121845", "doit comporter 9 caractères (il en a 10)"),
        ("75071218X", "n'a pas le bon format"),
        ("2C0000001", "n'a pas le bon format"),
        ("750712185", "sa clé de contrôle (dernier chiffre) ne correspond pas"),
        ("570712184", "sa clé de contrôle (dernier chiffre) ne correspond pas"),
        ("", "doit comporter 9 caractères (il en a 0)"),
    ],
)
def test_wrong_finess_numbers_are_refused_with_a_french_reason(finess, message):
    with pytest.raises(ValidationError) as error:
        validate_finess(finess)
    assert message in error.value.messages[0]


def test_corsican_and_overseas_numbers_use_their_letter_as_zero():
    validate_finess(finess_with_key("2A000012"))
    validate_finess(finess_with_key("9D000034"))
    assert finess_with_key("2A000012")[-1] == finess_with_key("20000012")[-1]


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_error_is_caught(first_eight, position, shift):
    number = finess_with_key(first_eight)
    validate_finess(number)
    wrong = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_finess(wrong)


def test_siren_check():
    validate_siren("732829320")
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siren("732829321")
    with pytest.raises(ValidationError, match="exactement 9 chiffres"):
        validate_siren("73282932")
