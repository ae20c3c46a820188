"""Shared pieces of the web layer: the forms' base (DSFR style, what every form does to what people type) and
visibility-checked lookups."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import validators
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from cpom.access import visible
from cpom.core.formatting import french_date
from cpom.core.locking import STALE_STATUS, StaleWrite
from cpom.core.numbers import grouped, plain, read_decimal
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
                f"{grouped(self.limit, 0)} caractères au plus (vous en avez saisi {grouped(len(value), 0)}).", code="max_length",
            )


class WithinWindow:
    """A date inside ``window``, said with both ends: « entre le 01/01/1950 et le 31/12/2100 »."""

    def __init__(self, window: DateWindow):
        self.window = window

    def __call__(self, value: date) -> None:
        if not self.window.first <= value <= self.window.last:
            raise forms.ValidationError(
                f"La date doit être comprise entre le {french_date(self.window.first)} et le {french_date(self.window.last)} "
                f"(vous avez saisi le {french_date(value)}).", code="out_of_window",
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
                field.choices = [(value, label if value == "" and text == DJANGO_EMPTY else text) for value, text in field.choices]

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


class DsfrForm(TypedInputMixin, DsfrBaseForm):
    """The base of every form that is not a model's."""


class AdminForm(TypedInputMixin, forms.ModelForm):
    """The admin's edits (the platform team's) pass the same door as the pages'."""


class DsfrModelForm(TypedInputMixin, forms.ModelForm):
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound_field in self.visible_fields():
            dsfr_input_class_attr(bound_field)


class VersionedModelForm(DsfrModelForm):
    """Sends back the version of the record the page showed: the save is refused if it moved on (cpom.core.locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class _FrenchNumberField:
    """A number typed the French way in a text input: « 12 500,50 » is 12500.50, and the current value is shown the
    same way. A number input would not do: Chromium in French reads « 12 500,50 » typed there as 1 250 050.
    The messages name the field, since the error may be read away from it (at the top of a long form)."""

    widget = forms.TextInput
    input_mode = "decimal"
    example = "12 500,50"

    def __init__(self, **kwargs):
        explicit = set(kwargs.get("error_messages") or {})
        super().__init__(**kwargs)
        self.error_messages.update({k: v for k, v in self._messages().items() if k not in explicit})

    def _named(self, message: str) -> str:
        # The message is a %-template (Django fills in the value): a « % » of the label must stay one.
        return f"{str(self.label).replace('%', '%%')} : {message}" if self.label else message[0].upper() + message[1:]

    def _messages(self) -> dict[str, str]:
        return {
            "invalid": self._named(f"« %(value)s » n'est pas un nombre : écrivez par exemple {self.example}."),
            "min_value": self._named("la valeur ne peut pas être inférieure à %(limit_value)s."),
            "max_value": self._named("la valeur ne peut pas dépasser %(limit_value)s."),
        }

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": self.input_mode}

    def to_python(self, value):
        typed = value
        try:
            return super().to_python(read_decimal(value) if isinstance(value, str) else value)
        except (ValueError, forms.ValidationError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": str(typed).strip()}) from None


class FrenchDecimalField(_FrenchNumberField, forms.DecimalField):
    """Euros and other decimals: « 12 500,50 »."""

    def _messages(self) -> dict[str, str]:
        return {
            **super()._messages(),
            "max_whole_digits": self._named("%(max)s chiffres au plus avant la virgule."),
            "max_digits": self._named("%(max)s chiffres au plus en tout."),
            "max_decimal_places": self._named("%(max)s chiffres au plus après la virgule."),
        }

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return grouped(value, self.decimal_places) if self.decimal_places is not None else plain(value)
        return value


class PercentField(FrenchDecimalField):
    """A rate in percent, shown as it was typed: « 1,2 », not « 1,2000 »."""

    example = "1,2"

    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) else value


class MoneyField(FrenchDecimalField):
    """Euros: never negative, to the cent, twelve digits before the comma as the models hold them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def _messages(self) -> dict[str, str]:
        return {**super()._messages(), "min_value": self._named("un montant ne peut pas être négatif."),
                "max_decimal_places": self._named("deux chiffres au plus après la virgule (les centimes).")}


class FrenchIntegerField(_FrenchNumberField, forms.IntegerField):
    """A count (places, days, years of a contract): « 1 200 »."""

    input_mode = "numeric"
    example = "1 200"

    def _messages(self) -> dict[str, str]:
        return {**super()._messages(), "invalid": self._named(f"« %(value)s » n'est pas un nombre entier : écrivez par exemple {self.example}.")}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return grouped(value, 0)
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def visible_or_404(user, queryset: QuerySet, **lookup):
    """Invisible and non-existent objects look the same to the user: 404."""
    return get_object_or_404(visible(user, queryset), **lookup)


class VisibleObjectMixin(LoginRequiredMixin):
    """Detail and edit views: the object is looked up among those the user may see."""

    lookup_field = "pk"
    lookup_kwarg = "pk"

    def get_object(self, queryset=None):
        queryset = queryset if queryset is not None else self.get_queryset()
        return visible_or_404(self.request.user, queryset, **{self.lookup_field: self.kwargs[self.lookup_kwarg]})


class EditPermissionMixin(VisibleObjectMixin):
    """Edit views: visible is not enough, ``may_edit(user, obj)`` must also hold."""

    def may_edit(self, user, obj) -> bool:
        raise NotImplementedError

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.may_edit(self.request.user, obj):
            raise PermissionDenied("Vous n'avez pas le droit de modifier cette fiche.")
        return obj


class FormPageMixin:
    """Create and edit views share one page; ``create_title`` names the new object in French."""

    template_name = "form_page.html"
    create_title = ""
    list_url_name = ""

    def get_context_data(self, **kwargs):
        obj = getattr(self, "object", None)
        return super().get_context_data(
            form_title=f"Modifier : {obj}" if obj else self.create_title,
            cancel_url=obj.get_absolute_url() if obj else reverse(self.list_url_name),
            **kwargs,
        )


def show_refusal(request, form, refusal: Exception) -> None:
    """A refused save, said above the form the user filled (their input stays there); a stale one answers 409."""
    form.add_error(None, str(refusal))
    if isinstance(refusal, StaleWrite):
        request.cpom_status = STALE_STATUS


def flash_refusal(request, refusal: Exception) -> None:
    """A refused button action, said on the page the user goes back to; a stale one stops here with 409."""
    if isinstance(refusal, StaleWrite):
        raise refusal
    messages.error(request, str(refusal))


class StaleWriteMiddleware:
    """Every stale write answers the same way: status 409, the same French message, a way back to the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = getattr(request, "cpom_status", None)
        if status and response.status_code == 200:
            response.status_code = status
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleWrite):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = request.path
        return render(request, "stale_write.html", {"message": str(exception), "back": back}, status=STALE_STATUS)
