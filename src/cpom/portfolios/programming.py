"""Reading an authority's programming over its horizon (five years in the sources), as one table the page, the Word
annex and the Excel annex of the arrêté de programmation all show."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from cpom.registry import territories
from cpom.registry.models import Authority

from . import factors
from .models import ProgrammingEntry, Situation
from .portfolio import Filters
from .tables import Link, Table


@dataclass
class Programming:
    authority: Authority
    years: list[int]
    entries: list[ProgrammingEntry]
    table: Table

    def by_year(self) -> list[tuple[int, list[ProgrammingEntry]]]:
        return [(year, [e for e in self.entries if e.target_year == year]) for year in self.years]

    @property
    def establishment_count(self) -> int:
        return sum(len(e.establishments.all()) for e in self.entries)


def horizon(first: int) -> list[int]:
    return factors.programming_years(first, settings.CPOM_PROGRAMMING["horizon_years"])


def entries_of(authority: Authority, years: list[int], chosen: Filters):
    entries = ProgrammingEntry.objects.filter(authorities=authority, target_year__in=years)
    if chosen.department:
        entries = entries.filter(establishments__department=chosen.department)
    if chosen.category:
        entries = entries.filter(establishments__category=chosen.category)
    if chosen.referent:
        entries = entries.filter(referent_id=chosen.referent)
    return (
        ProgrammingEntry.objects.filter(pk__in=entries.values("pk"))
        .select_related("managing_body", "referent", "contract")
        .prefetch_related("establishments", "authorities")
        .order_by("target_year", "managing_body__name")
    )


def _labels(name: str) -> dict[str, str]:
    return dict(settings.CPOM_PROGRAMMING[name])


def programming(authority: Authority, first: int, chosen: Filters) -> Programming:
    years = horizon(first)
    entries = list(entries_of(authority, years, chosen))
    priorities, maturities, situations = (
        _labels("territorial_priorities"),
        _labels("maturity_levels"),
        dict(Situation.choices),
    )
    table = Table(
        "programmation",
        f"Programmation {years[0]}-{years[-1]}",
        [
            "Année de signature visée",
            "Organisme gestionnaire",
            "SIREN",
            "Établissements concernés",
            "Nombre d'établissements",
            "Départements",
            "Autorités concernées",
            "Priorité territoriale",
            "Maturité de l'organisme",
            "Situation de l'organisme",
            "Référent",
            "Contrat",
            "Commentaire",
        ],
    )
    for entry in entries:
        entry.priority_label = priorities.get(entry.territorial_priority, entry.territorial_priority)
        entry.maturity_label = maturities.get(entry.maturity, entry.maturity)
        sites = sorted(entry.establishments.all(), key=lambda e: e.finess)
        table.rows.append(
            [
                entry.target_year,
                entry.managing_body.name,
                entry.managing_body.siren,
                "\n".join(f"{e.name} ({e.finess})" for e in sites),
                len(sites),
                ", ".join(sorted({territories.department_label(e.department) for e in sites})),
                ", ".join(sorted(a.name for a in entry.authorities.all())),
                entry.priority_label,
                entry.maturity_label,
                situations.get(entry.situation, entry.situation),
                f"{entry.referent.first_name} {entry.referent.last_name}" if entry.referent else "",
                Link(entry.contract.reference, entry.contract.get_absolute_url()) if entry.contract else "à programmer",
                entry.comment,
            ]
        )
    return Programming(authority, years, entries, table)


def entry_url(authority: Authority, entry: ProgrammingEntry) -> str:
    return reverse("portfolios:entry_update", kwargs={"authority_id": authority.pk, "entry_id": entry.pk})
