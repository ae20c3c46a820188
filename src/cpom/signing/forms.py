"""The consultation, the sending, the signature, the refusal and the hash check, as the pages ask for them.

The forms only read what is typed; the rules (dates, order, hash, PDF) are the services' (cpom.signing.services), so
that a page, the demo and a test meet the same refusals.
"""

from django import forms

from cpom.web.forms import DateInput, DsfrForm

from .models import ConsultationKind, Outcome

# The uploads are checked by the services (type, size, %PDF-): empty files pass here so their message names them.
PDF_HELP = "Un PDF ; sa taille est bornée par la plateforme."


class ConsultationForm(DsfrForm):
    kind = forms.ChoiceField(label="Nature", choices=ConsultationKind.choices)
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=None,
        required=False,
        help_text="Obligatoire pour un conseil de la vie sociale ; vide pour une instance de l'organisme gestionnaire.",
    )
    body = forms.CharField(
        label="Instance consultée",
        max_length=200,
        required=False,
        help_text="Vide : « Conseil d'administration – … », « Conseil de la vie sociale – … » selon la nature.",
    )
    held_on = forms.DateField(
        label="Date", widget=DateInput(), error_messages={"required": "Date : indiquez la date de la consultation."}
    )
    outcome = forms.ChoiceField(label="Résultat", choices=Outcome.choices)
    comment = forms.CharField(label="Observations", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = forms.FileField(
        label="Procès-verbal (facultatif)", required=False, allow_empty_file=True, help_text=PDF_HELP
    )

    def __init__(self, *args, establishments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = establishments


class SendForm(DsfrForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_date = forms.DateField(
        label="Date d'effet convenue (facultatif)",
        widget=DateInput(),
        required=False,
        help_text="Vide : la date de la dernière signature, comme le prévoit le modèle de contrat.",
    )


class SignatureForm(DsfrForm):
    signatory_name = forms.CharField(label="Nom du signataire", max_length=200, required=False)
    signatory_title = forms.CharField(
        label="Qualité du signataire", max_length=200, required=False, help_text="Par exemple « Directrice générale »."
    )
    signed_on = forms.DateField(
        label="Date de signature",
        widget=DateInput(),
        error_messages={"required": "Date de signature : indiquez la date à laquelle le signataire a signé."},
    )
    scan = forms.FileField(label="Exemplaire signé numérisé", required=False, allow_empty_file=True, help_text=PDF_HELP)
    signed_hash = forms.CharField(
        label="Ou l'empreinte du document signé",
        max_length=200,
        required=False,
        help_text="Les 64 caractères imprimés en pied de chaque page du document signé.",
    )


class RefusalForm(DsfrForm):
    reason = forms.CharField(label="Motif du refus", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CheckForm(DsfrForm):
    typed = forms.CharField(label="Empreinte SHA-256", max_length=200, required=False)
    file = forms.FileField(label="Ou le fichier à vérifier", required=False, allow_empty_file=True)
