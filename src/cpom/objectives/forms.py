from django import forms

from cpom.diagnostic.models import Finding
from cpom.indicators.models import Indicator, ValueType
from cpom.web.forms import DateInput, DsfrForm, DsfrModelForm, FrenchDecimalField, MoneyField
from cpom.web.inputs import MESSAGE, years_around_today

from .models import (
    FollowUpIndicator,
    Level,
    Milestone,
    Objective,
    ObjectiveSheet,
    RegionalPriority,
    due_year_in_calendar,
)
from .services import INDICATOR_FIELDS, check_within_contract
from .snapshots import SHEET_FIELDS
from .values import ValueRefused, normalise


class VersionedForm(DsfrModelForm):
    """Carries the version the user read: a save based on an older one is refused, never merged."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ObjectiveForm(VersionedForm):
    class Meta:
        model = Objective
        fields = [
            "parent",
            "title",
            "theme",
            "due_year",
            "funding",
            "establishments",
            "findings",
            "priorities",
            "stakes",
            "feasibility",
        ]
        widgets = {
            "establishments": forms.CheckboxSelectMultiple,
            "findings": forms.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, contract, level, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract, self.level = contract, level
        self.fields["version"].initial = self.instance.version if self.instance.pk else 1
        parent_level = {Level.OPERATIONAL: Level.STRATEGIC, Level.ACTION: Level.OPERATIONAL}.get(level)
        if parent_level is None or self.instance.pk:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = contract.objectives.filter(level=parent_level)
            self.fields["parent"].required = True
            self.fields["parent"].label = "Rattaché à l'" + Level(parent_level).label.lower()
        if level != Level.OPERATIONAL:
            for name in ("funding", "establishments", "findings", "priorities", "stakes", "feasibility"):
                del self.fields[name]
            if level == Level.STRATEGIC:
                del self.fields["due_year"]
        else:
            self.fields["establishments"].queryset = contract.establishments.order_by("name")
            self.fields["findings"].queryset = Finding.objects.filter(diagnostic__contract=contract).select_related(
                "section"
            )
            self.fields["priorities"].queryset = RegionalPriority.objects.filter(
                authority__contract_parties__in=contract.parties.admitted()
            )
        if "due_year" in self.fields:
            self.fields["due_year"].choices = [("", "—")] + [
                (year, due_year_in_calendar(year, contract)) for year in range(contract.duration_years)
            ]


MONEY_FIELDS = ("constant_means_value", "managing_body_means", "authority_means")


class SheetForm(DsfrModelForm):
    class Meta:
        model = ObjectiveSheet
        fields = SHEET_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in SHEET_FIELDS
            if name.endswith(("note", "text"))
            or name in ("context", "problem_state", "implementation", "partners", "expected_results")
        }

        field_classes = dict.fromkeys(MONEY_FIELDS, MoneyField)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="fiche", **kwargs)


def baseline_window():
    """A situation actuelle is a recent measure: within the last ten years, or at the end of next year at the latest."""
    return years_around_today(10, 1)


class IndicatorForm(VersionedForm):
    date_windows = {"baseline_date": baseline_window}
    empty_labels = {"catalogue_indicator": "Aucun : un indicateur propre au contrat, décrit ci-dessous"}

    catalogue_indicator = forms.ModelChoiceField(
        Indicator.objects.filter(catalogue__authority=None).select_related("catalogue"),
        required=False,
        label="Indicateur du catalogue",
        help_text="Choisissez un indicateur du catalogue : méthode, unité et situation actuelle viennent du moteur de calcul. "
        "Sinon, décrivez un indicateur propre au contrat ci-dessous.",
    )

    class Meta:
        model = FollowUpIndicator
        fields = ["catalogue_indicator", *INDICATOR_FIELDS]
        widgets = {
            "baseline_date": DateInput(),
            "method": forms.Textarea(attrs={"rows": 2}),
            "data_source": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"kind": "Type d'indicateur", "baseline_value": "Valeur", "baseline_date": "Date"}
        field_classes = {"tolerance": FrenchDecimalField}

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.fields["version"].initial = objective.version
        # Required for a contract's own indicator only: a catalogue indicator brings its own (checked in clean()).
        for name in ("label", "kind"):
            self.fields[name].required = False
        self.fields["tolerance"].required = False
        existing = {t.due_year: t.value for t in self.instance.targets.all()} if self.instance.pk else {}
        for year in range(objective.contract.duration_years):
            self.fields[f"target_{year}"] = forms.CharField(
                label=f"Cible {due_year_in_calendar(year, objective.contract)}",
                required=False,
                max_length=100,
                initial=existing.get(year, ""),
                widget=forms.TextInput(attrs={"class": "fr-input"}),
            )

    def target_fields(self):
        return [self[f"target_{year}"] for year in range(self.objective.contract.duration_years)]

    def clean(self):
        data = super().clean()
        catalogue = data.get("catalogue_indicator")
        if catalogue is None:
            for name, message in (
                ("label", "Donnez un intitulé à l'indicateur."),
                ("kind", "Choisissez le type d'indicateur."),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        value_type = catalogue.value_type if catalogue else data.get("value_type", ValueType.NUMBER)
        for name in ["baseline_value"] + [f"target_{y}" for y in range(self.objective.contract.duration_years)]:
            try:
                data[name] = normalise(value_type, data.get(name) or "")
            except ValueRefused as refused:
                self.add_error(name, str(refused))
        return data

    def targets(self) -> dict[int, str]:
        """Only the due years given a value: an empty box is no target, not an empty one."""
        return {
            year: self.cleaned_data[f"target_{year}"]
            for year in range(self.objective.contract.duration_years)
            if self.cleaned_data.get(f"target_{year}")
        }


class MilestoneForm(DsfrModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Milestone
        fields = ["label", "due_date"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.fields["version"].initial = objective.version

    def clean_due_date(self):
        day = self.cleaned_data.get("due_date")
        try:
            check_within_contract(self.objective.contract, day)
        except ValueRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return day


class NegotiationForm(DsfrForm):
    text_limits = {"text": MESSAGE}

    action = forms.ChoiceField(choices=[(a, a) for a in ("agree", "reject", "reopen", "comment")])
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(required=False, widget=forms.Textarea)
