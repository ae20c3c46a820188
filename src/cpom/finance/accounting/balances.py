"""The account balances the platform holds, per establishment and year: where they came from, and whether the year
they cover was over when they were recorded.

The rule for a complete year: a fiscal year ending in year Y ends on 31 December of Y at the latest, so balances
imported (FEC, trial balance, data file) on or after 1 January of Y+1 cover a year that was over. Balances imported
earlier may stop before the year's end (a file taken in June): they are partial. Balances recorded without an import
(the demo's synthetic data are recorded in one batch of their own) follow the same rule on the date they were
recorded; with no date at all, a year is complete once it is over today.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from cpom.indicators.engine import ACCOUNT_PREFIX
from cpom.indicators.models import DEMO_BATCH_KIND, DataValue, ImportBatch
from cpom.registry.models import Establishment

KIND_LABELS = {"FEC": "FEC", "balance générale": "balance générale"}


@dataclass(frozen=True)
class Source:
    """Where an establishment-year's balances came from: an import batch, or nothing recorded."""

    batch: ImportBatch | None

    @property
    def is_demo(self) -> bool:
        return self.batch is not None and self.batch.kind == DEMO_BATCH_KIND

    @property
    def is_import(self) -> bool:
        return self.batch is not None and not self.is_demo

    @property
    def short_label(self) -> str:
        if self.batch is None:
            return "sans import"
        if self.is_demo:
            return "démonstration"
        return f"{KIND_LABELS.get(self.batch.kind, 'fichier')} du {_day(self.batch.at)}"

    @property
    def label(self) -> str:
        if self.batch is None:
            return "saisis sans import de fichier"
        if self.is_demo:
            return "données de démonstration (synthétiques, sans import)"
        kind = KIND_LABELS.get(self.batch.kind, "fichier de données")
        user = self.batch.user
        who = (user.get_full_name() or user.username) if user else "ligne de commande"
        return f"{kind} « {self.batch.file_name} » importé le {_day(self.batch.at)} ({who})"


@dataclass(frozen=True)
class YearBalances:
    establishment: Establishment
    year: int
    sources: tuple[Source, ...]
    partial: str  # why these balances may not cover the whole year, in French; empty when complete

    @property
    def complete(self) -> bool:
        return not self.partial


def _day(moment) -> str:
    return date_format(timezone.localtime(moment).date(), "SHORT_DATE_FORMAT")


def partial_reason(year: int, sources: tuple[Source, ...], today: date) -> str:
    """Why balances of ``year`` from ``sources`` may be partial (see the module's rule); empty when complete."""
    early = [
        s.batch.at
        for s in sources
        if s.batch is not None and timezone.localtime(s.batch.at).date() < date(year + 1, 1, 1)
    ]
    if early:
        return f"comptes enregistrés le {_day(min(early))}, avant la fin de l'exercice {year}"
    if any(s.batch is None for s in sources) and year >= today.year:
        return f"exercice {year} en cours"
    return ""


@dataclass(frozen=True)
class BalancesTable:
    """The balances present, one row per establishment and one column per year."""

    years: list[int]
    rows: list[tuple[Establishment, list[YearBalances | None]]]

    def summary(self) -> list[str]:
        """How many establishments hold balances from each kind of source, in French."""
        kinds = {
            "démonstration": "données de démonstration (synthétiques, sans import)",
            "import": "FEC, balance ou fichier de données importés",
            "sans import": "saisis sans import de fichier",
        }
        counts = dict.fromkeys(kinds, 0)
        for _, cells in self.rows:
            sources = [s for cell in cells if cell for s in cell.sources]
            for kind, present in (
                ("démonstration", any(s.is_demo for s in sources)),
                ("import", any(s.is_import for s in sources)),
                ("sans import", any(s.batch is None for s in sources)),
            ):
                counts[kind] += present
        return [
            f"{kinds[kind]} : {number} établissement{'s' if number > 1 else ''}"
            for kind, number in counts.items()
            if number
        ]


def balances_table(rows: list[YearBalances]) -> BalancesTable:
    years = sorted({r.year for r in rows})
    by_establishment: dict[int, dict[int, YearBalances]] = {}
    for row in rows:
        by_establishment.setdefault(row.establishment.pk, {})[row.year] = row
    table = [
        (cells[next(iter(cells))].establishment, [cells.get(year) for year in years])
        for cells in by_establishment.values()
    ]
    return BalancesTable(years, table)


def year_balances(establishments: QuerySet, today: date | None = None) -> list[YearBalances]:
    """Every establishment-year of ``establishments`` holding balances, by establishment name then year."""
    today = today or timezone.localdate()
    keys = (
        DataValue.objects.filter(establishment__in=establishments, element__startswith=ACCOUNT_PREFIX)
        .values_list("establishment_id", "year", "batch_id")
        .distinct()
    )
    found: dict[tuple[int, int], set[int | None]] = {}
    for establishment_id, year, batch_id in keys:
        found.setdefault((establishment_id, year), set()).add(batch_id)
    batches = ImportBatch.objects.select_related("user").in_bulk({b for ids in found.values() for b in ids} - {None})
    named = Establishment.objects.in_bulk({e for e, _ in found})
    rows = []
    for (establishment_id, year), batch_ids in found.items():
        sources = tuple(Source(batches.get(b)) for b in sorted(batch_ids, key=lambda b: (b is None, b)))
        rows.append(YearBalances(named[establishment_id], year, sources, partial_reason(year, sources, today)))
    return sorted(rows, key=lambda r: (r.establishment.name, r.establishment.finess, r.year))
