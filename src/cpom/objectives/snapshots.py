"""An objective as a flat dictionary with French keys: what the version history compares, field by field."""

from decimal import Decimal

from cpom.core.numbers import grouped

from .models import DUE_YEAR_LABELS, Objective, ObjectiveSheet

SHEET_FIELDS = [
    "context",
    "problem_state",
    "stakes_text",
    "implementation",
    "pilot",
    "partners",
    "expected_results",
    "constant_means_value",
    "constant_means_note",
    "managing_body_means",
    "managing_body_means_note",
    "authority_means",
    "authority_means_note",
]


def _sheet_part(objective: Objective) -> dict:
    sheet = ObjectiveSheet.objects.filter(objective=objective).first()
    if sheet is None:
        return {}
    return {
        ObjectiveSheet._meta.get_field(name).verbose_name.capitalize(): _text(getattr(sheet, name))
        for name in SHEET_FIELDS
    }


def _text(value) -> str:
    """A field as the history shows it: amounts the French way, « 12 500,50 »."""
    if value is None:
        return ""
    return grouped(value) if isinstance(value, Decimal) else str(value)


def _indicator_line(indicator) -> str:
    targets = " ; ".join(f"{DUE_YEAR_LABELS[t.due_year]} : {t.value or '—'}" for t in indicator.targets.all())
    baseline = indicator.baseline_value or "—"
    if indicator.baseline_date:
        baseline += f" au {indicator.baseline_date:%d/%m/%Y}"
    method = f" ; méthode : {indicator.method}" if indicator.method else ""
    unit = f" ({indicator.unit})" if indicator.unit else ""
    return f"{indicator.label}{unit} [{indicator.get_kind_display()}] ; situation actuelle {baseline} ; cibles {targets or '—'}{method}"


def objective_snapshot(objective: Objective) -> dict:
    data = {
        "Mesure n°": objective.number,
        "Objectif": objective.title,
        "Thème": objective.theme,
        "Rattaché à": str(objective.parent) if objective.parent_id else "",
        "Échéance": objective.due_year_label,
        "Financement": objective.get_funding_display(),
        "Enjeu": str(objective.stakes or ""),
        "Accessibilité": str(objective.feasibility or ""),
        "Établissements concernés": ", ".join(sorted(e.name for e in objective.establishments.all())),
        "Constats": " | ".join(sorted(f.text for f in objective.findings.all())),
        "Priorités territoriales": " | ".join(sorted(str(p) for p in objective.priorities.all())),
        "Calendrier": " | ".join(
            f"{m.label} ({m.due_date:%d/%m/%Y})" if m.due_date else f"{m.label} (date à fixer)"
            for m in objective.milestones.all()
        ),
    }
    data.update(_sheet_part(objective))
    for indicator in objective.indicators.prefetch_related("targets"):
        data[f"Indicateur « {indicator.label} »"] = _indicator_line(indicator)
    return data
