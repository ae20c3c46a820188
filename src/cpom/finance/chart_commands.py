"""What the ``cpom finance`` command does for the chart of accounts and the national mean costs.

Plain functions returning the French line to print; a bad input raises ``ChartError`` or
``ReferenceCostError`` (both ValueError) whose message the command shows as is.
"""

from pathlib import Path

from cpom.registry.models import Authority
from cpom.core.text import the

from . import reference_costs
from .chart import NATIONAL_CHART_FILE, ChartError, load_chart


def load_chart_command(path: str | Path | None = None, authority_id: int | None = None) -> str:
    """Loads a chart file for an authority, or the national chart (the repository's file when no path is given)."""
    authority = None
    if authority_id is not None:
        authority = Authority.objects.filter(pk=authority_id).first()
        if authority is None:
            raise ChartError(f"Aucune autorité n'a l'identifiant {authority_id}.")
    stored = load_chart(Path(path) if path else NATIONAL_CHART_FILE, authority)
    owner = f"pour {the(authority.name)}" if authority else "comme cadre national"
    return f"Plan de regroupement « {stored.label} » (v{stored.version}) chargé {owner} : {stored.rules.count()} règles."


def mean_cost_command(category: str, year: int, value: str, user=None) -> str:
    """Sets (or, with an empty value, removes) the national mean cost per place of a category for a year."""
    code = category.strip().upper()
    # One command, one read: there is no page whose copy could be outdated.
    changes = reference_costs.save_mean_costs(user, year, {code: value}, reference_costs.read_as(year))
    amount = reference_costs.parse_amount(value)
    if not changes:
        return f"Coût moyen national {code} {year} inchangé."
    if amount is None:
        return f"Coût moyen national {code} {year} supprimé."
    return f"Coût moyen national {code} {year} : {reference_costs.format_amount(amount)} € par place."
