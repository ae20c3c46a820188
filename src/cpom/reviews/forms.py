"""The reviews' forms: they read what is typed; the services decide (and name the field in their refusals)."""

from django import forms
from django.contrib.auth import get_user_model

from cpom.web.forms import DateInput, DsfrForm

from .models import DecisionKind, DecisionStatus


class PlanForm(DsfrForm):
    year = forms.TypedChoiceField(label="Année du contrat", coerce=int)
    day = forms.DateField(
        label="Date",
        required=False,
        widget=DateInput(),
        help_text="Vide : la date que les règles de l'autorité proposent.",
    )
    place = forms.CharField(label="Lieu", max_length=200, required=False)

    def __init__(self, data=None, years: list[tuple[int, str]] = (), initial=None):
        super().__init__(data, initial=initial)
        self.fields["year"].choices = list(years)


class EditForm(DsfrForm):
    day = forms.DateField(label="Date", widget=DateInput())
    place = forms.CharField(label="Lieu", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class QuestionForm(DsfrForm):
    text = forms.CharField(
        label="Question ou sujet à arbitrer",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple l'écart d'une fiche action et ce que vous proposez.",
    )


class SummaryForm(DsfrForm):
    summary = forms.CharField(
        label="Synthèse des échanges", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(DsfrForm):
    kind = forms.ChoiceField(label="Type", choices=[("", "Choisir le type"), *DecisionKind.choices])
    text = forms.CharField(label="Décision", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label="Porteur")
    owner_person = forms.ModelChoiceField(
        label="Personne porteuse (facultatif)", queryset=get_user_model().objects.none(), required=False
    )
    due_date = forms.DateField(label="Échéance", widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, owners: list[tuple[str, str]] = (), people=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["owner"].choices = [("", "Choisir le porteur"), *owners]
        if people is not None:
            self.fields["owner_person"].queryset = people
        self.fields["owner_person"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.membership.organisation_label})"
        )


class AdjustmentForm(DsfrForm):
    text = forms.CharField(label="Rédaction proposée", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="Motif", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(DsfrForm):
    answer = forms.ChoiceField(
        label="Réponse", choices=[("accept", "Accepter la rédaction proposée"), ("refuse", "Ne pas la retenir")]
    )
    comment = forms.CharField(
        label="Commentaire", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignForm(DsfrForm):
    signatory_name = forms.CharField(label="Nom du signataire", max_length=200)
    signatory_title = forms.CharField(label="Qualité du signataire", max_length=200)
    signed_on = forms.DateField(label="Date de signature", required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(DsfrForm):
    status = forms.ChoiceField(label="État", choices=DecisionStatus.choices)
    comment = forms.CharField(label="Commentaire", max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
