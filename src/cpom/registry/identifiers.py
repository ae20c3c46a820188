"""National identifiers: FINESS (establishments) and SIREN (legal entities).

Both end with a Luhn check digit. FINESS numbers of Corsica (2A, 2B) and of the
overseas départements (9A to 9F) carry a letter in second position; the letter
counts as 0 in the key, as the FINESS register computes it.
"""

import re

from django.core.exceptions import ValidationError

FINESS_FORMAT = re.compile(r"^(?:\d{2}|2[AB]|9[A-F])\d{7}$")
SIREN_FORMAT = re.compile(r"^\d{9}$")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The digit that makes ``digits`` + digit a valid Luhn number."""
    return next(str(d) for d in range(10) if luhn_is_valid(digits + str(d)))


def _finess_digits(finess: str) -> str:
    return re.sub(r"[A-F]", "0", finess)


def normalise_finess(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_finess(value: str) -> None:
    finess = normalise_finess(value)
    if len(finess) != 9:
        raise ValidationError(
            "Le numéro FINESS « %(value)s » doit comporter 9 caractères (il en a %(length)s).",
            code="finess_length",
            params={"value": value, "length": len(finess)},
        )
    if not FINESS_FORMAT.match(finess):
        raise ValidationError(
            "Le numéro FINESS « %(value)s » n'a pas le bon format : deux caractères de département "
            "(chiffres, 2A, 2B ou 9A à 9F) suivis de 7 chiffres.",
            code="finess_format",
            params={"value": value},
        )
    if not luhn_is_valid(_finess_digits(finess)):
        raise ValidationError(
            "Le numéro FINESS « %(value)s » est invalide : sa clé de contrôle (dernier chiffre) ne correspond pas.",
            code="finess_check_digit",
            params={"value": value},
        )


def finess_with_key(first_eight: str) -> str:
    """Completes 8 characters into a valid FINESS number (used by the demo and tests)."""
    return first_eight + luhn_check_digit(_finess_digits(first_eight))


def validate_siren(value: str) -> None:
    siren = re.sub(r"\s", "", value or "")
    if not SIREN_FORMAT.match(siren):
        raise ValidationError(
            "Le SIREN « %(value)s » doit comporter exactement 9 chiffres.", code="siren_format", params={"value": value}
        )
    if not luhn_is_valid(siren):
        raise ValidationError(
            "Le SIREN « %(value)s » est invalide : sa clé de contrôle ne correspond pas.",
            code="siren_check_digit",
            params={"value": value},
        )
