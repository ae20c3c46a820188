"""The launch kit's forms: they only read what is typed; the rules are the services' (cpom.launch.services)."""

from django import forms

from cpom.web.forms import DateInput, DsfrForm


class MemberForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    choice = forms.ChoiceField(
        label="Personne",
        error_messages={
            "required": "Personne : choisissez un contact ou un utilisateur de l'une des parties.",
            "invalid_choice": "Personne : choisissez un contact en fonction ou un utilisateur de l'une des parties.",
        },
    )
    is_referent = forms.BooleanField(label="Référent de sa partie", required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [("", "Choisir une personne")] + [(c.value, c.label) for c in candidates]


class TickForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    ticked = forms.BooleanField(label="Point abordé", required=False)
    comment = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class StepDoneForm(DsfrForm):
    done_on = forms.DateField(
        label="Réalisée le",
        widget=DateInput(),
        required=False,
        error_messages={"invalid": "Date de réalisation : indiquez une date valide (jour, mois, année)."},
    )
    comment = forms.CharField(label="Commentaire", max_length=500, required=False)
