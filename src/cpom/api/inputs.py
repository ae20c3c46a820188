"""What the API's writes accept, said once: text fields that refuse control characters, and bodies that name only
known fields. The pages remove control characters silently (a paste from a word processor brings them); an
integrator's software that sends one has a defect it should hear about, so the API refuses it, naming the field."""

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from cpom.core.text import clean_text


def _no_control_character(label: str):
    def check(value: str) -> None:
        if clean_text(value) != value:
            raise ValidationError(
                f"{label} : caractère de contrôle refusé (seuls la tabulation et les retours à la ligne sont admis)."
            )

    return check


class TextField(serializers.CharField):
    """A text field whose every refusal names its label, control characters included."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # In place of DRF's null-character check, whose message names no field: this one refuses every control
        # character.
        kept = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators = [*kept, _no_control_character(self.label)]


def text_field(label: str, max_length: int | None = None, required: bool = False) -> TextField:
    """An optional text field (may be emptied), its refusals naming ``label``."""
    messages = {
        "invalid": f"{label} : texte attendu.",
        "blank": f"{label} : ce champ ne peut pas être vide.",
        "required": f"{label} : ce champ est obligatoire.",
        "null": f"{label} : texte attendu (une chaîne vide pour l'effacer), pas null.",
    }
    if max_length is not None:
        messages["max_length"] = f"{label} : au plus {max_length} caractères."
    return TextField(
        label=label, required=required, allow_blank=not required, max_length=max_length, error_messages=messages
    )


def refuse_unknown_fields(serializer: serializers.Serializer) -> None:
    """A field the write does not know is refused rather than ignored: it is a typing mistake the integrator would
    otherwise never see (the value they meant to change stays as it was)."""
    data = serializer.initial_data
    if not hasattr(data, "keys"):
        return
    unknown = sorted(set(data.keys()) - set(serializer.fields))
    if unknown:
        known = ", ".join(f"« {name} »" for name in serializer.fields)
        raise ValidationError(dict.fromkeys(unknown, f"Champ inconnu : les champs admis sont {known}."))
