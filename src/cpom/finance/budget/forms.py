"""Forms of the reference budget: amounts typed the French way, read strictly; the services check the rules."""

from decimal import Decimal

from django import forms

from cpom.finance.budget.services import GROUPS, Amounts
from cpom.finance.models import GROUP_LABELS, RATE, FunderKind, GrowthMode, Side
from cpom.web.forms import DsfrForm, FrenchIntegerField, MoneyField, PercentField


def amount_field_name(funder: str, side: str, group: int) -> str:
    return f"{funder}-{side}-{group}"


ROWS = [(Side.EXPENSE, g) for g in GROUPS] + [(Side.INCOME, g) for g in GROUPS]


class BudgetLinesForm(DsfrForm):
    """One establishment's lines in the model contract's layout: rows are the groups, columns the funders."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args, funders: list[str], amounts: Amounts, days: int | None, per_day: bool, version: int, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.funders = funders
        # Only the establishments billed per day have forecast days: the page asks the form, not the fields.
        self.per_day = per_day
        self.fields["version"].initial = version
        for side, group in ROWS:
            for funder in funders:
                amount = amounts.get((funder, side, group))
                self.fields[amount_field_name(funder, side, group)] = MoneyField(
                    label=f"{GROUP_LABELS[(side, group)]} – {FunderKind(funder).label}",
                    required=False,
                    initial=amount or None,
                    widget=forms.TextInput(attrs={"class": "fr-input"}),
                )
        if per_day:
            self.fields["days"] = FrenchIntegerField(
                label="Journées prévisionnelles",
                required=False,
                min_value=1,
                initial=days,
                help_text="Journées (ou présences) attendues sur un an : la base du prix de journée indicatif.",
                error_messages={"min_value": "Journées prévisionnelles : le nombre de journées doit être positif."},
                widget=forms.TextInput(attrs={"class": "fr-input"}),
            )

    def rows(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(side, label, one field per funder) in the order of the model contract's table."""
        return [
            (side, GROUP_LABELS[(side, group)], [self[amount_field_name(f, side, group)] for f in self.funders])
            for side, group in ROWS
        ]

    def amounts(self) -> Amounts:
        return {
            (funder, side, group): self.cleaned_data[amount_field_name(funder, side, group)] or Decimal(0)
            for side, group in ROWS
            for funder in self.funders
        }

    def forecast_days(self) -> int | None:
        return self.cleaned_data.get("days") if self.per_day else None


class GrowthForm(DsfrForm):
    growth_mode = forms.ChoiceField(
        label="Mode d'évolution de la dotation", choices=GrowthMode.choices, widget=forms.RadioSelect
    )
    growth_rate = PercentField(
        label="Taux d'évolution annuel (%)",
        required=False,
        **RATE,
        help_text="Par exemple 1,2 pour 1,2 % par an. Sans objet pour l'avenant annuel.",
    )
    zero_rate_years = FrenchIntegerField(
        label="Nombre d'années à taux zéro",
        required=False,
        min_value=0,
        max_value=5,
        help_text="Pour le taux zéro seulement : les premières années du contrat sans évolution, le taux ensuite.",
        error_messages={
            "min_value": "Le nombre d'années ne peut pas être négatif.",
            "max_value": "Le contrat dure cinq ans au plus.",
        },
    )
    contradictory_procedure = forms.ChoiceField(
        label="La fixation annuelle du tarif est-elle soumise à la procédure contradictoire ?",
        required=False,
        choices=[("oui", "Oui"), ("non", "Non")],
        widget=forms.RadioSelect,
        help_text="Pour le taux zéro et le taux directeur régional, que le modèle de contrat demande de préciser.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_contradictory_procedure(self) -> bool | None:
        return {"oui": True, "non": False}.get(self.cleaned_data["contradictory_procedure"])

    def clean_growth_rate(self) -> Decimal:
        rate = self.cleaned_data["growth_rate"]
        return rate if rate is not None else Decimal(0)

    def clean_zero_rate_years(self) -> int:
        return self.cleaned_data["zero_rate_years"] or 0


class PrefillForm(DsfrForm):
    year = forms.TypedChoiceField(label="Comptes de l'exercice", coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The page's confirmation box for partial accounts (the service refuses them without it).
    accept_partial = forms.BooleanField(required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
