"""Forms of the reference budget: amounts typed the French way, read strictly; the services check the rules."""

from decimal import Decimal

from django import forms
from cpom.numbers import read_decimal
from cpom.ui import DsfrForm

from .budget import GROUPS, Amounts
from .models import GROUP_LABELS, FunderKind, GrowthMode, Side

MAX_INTEGER_DIGITS = 12  # the lines hold 14 digits, 2 of them cents


def parse_amount(text: str) -> Decimal | None:
    """« 12 500,50 », « 12500.5 » or « 12 500 € » as a Decimal; empty is None. Anything else is refused, in French."""
    try:
        amount = read_decimal(text)
    except ValueError:
        raise forms.ValidationError(f"« {text} » n'est pas un montant : écrivez par exemple 12 500,50.") from None
    if amount is None:
        return None
    if amount < 0:
        raise forms.ValidationError(f"« {text} » : un montant du budget ne peut pas être négatif.")
    if amount >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise forms.ValidationError(f"« {text} » : montant trop grand.")
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(f"« {text} » : deux chiffres au plus après la virgule (les centimes).")
    return amount


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=40, **kwargs)

    def clean(self, value):
        return parse_amount(super().clean(value))


class DaysField(forms.IntegerField):
    """« 11 000 » journées, with the space people type."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "")
        return super().to_python(value)


def amount_field_name(funder: str, side: str, group: int) -> str:
    return f"{funder}-{side}-{group}"


ROWS = [(Side.EXPENSE, g) for g in GROUPS] + [(Side.INCOME, g) for g in GROUPS]


class BudgetLinesForm(DsfrForm):
    """One establishment's lines in the model contract's layout: rows are the groups, columns the funders."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, funders: list[str], amounts: Amounts, days: int | None, per_day: bool, version: int,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.funders = funders
        self.fields["version"].initial = version
        for side, group in ROWS:
            for funder in funders:
                amount = amounts.get((funder, side, group))
                self.fields[amount_field_name(funder, side, group)] = AmountField(
                    label=f"{GROUP_LABELS[(side, group)]} – {FunderKind(funder).label}",
                    initial=_french(amount) if amount else "",
                    widget=forms.TextInput(attrs={"class": "fr-input", "inputmode": "decimal"}),
                )
        if per_day:
            self.fields["days"] = DaysField(
                label="Journées prévisionnelles", required=False, min_value=1, initial=days,
                help_text="Journées (ou présences) attendues sur un an : la base du prix de journée indicatif.",
                error_messages={"invalid": "Le nombre de journées est un nombre entier, par exemple 11 000.",
                                "min_value": "Le nombre de journées doit être positif."},
                widget=forms.TextInput(attrs={"class": "fr-input", "inputmode": "numeric"}),
            )

    def rows(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(side, label, one field per funder) in the order of the model contract's table."""
        return [(side, GROUP_LABELS[(side, group)], [self[amount_field_name(f, side, group)] for f in self.funders])
                for side, group in ROWS]

    def amounts(self) -> Amounts:
        return {(funder, side, group): self.cleaned_data[amount_field_name(funder, side, group)] or Decimal(0)
                for side, group in ROWS for funder in self.funders}

    def days(self) -> int | None:
        return self.cleaned_data.get("days")


def _french(amount: Decimal) -> str:
    """An amount as the user would type it back: « 12 500,50 »."""
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")


class GrowthForm(DsfrForm):
    growth_mode = forms.ChoiceField(label="Mode d'évolution de la dotation", choices=GrowthMode.choices,
                                    widget=forms.RadioSelect)
    growth_rate = forms.CharField(
        label="Taux d'évolution annuel (%)", required=False, max_length=20,
        help_text="Par exemple 1,2 pour 1,2 % par an. Sans objet pour l'avenant annuel.",
    )
    zero_rate_years = forms.IntegerField(
        label="Nombre d'années à taux zéro", required=False, min_value=0, max_value=5,
        help_text="Pour le taux zéro seulement : les premières années du contrat sans évolution, le taux ensuite.",
        error_messages={"invalid": "Indiquez un nombre entier d'années.",
                        "min_value": "Le nombre d'années ne peut pas être négatif.",
                        "max_value": "Le contrat dure cinq ans au plus."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_growth_rate(self) -> Decimal:
        try:
            rate = read_decimal(self.cleaned_data["growth_rate"])
        except ValueError:
            raise forms.ValidationError(f"« {self.cleaned_data['growth_rate']} » n'est pas un taux : écrivez par exemple 1,2.") from None
        return rate if rate is not None else Decimal(0)

    def clean_zero_rate_years(self) -> int:
        return self.cleaned_data["zero_rate_years"] or 0


class PrefillForm(DsfrForm):
    year = forms.TypedChoiceField(label="Comptes de l'exercice", coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
