"""The forms' base (DSFR style, through :class:`cpom.web.inputs.TypedInputMixin`) and the fields numbers are typed in
the French way."""

from decimal import Decimal

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from cpom.core.numbers import grouped, plain, read_decimal
from cpom.web.inputs import TypedInputMixin


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
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": str(typed).strip()}
            ) from None


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
        return {
            **super()._messages(),
            "min_value": self._named("un montant ne peut pas être négatif."),
            "max_decimal_places": self._named("deux chiffres au plus après la virgule (les centimes)."),
        }


class FrenchIntegerField(_FrenchNumberField, forms.IntegerField):
    """A count (places, days, years of a contract): « 1 200 »."""

    input_mode = "numeric"
    example = "1 200"

    def _messages(self) -> dict[str, str]:
        return {
            **super()._messages(),
            "invalid": self._named(f"« %(value)s » n'est pas un nombre entier : écrivez par exemple {self.example}."),
        }

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return grouped(value, 0)
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
