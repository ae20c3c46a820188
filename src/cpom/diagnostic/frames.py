"""The diagnostic frame as data: a TOML file in the repository (or an authority's own), loaded all or nothing."""

from pathlib import Path

from django.db import transaction

from cpom.core.datafiles import read_toml
from cpom.core.text import agreed
from cpom.indicators.models import Indicator
from cpom.registry.models import Authority

from .models import ChecklistItem, DiagnosticTemplate, Part, TemplateSection

NATIONAL_FILE = Path(__file__).parent / "catalogue" / "diagnostic_cpom.toml"
AXES = ("1.1", "1.2", "1.3", "1.4")
SECTION_FIELDS = ("code", "part", "axis", "title")


class TemplateError(ValueError):
    """A diagnostic frame that cannot be loaded; the message names the file and the section."""


def _check(path: Path, data: dict) -> None:
    head = data.get("template") or {}
    for key in ("code", "label", "version"):
        if not head.get(key):
            raise TemplateError(f"{path.name}, [template] : la clé « {key} » est obligatoire.")
    checklist = {item.get("code") for item in data.get("checklist", [])}
    codes: set[str] = set()
    known_indicators = set(Indicator.objects.values_list("code", flat=True))
    for number, raw in enumerate(data.get("section", []), start=1):
        where = f"{path.name}, section n° {number} ({raw.get('code', '?')})"
        for key in SECTION_FIELDS:
            if not raw.get(key):
                raise TemplateError(f"{where} : la clé « {key} » est obligatoire.")
        if raw["code"] in codes:
            raise TemplateError(f"{where} : le code « {raw['code']} » est déjà utilisé.")
        if raw["part"] not in Part.values:
            raise TemplateError(
                f"{where}, clé « part » : « {raw['part']} » n'est pas une partie connue ({', '.join(Part.values)})."
            )
        if raw["axis"] not in AXES:
            raise TemplateError(
                f"{where}, clé « axis » : « {raw['axis']} » n'est pas un axe du Titre 1 ({', '.join(AXES)})."
            )
        if raw.get("parent") and raw["parent"] not in codes:
            raise TemplateError(f"{where}, clé « parent » : la section « {raw['parent']} » doit être définie avant.")
        unknown = [c for c in raw.get("indicators", []) if c not in known_indicators]
        if unknown:
            unknown_words = agreed(len(unknown), "indicateur inconnu", "indicateurs inconnus")
            raise TemplateError(f"{where}, clé « indicators » : {unknown_words} du catalogue : {', '.join(unknown)}.")
        stray = [c for c in raw.get("checklist", []) if c not in checklist]
        if stray:
            stray_words = agreed(len(stray), "thème absent", "thèmes absents")
            raise TemplateError(f"{where}, clé « checklist » : {stray_words} de la check-list : {', '.join(stray)}.")
        codes.add(raw["code"])
    if not codes:
        raise TemplateError(f"{path.name} : la trame ne contient aucune section.")


@transaction.atomic
def load_template(path: Path = NATIONAL_FILE, authority: Authority | None = None) -> DiagnosticTemplate:
    """Loads or refreshes a frame; sections already used by a diagnostic keep their identity (matched by code)."""
    data = read_toml(path, TemplateError)
    _check(path, data)
    head = data["template"]
    template, _ = DiagnosticTemplate.objects.update_or_create(
        code=head["code"],
        defaults=dict(label=head["label"], version=head["version"], source=head.get("source", ""), authority=authority),
    )
    for order, item in enumerate(data.get("checklist", []), start=1):
        ChecklistItem.objects.update_or_create(
            template=template,
            code=item["code"],
            defaults=dict(label=item["label"], hint=item.get("hint", ""), order=order),
        )
    template.checklist.exclude(code__in=[i["code"] for i in data.get("checklist", [])]).delete()
    sections: dict[str, TemplateSection] = {}
    for order, raw in enumerate(data["section"], start=1):
        sections[raw["code"]], _ = TemplateSection.objects.update_or_create(
            template=template,
            code=raw["code"],
            defaults=dict(
                part=raw["part"],
                parent=sections.get(raw.get("parent", "")),
                axis=raw["axis"],
                title=raw["title"],
                guidance=raw.get("guidance", "").strip(),
                indicator_codes=raw.get("indicators", []),
                checklist_codes=raw.get("checklist", []),
                order=order,
            ),
        )
    return template
