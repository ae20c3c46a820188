"""The drafting form: the model, then one field per choice, optional clause and parameter of that model (per-party
parameters once per authority party), each labelled in French as the model file names it."""

from django import forms

from cpom.web.inputs import DJANGO_EMPTY, TypedInputMixin

from . import template
from .models import ContractModel

# The empty choice reads « Choisir… » (TypedInputMixin names it).
CIVILITY_CHOICES = [("", DJANGO_EMPTY), *((c, c) for c in template.CIVILITIES)]


def party_field(parameter_id: str, code: str) -> str:
    return f"{parameter_id}__{code}"


class DraftingForm(TypedInputMixin, forms.Form):
    model = forms.ModelChoiceField(
        queryset=ContractModel.objects.none(),
        label="Modèle de contrat",
        empty_label=None,
        error_messages={"invalid_choice": "Choisissez un modèle de la liste.", "required": "Choisissez un modèle."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, models, spec: template.ContractModelSpec, parties: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.parties = spec, parties
        self.fields["model"].queryset = ContractModel.objects.filter(pk__in=[m.pk for m in models])
        for clause in spec.choices:
            self.fields[f"choice_{clause.id}"] = forms.ChoiceField(
                label=clause.label,
                choices=[(v.id, v.label) for v in clause.variants],
                required=False,
                error_messages={"invalid_choice": f"« {clause.label} » : choisissez une des possibilités."},
            )
        for clause in spec.options:
            self.fields[f"option_{clause.id}"] = forms.BooleanField(label=clause.label, required=False)
        for parameter in spec.parameters:
            if parameter.scope == "party":
                for code, name in parties:
                    self.fields[party_field(parameter.id, code)] = self._field(parameter, f"{parameter.label} – {name}")
            else:
                self.fields[parameter.id] = self._field(parameter, parameter.label)

    @staticmethod
    def _field(parameter: template.Parameter, label: str) -> forms.Field:
        if parameter.kind == "civility":
            return forms.ChoiceField(
                label=label,
                choices=CIVILITY_CHOICES,
                required=False,
                error_messages={"invalid_choice": f"« {label} » : « M. » ou « Mme »."},
            )
        if parameter.kind == "date":
            return forms.DateField(
                label=label,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": f"« {label} » : date invalide (jj/mm/aaaa)."},
            )
        # Its length is bounded by TypedInputMixin, as every text of cpom: a line, or a text area's LONG_TEXT.
        widget = forms.Textarea(attrs={"rows": 3}) if parameter.kind == "long_text" else forms.TextInput
        return forms.CharField(label=label, required=False, widget=widget, help_text=parameter.help)

    def drafting_values(self) -> tuple[dict, dict, dict]:
        data = self.cleaned_data
        choices = {c.id: data.get(f"choice_{c.id}") or "" for c in self.spec.choices}
        options = {c.id: bool(data.get(f"option_{c.id}")) for c in self.spec.options}
        parameters: dict = {}
        for parameter in self.spec.parameters:
            if parameter.scope == "party":
                parameters[parameter.id] = {
                    code: _text(data.get(party_field(parameter.id, code))) for code, _ in self.parties
                }
            else:
                parameters[parameter.id] = _text(data.get(parameter.id))
        return choices, options, parameters


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def initial_of(drafting, spec: template.ContractModelSpec, parties) -> dict:
    initial = {"model": drafting.model_id, "version": drafting.version if drafting.pk else 0}
    for clause in spec.choices:
        initial[f"choice_{clause.id}"] = drafting.choices.get(clause.id, clause.default)
    for clause in spec.options:
        initial[f"option_{clause.id}"] = drafting.options.get(clause.id, clause.default == "oui")
    for parameter in spec.parameters:
        value = drafting.parameters.get(parameter.id)
        if parameter.scope == "party":
            for code, _ in parties:
                initial[party_field(parameter.id, code)] = (value or {}).get(code, "")
        else:
            initial[parameter.id] = value or ""
    return initial
