"""Forms of the accounting imports: they check the input; rights live in finance/rules.py, the reading of files in
the readers and services."""

from datetime import date

from django import forms

from cpom.finance import rules
from cpom.finance.accounting import fec
from cpom.finance.accounting import services as imports
from cpom.web.forms import DateInput, DsfrForm

ESTABLISHMENT = "etablissement:"
SECTION = "section:"


def target_choices(user) -> list:
    """Establishments the user imports for, then the analytical sections mapped to one of them."""
    establishments = [
        (f"{ESTABLISHMENT}{e.finess}", f"{e.name} – {e.finess}") for e in rules.importable_establishments(user)
    ]
    sections = [
        (f"{SECTION}{s.pk}", f"Section {s.code}{f' ({s.label})' if s.label else ''} → {s.establishment.name}")
        for s in imports.importable_sections(user).order_by("code")
    ]
    choices = [("", "Choisissez…"), ("Établissements", establishments)]
    return choices + [("Sections analytiques", sections)] if sections else choices


def resolve_target(user, value: str):
    """The establishment a choice stands for, and the section it came through (or None); None when not allowed."""
    if value.startswith(ESTABLISHMENT):
        establishment = rules.importable_establishments(user).filter(finess=value[len(ESTABLISHMENT) :]).first()
        return establishment, None
    if value.startswith(SECTION) and value[len(SECTION) :].isdigit():
        section = imports.importable_sections(user).filter(pk=int(value[len(SECTION) :])).first()
        return (section.establishment, section) if section else (None, None)
    return None, None


class ImportForm(DsfrForm):
    kind = forms.ChoiceField(
        label="Type de fichier",
        choices=list(imports.KINDS.items()),
        initial=fec.KIND,
        widget=forms.RadioSelect,
    )
    target = forms.ChoiceField(
        label="Établissement ou section analytique",
        help_text="Une section analytique de votre comptabilité se rattache à son établissement dans « Sections analytiques ».",
        error_messages={"required": "Choisissez l'établissement dont ce fichier contient les comptes."},
    )
    year = forms.IntegerField(
        label="Année de l'exercice",
        min_value=1990,
        max_value=2100,
        error_messages={"required": "Indiquez l'année de l'exercice."},
    )
    fiscal_start = forms.DateField(
        label="Début de l'exercice",
        required=False,
        widget=DateInput(),
        help_text="Vide : le 1er janvier (FEC uniquement).",
    )
    fiscal_end = forms.DateField(
        label="Fin de l'exercice",
        required=False,
        widget=DateInput(),
        help_text="Vide : le 31 décembre (FEC uniquement).",
    )
    # Empty files are let through so that the reader refuses them with its message naming the file.
    file = forms.FileField(
        label="Fichier",
        allow_empty_file=True,
        help_text="FEC : fichier texte, colonnes séparées par « | » ou une tabulation. Balance générale : CSV "
        "« compte;libelle;debit;credit » (solde facultatif) ou Excel (.xlsx). 200 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["target"].choices = target_choices(user)
        self.fields["year"].initial = date.today().year - 1

    def clean(self):
        data = super().clean()
        if "target" in data:
            data["establishment"], data["section"] = resolve_target(self.user, data["target"])
            if data["establishment"] is None:
                self.add_error("target", "Vous ne pouvez pas importer les comptes de cet établissement.")
        if "year" in data and "fiscal_start" in data and "fiscal_end" in data:
            try:
                data["period"] = imports.fiscal_year(data["year"], data["fiscal_start"], data["fiscal_end"])
            except imports.ImportRefused as refused:
                self.add_error("fiscal_end", str(refused))
        return data


class SectionForm(DsfrForm):
    code = forms.CharField(label="Code de la section analytique", max_length=40)
    label = forms.CharField(label="Libellé", max_length=200, required=False)
    establishment = forms.ChoiceField(label="Établissement représenté")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["establishment"].choices = [("", "Choisissez…")] + [
            (e.finess, f"{e.name} – {e.finess}") for e in rules.importable_establishments(user)
        ]

    def clean_establishment(self):
        establishment = (
            rules.importable_establishments(self.user).filter(finess=self.cleaned_data["establishment"]).first()
        )
        if establishment is None:
            raise forms.ValidationError("Vous ne pouvez pas rattacher de section à cet établissement.")
        return establishment
