"""Forms of the shared diagnostic: they check the input; the rules (who writes, locking) live in services."""

from django import forms
from dsfr.utils import dsfr_input_class_attr

from cpom.indicators.models import Indicator
from cpom.web.forms import DsfrForm, DsfrModelForm
from cpom.web.inputs import MESSAGE

from .frames import AXES
from .models import Attachment, AttachmentKind, Finding, FindingLevel

ESTABLISHMENT_REQUIRED = "Choisissez l'établissement concerné : ce constat est au niveau « Établissement »."


class AnalysisForm(DsfrForm):
    text = forms.CharField(
        label="Analyse de l'organisme gestionnaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Situation constatée, chiffres à l'appui, causes identifiées. Laissez vide pour effacer l'analyse.",
    )
    # The version the writer started from: a save over someone else's newer text is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RemarkForm(DsfrForm):
    text_limits = {"text": MESSAGE}

    text = forms.CharField(
        label="Remarque de l'autorité",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "La remarque est vide."},
    )


class AttachmentForm(DsfrForm):
    kind = forms.ChoiceField(label="Nature du document", choices=AttachmentKind.choices, initial=AttachmentKind.OTHER)
    label = forms.CharField(
        label="Intitulé",
        max_length=200,
        required=False,
        help_text="Par exemple « Rapport d'évaluation externe 2024 ». Vide : le nom du fichier.",
    )
    # Empty files are let through so that services.check_upload refuses them with its message naming the file.
    file = forms.FileField(
        label="Fichier",
        allow_empty_file=True,
        help_text="PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), PNG ou JPEG ; 10 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à joindre."},
    )


class FindingForm(DsfrModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Finding
        fields = [
            "section",
            "text",
            "nature",
            "level",
            "establishment",
            "evidence_indicators",
            "evidence_attachments",
            "evidence",
            "causes",
            "consequences",
            "lever_exists",
            "priority",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "causes": forms.Textarea(attrs={"rows": 3}),
            "consequences": forms.Textarea(attrs={"rows": 3}),
            "evidence_indicators": forms.CheckboxSelectMultiple,
            "evidence_attachments": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "text": "300 caractères au plus : une phrase qui énonce une difficulté, une problématique, un point fort "
            "ou une spécificité.",
            "establishment": "Obligatoire quand le constat est au niveau « Établissement ».",
        }

    def __init__(self, *args, diagnostic, **kwargs):
        super().__init__(*args, **kwargs)
        sections = diagnostic.template.sections.all()
        self.fields["section"].queryset = sections
        self.fields["section"].label_from_instance = lambda s: s.label
        self.fields["establishment"].queryset = diagnostic.contract.establishments.order_by("category", "name")
        self.fields["establishment"].label_from_instance = lambda e: f"{e.name} ({e.finess})"
        self.fields["establishment"].error_messages["invalid_choice"] = (
            "Cet établissement n'est pas dans le périmètre du contrat."
        )
        self.fields["evidence_indicators"].queryset = Indicator.objects.filter(
            catalogue__authority=None,
            code__in=_indicator_codes(sections),
        ).order_by("catalogue_id", "pk")
        self.fields["evidence_attachments"].queryset = Attachment.objects.filter(entry__diagnostic=diagnostic)
        self.fields["evidence_attachments"].label_from_instance = lambda a: f"{a.label} ({a.original_name})"
        self.fields["section"].empty_label = "Choisissez le thème"
        self.fields["establishment"].empty_label = "Aucun (constat de l'organisme gestionnaire ou du territoire)"
        for name in ("nature", "level"):
            self.fields[name].choices = [("", "Choisissez")] + [c for c in self.fields[name].choices if c[0]]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if level == FindingLevel.ESTABLISHMENT:
            if not data.get("establishment") and "establishment" not in self.errors:
                self.add_error("establishment", ESTABLISHMENT_REQUIRED)
        elif level:
            # Any other level concerns no single establishment: a leftover choice is dropped, not refused.
            data["establishment"] = None
        return data


def _indicator_codes(sections) -> set[str]:
    """Evidence is chosen among the indicators the frame points to, not the whole catalogue."""
    return {code for section in sections for code in section.indicator_codes}


class SynthesisForm(DsfrForm):
    salient_issues = forms.CharField(
        label="Problématiques saillantes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Les quelques enjeux qui ressortent du diagnostic et orienteront les objectifs du contrat.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, axes, **kwargs):
        super().__init__(*args, **kwargs)
        for axis in axes:
            name = perspective_field(axis.section.code)
            self.fields[name] = forms.CharField(
                label=f"Perspectives – axe {axis.section.code}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            # Added after the DSFR base form styled its fields: style these the same way.
            dsfr_input_class_attr(self[name])

    def perspectives(self) -> dict[str, str]:
        return {
            axis: self.cleaned_data[perspective_field(axis)] for axis in AXES if perspective_field(axis) in self.fields
        }


def perspective_field(axis: str) -> str:
    return "perspectives_" + axis.replace(".", "_")
