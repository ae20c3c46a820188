"""The forms of the signed contract's life: an amendment's procedure, each kind of change, the prorogation, the
termination and the renewal. Forms read what is typed; the services decide (and name the field in their refusals)."""

from django import forms

from cpom.contracts.models import Contract
from cpom.objectives.models import DUE_YEAR_CHOICES, FollowUpIndicator, Objective, ObjectiveSheet
from cpom.registry.models import Authority, Establishment
from cpom.web.forms import DateInput, DsfrForm, FrenchIntegerField

from .models import DEFAULT_BUDGET_REGIME, Amendment, ChangeKind, TerminationGround, Trigger
from .services import PLACE_FIELDS, SHEET_TEXT_FIELDS, budget_line_label


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput(), help_text=help_text)


class AmendmentForm(DsfrForm):
    trigger = forms.ChoiceField(label="Motif", choices=[("", "Choisir le motif"), *Trigger.choices])
    summary = forms.CharField(
        label="Objet de l'avenant",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="La situation qui motive l'avenant, ses conséquences sur le contrat.",
    )
    letter_sent_on = _date("Date de la lettre recommandée")
    letter_presented_on = _date(
        "Date de première présentation de la lettre", "La réunion des parties se tient dans les deux mois."
    )
    meeting_on = _date("Date de la réunion des parties")
    note_sent_on = _date("Date d'envoi de la note de l'organisme gestionnaire", "Au moins huit jours avant la réunion.")
    effective_date = _date(
        "Date d'effet", "Une extension de capacité se signe au plus tard six mois avant sa mise en œuvre."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_amendment(cls, amendment: Amendment, data=None):
        initial = {name: getattr(amendment, name) for name in cls.base_fields if name != "version"}
        return cls(data, initial={**initial, "version": amendment.version})


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
    """One kind of change: only that kind's fields are kept (:data:`CHANGE_FIELDS`)."""

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

    def __init__(self, amendment: Amendment, kind: str, data=None):
        super().__init__(data, initial={"version": amendment.version}, prefix=kind)
        # Not « kind »: a template reads form.kind as the field of that name.
        self.change_kind = kind
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


class ProrogationForm(DsfrForm):
    decided_on = forms.DateField(label="Date de la décision", widget=DateInput())
    decision = forms.CharField(
        label="Décision", max_length=300, help_text="Sa référence : « Décision conjointe du 2 mars 2026 »…"
    )
    agreed = forms.MultipleChoiceField(
        label="Accord des parties",
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez chaque partie dont la décision constate l'accord : toutes doivent l'être.",
    )

    def __init__(self, labels: list[str], data=None):
        super().__init__(data)
        self.fields["agreed"].choices = [(label, label) for label in labels]


class TerminationForm(DsfrForm):
    ground = forms.ChoiceField(
        label="Motif", choices=[("", "Choisir le motif"), *TerminationGround.choices], required=False
    )
    explanation = forms.CharField(
        label="Exposé des motifs", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    letter_sent_on = forms.DateField(label="Date de la lettre recommandée avec accusé de réception", widget=DateInput())
    letter_presented_on = forms.DateField(
        label="Date de première présentation de la lettre",
        widget=DateInput(),
        help_text="Le préavis court de cette date.",
    )
    budget_regime = forms.CharField(
        label="Régime budgétaire après la dénonciation", max_length=300, initial=DEFAULT_BUDGET_REGIME
    )


class RenewalForm(DsfrForm):
    reference = forms.CharField(label="Référence du nouveau contrat", max_length=40)
    title = forms.CharField(label="Intitulé", max_length=250)
    duration_years = FrenchIntegerField(label="Durée (années)", min_value=1, max_value=5, initial=5)
    establishments = forms.ModelMultipleChoiceField(
        label="Périmètre à confirmer",
        queryset=Establishment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Le périmètre du contrat précédent ; décochez un établissement qui n'en fait plus partie.",
    )
    co_signatories = forms.ModelMultipleChoiceField(
        label="Cosignataires à confirmer",
        queryset=Authority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, contract: Contract, data=None):
        establishments = contract.establishments.order_by("name")
        co_signatories = Authority.objects.filter(contract_parties__contract=contract, contract_parties__is_lead=False)
        super().__init__(
            data,
            initial={
                "title": contract.title,
                "duration_years": contract.duration_years,
                "establishments": list(establishments),
                "co_signatories": list(co_signatories),
            },
        )
        self.fields["establishments"].queryset = establishments
        self.fields["co_signatories"].queryset = co_signatories
