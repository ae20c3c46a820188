"""Forms of the trajectory screens: they read what people type; the rules (bounds, who writes, locking) are in scenarios."""

from decimal import Decimal

from django import forms
from dsfr.utils import dsfr_input_class_attr

from cpom.contracts.models import Contract
from cpom.core.numbers import plain
from cpom.finance.models import DeficitRule, NewMeasure, ReferenceBudget, Scenario, SurplusRule
from cpom.finance.trajectory.projection import yearly_rates
from cpom.finance.trajectory.services import (
    ScenarioRefused,
    default_envelope_rates,
    fingerprint,
    given_rates,
    lead_growth,
    parse_rate,
)
from cpom.objectives.models import DUE_YEAR_LABELS
from cpom.web.forms import DsfrForm, DsfrModelForm, MoneyField

RATE_KINDS = ("envelope", "expense")


RATE_NAMES = {"envelope": "Taux de l'enveloppe", "expense": "Taux des dépenses"}


class RateField(forms.CharField):
    """A percentage as people type it (« 1,2 » or « 1.2 »); empty means « same as the year before ». Its errors
    name the rate in full (« Taux des dépenses N+2 »): the label alone, « N+2 (%) », is read under a heading."""

    def __init__(self, *, name: str, **kwargs):
        super().__init__(**kwargs)
        self.name = name

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        try:
            return parse_rate(text)
        except ScenarioRefused as refused:
            raise forms.ValidationError(f"{self.name} : {refused}") from None


class ScenarioForm(DsfrForm):
    name = forms.CharField(label="Nom du scénario", max_length=120, help_text="Par exemple « Taux régional 1,2 % ».")
    convergence_target = MoneyField(
        label="Coût cible à la place (€)",
        required=False,
        help_text="Vide : pas de convergence. Un établissement dont l'enveloppe par place dépasse ce coût s'en rapproche.",
    )
    convergence_years = forms.TypedChoiceField(label="Années de convergence", coerce=int)
    surplus_rule = forms.ChoiceField(label="Affectation des excédents", choices=SurplusRule.choices)
    deficit_rule = forms.ChoiceField(label="Affectation des déficits", choices=DeficitRule.choices)
    opening_reserves = MoneyField(
        label="Réserves au début du contrat (€)",
        help_text="Réserve de compensation des déficits disponible au premier jour du contrat.",
    )
    # The scenario as the editor read it: a save over someone else's newer change is refused.
    read_as = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, budget: ReferenceBudget, scenario: Scenario | None = None, **kwargs):
        self.duration = budget.contract.duration_years
        kwargs.setdefault("initial", self._initial(budget, scenario))
        super().__init__(*args, **kwargs)
        self.fields["convergence_years"].choices = [
            (n, f"{n} an{'s' if n > 1 else ''}") for n in range(1, self.duration + 1)
        ]
        for kind in RATE_KINDS:
            for year in range(self.duration):
                self.fields[f"{kind}_rate_{year}"] = RateField(
                    name=f"{RATE_NAMES[kind]} {DUE_YEAR_LABELS[year]}",
                    label=f"{DUE_YEAR_LABELS[year]} (%)",
                    required=False,
                    max_length=20,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
        # The base form styled the fields it had; the rates come after.
        for field in self.rate_fields():
            dsfr_input_class_attr(field)

    def _initial(self, budget: ReferenceBudget, scenario: Scenario | None) -> dict:
        if scenario is None:
            envelope, expense = default_envelope_rates(budget), {0: lead_growth(budget).rate}
            initial = {"convergence_years": min(3, self.duration), "opening_reserves": Decimal(0)}
        else:
            envelope, expense = given_rates(scenario.envelope_rates), given_rates(scenario.expense_rates)
            initial = {
                "name": scenario.name,
                "convergence_target": scenario.convergence_target,
                "convergence_years": scenario.convergence_years,
                "surplus_rule": scenario.surplus_rule,
                "deficit_rule": scenario.deficit_rule,
                "opening_reserves": scenario.opening_reserves,
                "read_as": fingerprint(scenario),
            }
        for kind, given in (("envelope", envelope), ("expense", expense)):
            for year, rate in enumerate(yearly_rates(given, self.duration)):
                initial[f"{kind}_rate_{year}"] = plain(rate)
        return initial

    def rate_fields(self, kind: str | None = None):
        kinds = [kind] if kind else RATE_KINDS
        return [self[f"{k}_rate_{year}"] for k in kinds for year in range(self.duration)]

    def envelope_rate_fields(self):
        return self.rate_fields("envelope")

    def expense_rate_fields(self):
        return self.rate_fields("expense")

    def scenario_data(self) -> dict:
        """The cleaned values as scenarios.save_scenario takes them: only the years given keep a rate of their own."""
        data = {
            name: self.cleaned_data[name]
            for name in (
                "name",
                "convergence_target",
                "convergence_years",
                "surplus_rule",
                "deficit_rule",
                "opening_reserves",
            )
        }
        for kind in RATE_KINDS:
            rates = {year: self.cleaned_data[f"{kind}_rate_{year}"] for year in range(self.duration)}
            data[f"{kind}_rates"] = {year: rate for year, rate in rates.items() if rate is not None}
        return data


class MeasureForm(DsfrModelForm):
    start_year = forms.TypedChoiceField(label="À partir de l'année", coerce=int)
    managing_body_means = MoneyField(label="Moyens apportés par le gestionnaire (€ par an)", initial=Decimal(0))
    authority_means = MoneyField(label="Moyens apportés par l'autorité (€ par an)", initial=Decimal(0))

    class Meta:
        model = NewMeasure
        fields = ["establishment", "label", "start_year", "managing_body_means", "authority_means"]
        labels = {"establishment": "Établissement"}

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = contract.establishments.order_by("name")
        self.fields["start_year"].choices = list(enumerate(DUE_YEAR_LABELS[: contract.duration_years]))
