"""The follow-up's forms: each carries the version the page showed (a stale one is refused with 409)."""

from django import forms

from cpom.web.forms import DsfrForm, FrenchIntegerField

from .models import AchievementLevel, FramingNote


class VersionedForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OpenCampaignForm(DsfrForm):
    year = FrenchIntegerField(label="Année de la campagne", min_value=2000, max_value=2100)
    reviewed_year = FrenchIntegerField(
        label="Exercice examiné", required=False, help_text="Par défaut l'exercice clos."
    )
    report_deadline = forms.DateField(
        label="Date limite du bilan de l'organisme gestionnaire",
        required=False,
        help_text="Par défaut un mois après l'ouverture.",
    )
    review_start = forms.DateField(label="Dialogue de gestion : début", required=False)
    review_end = forms.DateField(label="Dialogue de gestion : fin", required=False)
    framing_note = forms.ModelChoiceField(
        label="Note de cadrage", queryset=FramingNote.objects.none(), required=False, empty_label="Celle de l'année"
    )

    def __init__(self, *args, authority_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framing_note"].queryset = FramingNote.objects.filter(authority_id=authority_id)


class EntryForm(VersionedForm):
    declared_value = forms.CharField(label="Valeur déclarée", required=False, max_length=100)
    current_situation = forms.CharField(label="Situation actuelle", required=False, widget=forms.Textarea)
    comment = forms.CharField(label="Commentaires", required=False, widget=forms.Textarea)


class ConfirmForm(VersionedForm):
    level = forms.ChoiceField(label="Niveau retenu", choices=AchievementLevel.choices)
    override_comment = forms.CharField(
        label="Motif de l'écart au niveau proposé", required=False, widget=forms.Textarea
    )


class MilestoneProgressForm(VersionedForm):
    done_on = forms.DateField(label="Réalisé le", required=False)
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)


class ConclusionsForm(VersionedForm):
    conclusions = forms.CharField(label="Éléments conclusifs partagés", widget=forms.Textarea)


class SignForm(VersionedForm):
    signatory_name = forms.CharField(label="Nom du signataire", max_length=200)
    signatory_title = forms.CharField(label="Qualité du signataire", max_length=200)
    signed_hash = forms.CharField(widget=forms.HiddenInput)


class FramingNoteForm(VersionedForm):
    year = FrenchIntegerField(label="Année", min_value=2000, max_value=2100)
    themes = forms.CharField(label="Thèmes prioritaires de l'année", widget=forms.Textarea, help_text="Un par ligne.")
    text = forms.CharField(label="Note de cadrage", widget=forms.Textarea, required=False)
