"""French formatting shared by the documents."""

import datetime
from decimal import Decimal

import pytest

from cpom.core.formatting import DATE_TO_SET, NOT_FILLED, french_date, money, shorten
from cpom.documents.pdf import markup

pytestmark = pytest.mark.pure

NBSP = "\u00a0"


def test_money_is_written_the_french_way_with_non_breaking_spaces():
    assert money(Decimal("12500")) == f"12{NBSP}500,00{NBSP}€"
    assert money(Decimal("1234567.89")) == f"1{NBSP}234{NBSP}567,89{NBSP}€"
    assert money(Decimal("0")) == f"0,00{NBSP}€"
    assert money(Decimal("999.995")) == f"1{NBSP}000,00{NBSP}€"  # rounded half up, never through a float
    assert money(None) == NOT_FILLED


def test_dates_are_day_month_year():
    assert french_date(datetime.date(2027, 3, 5)) == "05/03/2027"
    assert french_date(None) == NOT_FILLED
    assert french_date(None, DATE_TO_SET) == "date à fixer"


def test_long_texts_are_cut_at_a_word():
    assert shorten("Orientations  tardives\nde la MDPH") == "Orientations tardives de la MDPH"
    cut = shorten("mot " * 100, limit=20)
    assert cut == "mot mot mot mot…"


def test_pdf_markup_escapes_what_reportlab_would_read_as_tags():
    assert markup("Taux < 80 % & attente > 6 mois\nsuite") == "Taux &lt; 80 % &amp; attente &gt; 6 mois<br/>suite"
