"""The fields of an amendment's changes, written once: each kind's form (cpom.amendments.forms) keeps its own.

The base is not a form a page shows (it has every kind's fields): the kinds' forms are."""

from django import forms

from cpom.objectives.models import DUE_YEAR_CHOICES, FollowUpIndicator, Objective, ObjectiveSheet
from cpom.registry.models import Establishment
from cpom.web.forms import DateInput, DsfrForm, FrenchIntegerField

from .models import Amendment, ChangeKind
from .services import PLACE_FIELDS, SHEET_TEXT_FIELDS, budget_line_label

CHANGE_FIELDS = {
    ChangeKind.TARGET: ("indicator", "due_year", "new_value"),
    ChangeKind.OBJECTIVE_TITLE: ("objective", "new_value"),
    ChangeKind.SHEET_FIELD: ("objective", "field", "new_text"),
    ChangeKind.PLACES: ("establishment", "place_field", "places"),
    ChangeKind.PERIMETER_ADD: ("establishment",),
    ChangeKind.PERIMETER_REMOVE: ("establishment",),
    ChangeKind.BUDGET_LINE: ("budget_line", "new_value"),
    ChangeKind.END_DATE: ("end_date",),
}
NEW_VALUE_LABELS = {
    ChangeKind.TARGET: "Nouvelle cible",
    ChangeKind.OBJECTIVE_TITLE: "Nouvel intitulé",
    ChangeKind.BUDGET_LINE: "Nouveau montant (€)",
}


class ChangeForm(DsfrForm):
    """The fields of every kind of change; each kind's form (amendments.forms.CHANGE_FORMS) keeps only its own (:data:`CHANGE_FIELDS`)."""

    change_kind = ""  # not « kind »: a template reads form.kind as a field of that name

    version = forms.IntegerField(widget=forms.HiddenInput)
    indicator = forms.TypedChoiceField(label="Indicateur", coerce=int)
    due_year = forms.TypedChoiceField(label="Échéance", coerce=int, choices=DUE_YEAR_CHOICES)
    objective = forms.TypedChoiceField(label="Objectif", coerce=int)
    field = forms.ChoiceField(
        label="Rubrique de la fiche",
        choices=[(name, ObjectiveSheet._meta.get_field(name).verbose_name.capitalize()) for name in SHEET_TEXT_FIELDS],
    )
    new_text = forms.CharField(label="Nouvelle rédaction", max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    establishment = forms.TypedChoiceField(label="Établissement", coerce=int)
    place_field = forms.ChoiceField(
        label="Places",
        choices=[(name, Establishment._meta.get_field(name).verbose_name.capitalize()) for name in PLACE_FIELDS],
    )
    places = FrenchIntegerField(label="Nouveau nombre de places", min_value=0)
    budget_line = forms.TypedChoiceField(label="Ligne du budget de référence", coerce=int)
    new_value = forms.CharField(label="Nouvelle valeur", max_length=300)
    end_date = forms.DateField(label="Nouvelle date de fin", widget=DateInput())

    def __init__(self, amendment: Amendment, data=None):
        kind = self.change_kind
        super().__init__(data, initial={"version": amendment.version}, prefix=kind)
        self.change_label = ChangeKind(kind).label
        keep = {"version", *CHANGE_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        contract = amendment.contract
        if "indicator" in self.fields:
            self.fields["indicator"].choices = [
                (i.pk, f"{i.objective.number} – {i.label}")
                for i in FollowUpIndicator.objects.filter(objective__contract=contract)
                .select_related("objective")
                .order_by("objective__number", "pk")
            ]
        if "objective" in self.fields:
            self.fields["objective"].choices = [
                (o.pk, str(o)) for o in Objective.objects.filter(contract=contract).order_by("number")
            ]
        if "establishment" in self.fields:
            if kind == ChangeKind.PERIMETER_ADD:
                candidates = Establishment.objects.filter(managing_body=contract.managing_body).exclude(
                    contracts=contract
                )
            else:
                candidates = contract.establishments.all()
            self.fields["establishment"].choices = [
                (e.pk, f"{e.name} ({e.finess})") for e in candidates.order_by("name")
            ]
        if "budget_line" in self.fields:
            from cpom.finance.models import BudgetLine

            lines = BudgetLine.objects.filter(budget__contract=contract, establishment__contracts=contract)
            self.fields["budget_line"].choices = [
                (line.pk, budget_line_label(line))
                for line in lines.select_related("establishment").order_by(
                    "establishment__name", "funder", "side", "group"
                )
            ]
        if "new_value" in self.fields:
            self.fields["new_value"].label = NEW_VALUE_LABELS.get(kind, "Nouvelle valeur")

    @property
    def is_available(self) -> bool:
        """A kind with nothing to choose from (no indicator, no establishment to add) is not offered."""
        return all(getattr(self.fields[name], "choices", [None]) for name in self.fields if name != "version")

    def service_data(self) -> dict:
        """The cleaned data as :func:`cpom.amendments.services.save_change` reads it."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        if self.change_kind == ChangeKind.SHEET_FIELD:
            data["new_value"] = data.pop("new_text")
        if self.change_kind == ChangeKind.PLACES:
            data["field"], data["new_value"] = data.pop("place_field"), str(data.pop("places"))
        return data
