from copy import copy

from django import forms

from cpom.web.forms import DateInput, FrenchIntegerField, VersionedModelForm

from . import territories
from .bindings import bindings, bound_fields
from .categories import CATEGORY_BY_CODE
from .identifiers import normalise_finess
from .models import Authority, AuthorityKind, Contact, Establishment, ManagingBody

NEGATIVE_PLACES = "Le nombre de places ne peut pas être négatif."


class ManagingBodyForm(VersionedModelForm):
    class Meta:
        model = ManagingBody
        fields = [
            "name",
            "legal_status",
            "siren",
            "legal_finess",
            "street",
            "postal_code",
            "city",
            "head_office_authorised",
        ]

    def clean_siren(self):
        return "".join(self.cleaned_data["siren"].split())

    def clean_legal_finess(self):
        return normalise_finess(self.cleaned_data["legal_finess"])

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not (len(code) == 5 and code.isdigit()):
            raise forms.ValidationError("Le code postal doit comporter 5 chiffres.")
        return code


class EstablishmentForm(VersionedModelForm):
    class Meta:
        model = Establishment
        fields = [
            "finess",
            "name",
            "managing_body",
            "category",
            "sector",
            "audience",
            "authorised_places",
            "installed_places",
            "opening_days",
            "department",
            "city",
            "funders",
            "last_evaluation_date",
        ]
        widgets = {"funders": forms.CheckboxSelectMultiple, "last_evaluation_date": DateInput()}
        field_classes = {
            "authorised_places": FrenchIntegerField,
            "installed_places": FrenchIntegerField,
            "opening_days": FrenchIntegerField,
        }
        error_messages = {
            "authorised_places": {"min_value": NEGATIVE_PLACES},
            "installed_places": {"min_value": NEGATIVE_PLACES},
            "opening_days": {
                "min_value": "Le nombre de jours d'ouverture ne peut pas être négatif.",
                "max_value": "Une année compte au plus 366 jours d'ouverture.",
            },
        }

    def __init__(self, *args, managing_bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managing_body"].queryset = managing_bodies
        if managing_bodies is not None and managing_bodies.count() == 1:
            self.fields["managing_body"].initial = managing_bodies.get()
        self.fields["funders"].help_text = "L'ARS de la région et/ou le conseil départemental du département."
        self.bindings = bindings(self.instance)
        self.bound_names = sorted(bound_fields(self.instance))
        for name in self.bound_names:
            # Disabled: Django keeps the stored value whatever is posted; _check_bound says so instead of ignoring it.
            self.fields[name].disabled = True
            self.fields[
                name
            ].help_text = "Figé tant qu'un contrat signé couvre l'établissement : passer par un avenant."

    def clean_finess(self):
        return normalise_finess(self.cleaned_data["finess"])

    def clean(self):
        data = super().clean()
        self._check_bound()
        self._check_places(data)
        self._check_finess_department(data)
        self._check_sector(data)
        self._check_funders(data)
        return data

    def _check_bound(self):
        """A value posted for a bound field that differs from the stored one is refused, not silently dropped."""
        for name in self.bound_names:
            field = copy(self.fields[name])
            field.disabled = False  # a disabled field never reports a change
            posted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if name in self.data and field.has_changed(self.get_initial_for_field(field, name), posted):
                self.add_error(
                    name,
                    f"« {field.label} » est figé tant qu'un contrat signé couvre l'établissement : "
                    "une extension de capacité, une reprise ou un changement de financeur passe par un "
                    "avenant au contrat.",
                )

    def _check_places(self, data):
        authorised, installed = data.get("authorised_places"), data.get("installed_places")
        if authorised is not None and installed is not None and installed > authorised:
            self.add_error(
                "installed_places",
                f"Les places installées ({installed}) ne peuvent pas dépasser les places autorisées ({authorised}).",
            )

    def _check_finess_department(self, data):
        finess, code = data.get("finess"), data.get("department")
        department = territories.departments().get(code or "")
        if finess and department and not finess.startswith(department.finess_prefix):
            self.add_error(
                "finess",
                f"Le numéro FINESS {finess} ne commence pas par {department.finess_prefix}, "
                f"le code FINESS du département {department.name}.",
            )

    def _check_sector(self, data):
        category = CATEGORY_BY_CODE.get(data.get("category") or "")
        if category and data.get("sector") and data["sector"] != category.sector:
            self.add_error("sector", f"La catégorie {category.code} relève du secteur {category.sector}.")

    def _check_funders(self, data):
        code = data.get("department")
        for authority in data.get("funders") or []:
            if code and code not in authority.department_codes():
                self.add_error("funders", f"{authority} n'a pas compétence pour le département {code}.")


class AuthorityForm(VersionedModelForm):
    class Meta:
        model = Authority
        fields = ["kind", "territory", "name"]

    def clean(self):
        data = super().clean()
        kind, territory = data.get("kind"), (data.get("territory") or "").strip().upper()
        if kind == AuthorityKind.ARS and territory not in territories.regions():
            self.add_error("territory", f"« {territory} » n'est pas un code de région.")
        elif kind == AuthorityKind.CD and territory not in territories.departments():
            self.add_error("territory", f"« {territory} » n'est pas un code de département.")
        data["territory"] = territory
        return data


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "role", "email", "phone", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin de fonction ne peut pas précéder sa prise.")
        return data
