from django import forms
from django.utils.formats import date_format

from cpom.registry.models import Authority, Establishment, ManagingBody
from cpom.web.forms import DateInput, DsfrForm, DsfrModelForm, FrenchIntegerField
from cpom.web.inputs import MESSAGE, years_around_today

from .deadlines import default_end_date
from .models import Contract
from .parties import party_refusals


def start_window():
    """A contract is programmed at most five years ahead (the authorities' programming covers five years), and one
    that started more than five years ago has ended: it is not programmed any more."""
    return years_around_today(5, 5)


def target_signature_window():
    """Not in the distant past; its upper bound is the contract's end, checked in the form's clean()."""
    return years_around_today(5, 10)


class ContractForm(DsfrModelForm):
    """Programming a contract or updating its frame before signature."""

    date_windows = {"start_date": start_window, "target_signature_date": target_signature_window}

    lead_authority = forms.ModelChoiceField(Authority.objects.none(), label="Autorité cheffe de file")
    other_authorities = forms.ModelMultipleChoiceField(
        Authority.objects.none(),
        required=False,
        label="Autres autorités signataires",
        help_text="Les autorités compétentes pour les établissements de l'organisme gestionnaire : l'ARS de leur "
        "région, les conseils départementaux de leurs départements, leurs autorités de tarification.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Une autorité cochée n'est pas compétente pour les établissements de "
            "l'organisme gestionnaire : seule l'autorité cheffe de file peut l'associer, "
            "comme cosignataire hors compétence."
        },
    )
    outside_authorities = forms.ModelMultipleChoiceField(
        Authority.objects.none(),
        required=False,
        label="Cosignataires hors compétence",
        help_text="Une autorité qui n'est pas compétente pour le périmètre ne voit rien du contrat, de ses "
        "établissements ni de leurs données tant que l'organisme gestionnaire ne l'a pas acceptée comme "
        "cosignataire, sur la page du contrat.",
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contract
        fields = [
            "reference",
            "title",
            "managing_body",
            "establishments",
            "legal_basis",
            "duration_years",
            "start_date",
            "end_date",
            "target_signature_date",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "target_signature_date": DateInput(),
            "establishments": forms.CheckboxSelectMultiple,
        }
        field_classes = {"duration_years": FrenchIntegerField}
        help_texts = {
            "end_date": "Laissez vide pour la calculer à partir de la date d'effet et de la durée.",
            "duration_years": "Cinq ans au plus.",
        }
        error_messages = {
            "duration_years": {
                "max_value": "Un CPOM est conclu pour cinq ans au plus.",
                "min_value": "La durée doit être d'au moins un an.",
            }
        }

    def __init__(
        self,
        *args,
        user,
        managing_bodies,
        lead_authorities,
        establishments,
        competent_authorities,
        outside_authorities,
        **kwargs,
    ):
        """``outside_authorities``: those the user may propose outside their competence, None when they may not."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["end_date"].required = False
        self.fields["managing_body"].queryset = managing_bodies
        self.fields["lead_authority"].queryset = lead_authorities
        self.fields["establishments"].queryset = establishments
        self.fields["other_authorities"].queryset = competent_authorities
        self.offers_outsiders = outside_authorities is not None
        if outside_authorities is None:
            del self.fields["outside_authorities"]
        else:
            self.fields["outside_authorities"].queryset = outside_authorities
        self.fields["establishments"].label = "Établissements du périmètre"
        # Only the chosen managing body's establishments are offered; anything else is refused here.
        self.fields["establishments"].error_messages["invalid_choice"] = (
            "Un établissement choisi n'est pas géré par l'organisme gestionnaire du contrat."
        )
        if self.instance.pk:
            self.fields["managing_body"].disabled = True
            self.fields["version"].initial = self.instance.version
            parties = list(self.instance.parties.select_related("authority"))
            self.fields["lead_authority"].initial = next((p.authority for p in parties if p.is_lead), None)
            co_signatories = [p.authority for p in parties if not p.is_lead]
            self.fields["other_authorities"].initial = [a for a in co_signatories if a in competent_authorities]
            if "outside_authorities" in self.fields:
                self.fields["outside_authorities"].initial = [
                    a for a in co_signatories if a not in competent_authorities
                ]
        elif lead_authorities.count() == 1:
            self.fields["lead_authority"].initial = lead_authorities.get()

    def clean(self):
        data = super().clean()
        start, duration = data.get("start_date"), data.get("duration_years")
        if start and duration:
            self._check_end_date(data, start, duration)
        self._check_target_signature(data)
        self._check_parties(data)
        return data

    def _check_end_date(self, data, start, duration):
        latest = default_end_date(start, duration)
        end = data.get("end_date") or latest
        if end <= start:
            self.add_error("end_date", "La date de fin doit être postérieure à la date d'effet.")
        elif end > latest:
            self.add_error(
                "end_date",
                f"La date de fin dépasse la durée du contrat ({duration} ans) : "
                f"elle doit être au plus tard le {date_format(latest, 'SHORT_DATE_FORMAT')}.",
            )
        data["end_date"] = end

    def _check_parties(self, data):
        """The one rule of the parties' service, shown on the form before anything is written."""
        data["co_signatories"] = [*data.get("other_authorities", []), *data.get("outside_authorities", [])]
        lead, establishments = data.get("lead_authority"), data.get("establishments")
        if lead is None or establishments is None or "other_authorities" in self.errors:
            return
        managing_body = data.get("managing_body") or getattr(self.instance, "managing_body", None)
        contract = self.instance if self.instance.pk else None
        for reason in party_refusals(self.user, managing_body, establishments, lead, data["co_signatories"], contract):
            self.add_error(None, reason)

    def _check_target_signature(self, data):
        target, end = data.get("target_signature_date"), data.get("end_date")
        if target and end and target >= end:
            self.add_error("target_signature_date", "La signature visée doit précéder la fin du contrat.")

    def _post_clean(self):
        # end_date is filled in clean(); the instance must see it before model validation.
        if self.cleaned_data.get("end_date"):
            self.instance.end_date = self.cleaned_data["end_date"]
        super()._post_clean()


class TransitionForm(DsfrForm):
    text_limits = {"comment": MESSAGE}

    to_state = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def establishments_for(managing_body: ManagingBody | None, visible_establishments):
    if managing_body is None:
        return Establishment.objects.none()
    return visible_establishments.filter(managing_body=managing_body)
