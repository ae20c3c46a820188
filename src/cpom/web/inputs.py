"""What every form does to what people type: control characters dropped, a length for every text, a window for
every date, a named empty choice."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core import validators
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from cpom.core.formatting import french_date
from cpom.core.numbers import grouped
from cpom.core.text import clean_text


def _clean_value(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)):
        return [_clean_value(item) for item in value]
    return value


def without_control_characters(data):
    """The submitted data with every text cleaned (:func:`cpom.core.text.clean_text`); files are not in it."""
    if isinstance(data, MultiValueDict):
        cleaned = data.copy()
        for key, values in data.lists():
            cleaned.setlist(key, _clean_value(values))
        return cleaned
    return {key: _clean_value(value) for key, value in data.items()}


# Lengths a person would accept, by kind of text; a field of a model keeps its model's bound (a title: 300).
SHORT_TEXT = 200  # one line with no bound of its own: a name, a label, a password
MESSAGE = 5_000  # a comment, a remark, a message to the other parties: a long e-mail
LONG_TEXT = 20_000  # an analysis, a context, a method: about eight typed pages


@dataclass(frozen=True)
class DateWindow:
    first: date
    last: date


HISTORY = DateWindow(date(1950, 1, 1), date(2100, 12, 31))  # any date of an organisation's life

DJANGO_EMPTY = "---------"
CHOOSE = "Choisir…"


def years_around_today(before: int, after: int) -> DateWindow:
    """From 1 January ``before`` years ago to 31 December ``after`` years ahead."""
    year = timezone.localdate().year
    return DateWindow(date(year - before, 1, 1), date(year + after, 12, 31))


class TextLength:
    """At most ``limit`` characters, said with both figures: « 20 000 caractères au plus (vous en avez saisi 560 000) »."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise forms.ValidationError(
                f"{grouped(self.limit, 0)} caractères au plus (vous en avez saisi {grouped(len(value), 0)}).",
                code="max_length",
            )


class WithinWindow:
    """A date inside ``window``, said with both ends: « entre le 01/01/1950 et le 31/12/2100 »."""

    def __init__(self, window: DateWindow):
        self.window = window

    def __call__(self, value: date) -> None:
        if not self.window.first <= value <= self.window.last:
            raise forms.ValidationError(
                f"La date doit être comprise entre le {french_date(self.window.first)} et le {french_date(self.window.last)} "
                f"(vous avez saisi le {french_date(value)}).",
                code="out_of_window",
            )


class TypedInputMixin:
    """What every form of cpom does to what people typed, before a field reads it: no control characters (they
    would make the Word and Excel exports fail, forever once the contract is signed), a length for every text and
    a window for every date.

    The bounds are defaults by kind (a model's field keeps its own length, a text area takes LONG_TEXT, any other
    text SHORT_TEXT, a date HISTORY); a form overrides them per field in ``text_limits`` and ``date_windows``
    (a window may be a function, read when the form is built: « within five years of today »).

    A select's empty choice reads « Choisir… » rather than Django's « --------- »; where choosing nothing means
    something (« Aucun : un indicateur propre au contrat »), the form says so in ``empty_labels``."""

    text_limits: dict[str, int] = {}
    date_windows: dict[str, DateWindow | Callable[[], DateWindow]] = {}
    empty_labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = without_control_characters(self.data)
        self.apply_bounds()
        self.name_empty_choices()

    def name_empty_choices(self) -> None:
        for name, field in self.fields.items():
            label = self.empty_labels.get(name, CHOOSE)
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == DJANGO_EMPTY:
                    field.empty_label = label
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    (value, label if value == "" and text == DJANGO_EMPTY else text) for value, text in field.choices
                ]

    def full_clean(self):
        # Fields added by a subclass after __init__ (rates per year, perspectives per axis) get their bounds here.
        self.apply_bounds()
        super().full_clean()

    def apply_bounds(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                _bound_text(field, self._text_limit(name, field))
            elif isinstance(field, forms.DateField):
                window = self.date_windows.get(name, HISTORY)
                _bound_date(field, window() if callable(window) else window)

    def _text_limit(self, name: str, field: forms.CharField) -> int:
        default = LONG_TEXT if isinstance(field.widget, forms.Textarea) else SHORT_TEXT
        limits = [limit for limit in (self.text_limits.get(name), field.max_length) if limit is not None]
        return min(limits) if limits else default


def _bound_text(field: forms.CharField, limit: int) -> None:
    """The one length check of the field, with cpom's message (Django's own is replaced, not doubled)."""
    field.max_length = limit
    others = [v for v in field.validators if not isinstance(v, (validators.MaxLengthValidator, TextLength))]
    field.validators = [*others, TextLength(limit)]


def _bound_date(field: forms.DateField, window: DateWindow) -> None:
    field.validators = [*(v for v in field.validators if not isinstance(v, WithinWindow)), WithinWindow(window)]
