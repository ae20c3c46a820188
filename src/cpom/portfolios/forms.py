from django import forms
from django.db.models import Q
from django.utils import timezone

from cpom.access import visible
from cpom.contracts.models import Contract
from cpom.registry.models import Authority, Contact, Establishment, ManagingBody
from cpom.web.forms import DsfrForm, FrenchIntegerField

from . import factors, rules, services
from .models import Situation
from .portfolio import party_contracts

NOTHING = {"establishments": Establishment, "authorities": Authority, "referent": Contact, "contract": Contract}


def _required(label: str) -> dict:
    return {"required": f"{label} : ce champ est obligatoire."}


class ChooseBodyForm(DsfrForm):
    """The first step of a new line: which managing body (its establishments are then offered)."""

    managing_body = forms.ModelChoiceField(
        label="Organisme gestionnaire",
        queryset=ManagingBody.objects.none(),
        error_messages={
            **_required("Organisme gestionnaire"),
            "invalid_choice": "Organisme gestionnaire : choisissez un organisme de la liste.",
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managing_body"].queryset = visible(user, ManagingBody.objects.all()).order_by("name")


class ProgrammingEntryForm(DsfrForm):
    """A line of the programming, for one managing body (chosen first: its establishments are offered)."""

    target_year = FrenchIntegerField(
        label="Année de signature visée",
        min_value=factors.FIRST_YEAR,
        max_value=factors.LAST_YEAR,
        error_messages={
            **_required("Année de signature visée"),
            "min_value": f"Année de signature visée : {factors.FIRST_YEAR} au plus tôt.",
            "max_value": f"Année de signature visée : {factors.LAST_YEAR} au plus tard.",
        },
    )
    establishments = forms.ModelMultipleChoiceField(
        label="Établissements concernés",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Établissements concernés : cochez au moins un établissement.",
            "invalid_choice": "Établissements concernés : un établissement choisi n'est pas de cet organisme.",
            "invalid_pk_value": "Établissements concernés : choix invalide.",
        },
    )
    authorities = forms.ModelMultipleChoiceField(
        label="Autorités concernées",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Chacune voit et modifie cette ligne dans sa programmation.",
        error_messages={
            "required": "Autorités concernées : cochez au moins votre autorité.",
            "invalid_choice": "Autorités concernées : choix invalide.",
            "invalid_pk_value": "Autorités concernées : choix invalide.",
        },
    )
    territorial_priority = forms.ChoiceField(
        label="Priorité territoriale",
        error_messages={
            **_required("Priorité territoriale"),
            "invalid_choice": "Priorité territoriale : choisissez un niveau de la liste.",
        },
    )
    maturity = forms.ChoiceField(
        label="Niveau de maturité de l'organisme gestionnaire",
        error_messages={
            **_required("Niveau de maturité"),
            "invalid_choice": "Niveau de maturité : choisissez un niveau de la liste.",
        },
    )
    situation = forms.ChoiceField(
        label="Situation de l'organisme gestionnaire",
        choices=Situation.choices,
        help_text="Les critères d'éligibilité de la note de cadrage.",
        error_messages={
            **_required("Situation de l'organisme gestionnaire"),
            "invalid_choice": "Situation de l'organisme gestionnaire : choisissez une situation de la liste.",
        },
    )
    referent = forms.ModelChoiceField(
        label="Référent",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Référent : choisissez un contact de la liste."},
    )
    contract = forms.ModelChoiceField(
        label="Contrat programmé",
        queryset=None,
        required=False,
        help_text="Une fois le contrat programmé dans cpom, liez-le à cette ligne.",
        error_messages={"invalid_choice": "Contrat programmé : choisissez un contrat de la liste."},
    )
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, authority=None, managing_body=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.managing_body = managing_body
        self.fields["territorial_priority"].choices = services.choices("territorial_priorities")
        self.fields["maturity"].choices = services.choices("maturity_levels")
        if managing_body is None or authority is None:  # nothing to offer: every choice refused
            for name in ("establishments", "authorities", "referent", "contract"):
                self.fields[name].queryset = NOTHING[name].objects.none()
            return
        sites = visible(user, managing_body.establishments.all()).order_by("finess")
        self.fields["establishments"].queryset = sites
        self.fields["establishments"].label_from_instance = lambda e: f"{e.name} ({e.finess}, {e.category})"
        departments = set(managing_body.establishments.values_list("department", flat=True))
        concerned = rules.competent_authorities(departments) | type(authority).objects.filter(pk=authority.pk)
        self.fields["authorities"].queryset = concerned.distinct().order_by("kind", "territory")
        today = timezone.localdate()
        self.fields["referent"].queryset = Contact.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today), authority__in=concerned
        ).order_by("last_name", "first_name")
        self.fields["referent"].label_from_instance = lambda c: (
            f"{c.first_name} {c.last_name} – {c.role} ({c.authority})"
        )
        self.fields["contract"].queryset = party_contracts(authority).filter(managing_body=managing_body)

    def data_for_service(self) -> dict:
        return {**self.cleaned_data, "managing_body": self.managing_body}
