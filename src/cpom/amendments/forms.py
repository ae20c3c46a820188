"""The forms of the signed contract's life: an amendment's procedure, each kind of change, the prorogation, the
termination and the renewal. Forms read what is typed; the services decide (and name the field in their refusals)."""

from django import forms

from cpom.contracts.models import Contract
from cpom.registry.models import Authority, Establishment
from cpom.web.forms import DateInput, DsfrForm, FrenchIntegerField

from .change_fields import ChangeForm
from .models import DEFAULT_BUDGET_REGIME, Amendment, ChangeKind, TerminationGround, Trigger


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


# One form per kind of change, in ChangeKind's order (the order the draft's page offers them): the fields a kind asks
# for are ChangeForm's, kept by its change_kind.
CHANGE_FORMS = {kind: type(f"ChangeForm_{kind}", (ChangeForm,), {"change_kind": kind}) for kind in ChangeKind}


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
