"""An authority's portfolio, read in a fixed number of queries whatever its number of contracts.

The contracts it is an admitted party to, by state and year (the pipeline); their deadlines of the coming days from
:func:`cpom.deadline_sources.collect` (every stage's, in one call); each contract's achievement rate at its latest
campaign and its open alerts; the coverage of its territory (:mod:`.figures`) with its map (:mod:`.maps`). Each
table is built once (:mod:`.tables`) and shown on the page and in its Excel export alike.

The achievement rate is read from the levels stored on the latest campaign's grid lines (the confirmed level, else
the proposal of the last computation), combined per objective as the grid combines them
(:func:`cpom.followup.levels.combined`, then :func:`cpom.followup.levels.achievement_rate`): the grid itself is
computed per contract, which a portfolio of a thousand contracts cannot afford.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from cpom import deadline_sources
from cpom.alerts.models import Alert
from cpom.contracts.deadlines import contract_url
from cpom.contracts.models import COVERING_STATES, Contract, ContractParty, State
from cpom.followup import levels
from cpom.followup.models import Campaign, CampaignStatus, GridEntry
from cpom.registry import territories
from cpom.registry.categories import CATEGORY_BY_CODE, CATEGORY_CHOICES
from cpom.registry.models import Authority, Contact, Establishment

from . import figures, maps
from .tables import Figure, Link, Rate, Table


@dataclass(frozen=True)
class Filters:
    department: str = ""
    category: str = ""
    state: str = ""
    referent: int | None = None

    @classmethod
    def read(cls, query, authority: Authority) -> "Filters":
        """The filters of the page's form, anything unknown ignored (the page then shows it unfiltered)."""
        department = query.get("departement", "")
        category = query.get("categorie", "")
        state = query.get("etat", "")
        referent = query.get("referent", "")
        return cls(
            department if department in authority.department_codes() else "",
            category if category in CATEGORY_BY_CODE else "",
            state if state in State.values else "",
            int(referent) if referent.isdigit() else None,
        )

    def describe(self) -> str:
        """The filters in words, for an export's heading: « département Loire-Atlantique (44), état En vigueur »."""
        parts = []
        if self.department:
            parts.append(f"département {territories.department_label(self.department)}")
        if self.category:
            parts.append(f"catégorie {CATEGORY_BY_CODE[self.category].label}")
        if self.state:
            parts.append(f"état {State(self.state).label}")
        if self.referent:
            contact = Contact.objects.filter(pk=self.referent).first()
            parts.append(f"référent {contact.first_name} {contact.last_name}" if contact else "référent inconnu")
        return ", ".join(parts)

    def query(self) -> str:
        """The filters as the page's address carries them (for the exports' links)."""
        pairs = [
            ("departement", self.department),
            ("categorie", self.category),
            ("etat", self.state),
            ("referent", str(self.referent) if self.referent else ""),
        ]
        return "&".join(f"{name}={value}" for name, value in pairs if value)


def _placeholder_url(name: str):
    """``pk -> address`` of a contract's page, reversing once (see contracts.deadlines.contract_url)."""
    template = reverse(name, kwargs={"contract_id": 999999999})
    return lambda pk: template.replace("999999999", str(pk))


def party_contracts(authority: Authority):
    return Contract.objects.filter(
        pk__in=ContractParty.objects.admitted().filter(authority=authority).values("contract_id")
    )


def contracts_of(authority: Authority, chosen: Filters):
    contracts = party_contracts(authority)
    if chosen.state:
        contracts = contracts.filter(state=chosen.state)
    if chosen.department or chosen.category:
        sites = Establishment.objects.all()
        if chosen.department:
            sites = sites.filter(department=chosen.department)
        if chosen.category:
            sites = sites.filter(category=chosen.category)
        contracts = contracts.filter(
            pk__in=Contract.establishments.through.objects.filter(establishment__in=sites).values("contract_id")
        )
    if chosen.referent:
        contracts = contracts.filter(programming_entry__referent_id=chosen.referent)
    # The parties and their authorities prefetched once for every deadline source (each reads the lead of each
    # contract); prefetched rather than joined, the few authorities are made once each, not once per contract.
    return contracts.select_related("managing_body").prefetch_related("parties__authority").order_by("reference")


def universe(authority: Authority, chosen: Filters):
    """The establishments the coverage counts: those of the territory, funded by the authority unless the settings
    say « territory »; the département and category filters applied."""
    sites = Establishment.objects.filter(department__in=authority.department_codes())
    if settings.CPOM_PORTFOLIO["universe"] == "funded":
        sites = sites.filter(funders=authority)
    if chosen.department:
        sites = sites.filter(department=chosen.department)
    if chosen.category:
        sites = sites.filter(category=chosen.category)
    return sites


def coverage_of(authority: Authority, chosen: Filters) -> figures.Coverage:
    sites = universe(authority, chosen)
    rows = sites.values_list("pk", "department", "installed_places", "managing_body_id")
    covering_contracts = party_contracts(authority).filter(state__in=COVERING_STATES)
    covering = defaultdict(set)
    for establishment_id, contract_id in Contract.establishments.through.objects.filter(
        contract__in=covering_contracts
    ).values_list("establishment_id", "contract_id"):
        covering[establishment_id].add(contract_id)
    signed = set(covering_contracts.values_list("managing_body_id", flat=True))
    codes = [chosen.department] if chosen.department else authority.department_codes()
    found = figures.coverage([figures.Site(pk, "", "", "", *rest, "") for pk, *rest in rows], covering, signed, codes)
    # Only the establishments listed are read whole (a territory holds thousands, the list a few dozen), chosen by
    # the same definition in SQL: a signatory's establishment in no covering perimeter.
    listed = sites.filter(managing_body_id__in=covering_contracts.values("managing_body_id")).exclude(
        pk__in=Contract.establishments.through.objects.filter(contract__in=covering_contracts).values(
            "establishment_id"
        )
    )
    details = (
        {
            pk: figures.Site(pk, *rest)
            for pk, *rest in listed.values_list(
                "pk",
                "finess",
                "name",
                "category",
                "department",
                "installed_places",
                "managing_body_id",
                "managing_body__name",
            )
        }
        if found.outside
        else {}
    )
    found.outside = sorted(
        details.values(), key=lambda site: (site.managing_body_name, site.department, site.name, site.finess)
    )
    return found


def achievement_rates(contracts) -> dict[int, tuple[int, object]]:
    """contract → (campaign year, rate) at its latest campaign opened, from its grid lines' stored levels."""
    latest = {}
    for contract_id, campaign_id, year in (
        Campaign.objects.filter(contract__in=contracts)
        .exclude(status=CampaignStatus.PLANNED)
        .values_list("contract_id", "pk", "year")
    ):
        if contract_id not in latest or year > latest[contract_id][1]:
            latest[contract_id] = (campaign_id, year)
    campaigns = {campaign_id: contract_id for contract_id, (campaign_id, _) in latest.items()}
    by_objective = defaultdict(list)
    for campaign_id, objective_id, confirmed, proposed in GridEntry.objects.filter(
        campaign__in=Campaign.objects.filter(contract__in=contracts).exclude(status=CampaignStatus.PLANNED)
    ).values_list("campaign_id", "indicator__objective_id", "confirmed_level", "proposed_level"):
        if campaign_id in campaigns:
            by_objective[(campaigns[campaign_id], objective_id)].append(confirmed or proposed)
    per_contract = defaultdict(list)
    for (contract_id, _), line_levels in by_objective.items():
        per_contract[contract_id].append(levels.combined(line_levels))
    return {
        contract_id: (year, levels.achievement_rate(per_contract.get(contract_id, [])))
        for contract_id, (_, year) in latest.items()
    }


def open_alerts(contracts) -> dict[int, int]:
    return dict(
        Alert.objects.open()
        .filter(contract__in=contracts)
        .values("contract_id")
        .annotate(n=Count("pk"))
        .values_list("contract_id", "n")
    )


def pipeline_year(contract: Contract) -> int:
    """The year a contract counts in: its signature's target before signature, its start after."""
    if contract.state not in COVERING_STATES | {State.CLOSED, State.TERMINATED} and contract.target_signature_date:
        return contract.target_signature_date.year
    return contract.start_date.year


@dataclass
class Portfolio:
    authority: Authority
    chosen: Filters
    today: date
    contracts: list[Contract]
    pipeline: Table
    coverage: Table
    outside: Table
    deadlines: Table
    contract_table: Table
    map: maps.Map
    totals: dict = field(default_factory=dict)

    def tables(self) -> list[Table]:
        return [self.pipeline, self.contract_table, self.deadlines, self.coverage, self.outside]

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables() if t.slug == slug), None)


STATE_LABELS = dict(State.choices)


def _pipeline_table(contracts: list[Contract]) -> Table:
    years, rows = figures.pipeline(
        [figures.ContractRow(c.pk, c.state, pipeline_year(c)) for c in contracts], list(State.values)
    )
    table = Table("etats", "Contrats par état et par année", ["État", *map(str, years), "Total"])
    table.rows = [[STATE_LABELS[state], *counts, total] for state, counts, total in rows]
    if rows:
        table.footer = ["Total", *[sum(r[1][i] for r in rows) for i in range(len(years))], len(contracts)]
    return table


def _coverage_table(coverage: figures.Coverage) -> Table:
    table = Table(
        "couverture",
        "Couverture du territoire",
        [
            "Département",
            "Organismes gestionnaires",
            "dont signataires",
            "Part des organismes signataires",
            "Établissements",
            "sous contrat",
            "Part des établissements sous contrat",
            "Places installées",
            "sous contrat",
            "Part des places sous contrat",
            "Contrats",
            "Périmètre moyen (établissements)",
            "Périmètre moyen (places)",
        ],
    )

    def cells(line, label):
        return [
            label,
            line.body_count,
            line.signed_body_count,
            Rate(line.body_rate),
            line.establishments,
            line.covered_establishments,
            Rate(line.establishment_rate),
            line.places,
            line.covered_places,
            Rate(line.place_rate),
            line.contract_count,
            Figure(line.average_perimeter),
            Figure(line.average_places),
        ]

    table.rows = [cells(line, territories.department_label(line.department)) for line in coverage.lines]
    table.footer = cells(coverage.total, "Territoire")
    return table


def _outside_table(coverage: figures.Coverage) -> Table:
    table = Table(
        "hors-perimetre",
        "Établissements d'un organisme signataire hors du périmètre de son contrat",
        ["Organisme gestionnaire", "Établissement", "FINESS", "Catégorie", "Département", "Places installées"],
    )
    table.rows = [
        [
            s.managing_body_name,
            s.name,
            s.finess,
            s.category,
            territories.department_label(s.department),
            s.installed_places,
        ]
        for s in coverage.outside
    ]
    return table


def _deadline_table(contracts: list[Contract], today: date, days: int) -> Table:
    references = {c.pk: c for c in contracts}
    table = Table(
        "echeances",
        f"Échéances des {days} prochains jours",
        ["Date", "Contrat", "Organisme gestionnaire", "Échéance", "Type"],
    )
    labels = {kind.code: kind.label for kind in deadline_sources.kinds()}
    for due in deadline_sources.collect(contracts, since=today, until=today + timedelta(days=days)):
        contract = references.get(due.contract_id)
        table.rows.append(
            [
                due.day.strftime("%d/%m/%Y"),
                Link(contract.reference if contract else str(due.contract_id), due.url),
                contract.managing_body.name if contract else "",
                due.label,
                labels.get(due.kind, due.kind),
            ]
        )
    return table


def _contract_table(contracts: list[Contract], rates: dict, alerts: dict) -> Table:
    url, alerts_url = contract_url(), _placeholder_url("alerts:contract")
    table = Table(
        "contrats",
        "Réalisation et alertes par contrat",
        [
            "Contrat",
            "Organisme gestionnaire",
            "État",
            "Date d'effet",
            "Campagne",
            "Taux de réalisation",
            "Alertes ouvertes",
        ],
    )
    for c in contracts:
        year, achievement = rates.get(c.pk, (None, None))
        count = alerts.get(c.pk, 0)
        table.rows.append(
            [
                Link(c.reference, url(c.pk)),
                c.managing_body.name,
                STATE_LABELS[c.state],
                c.start_date.strftime("%d/%m/%Y"),
                str(year) if year else "–",
                Rate(achievement),
                Link(str(count), alerts_url(c.pk)) if count else 0,
            ]
        )
    return table


def portfolio(authority: Authority, chosen: Filters, today: date) -> Portfolio:
    chosen_contracts = contracts_of(authority, chosen)
    contracts = list(chosen_contracts)
    # The contracts' own query as a subquery: a thousand identifiers are never sent back to the database.
    selected = chosen_contracts.values("pk")
    rates, alerts = (achievement_rates(selected), open_alerts(selected)) if contracts else ({}, {})
    coverage = coverage_of(authority, chosen)
    days = settings.CPOM_PORTFOLIO["deadline_days"]
    covered = {line.department: line.establishment_rate for line in coverage.lines}
    drawn = maps.draw(covered, {code: territories.departments()[code].name for code in covered})
    result = Portfolio(
        authority,
        chosen,
        today,
        contracts,
        _pipeline_table(contracts),
        _coverage_table(coverage),
        _outside_table(coverage),
        _deadline_table(contracts, today, days),
        _contract_table(contracts, rates, alerts),
        drawn,
    )
    result.totals = {
        "contracts": len(contracts),
        "bodies": coverage.total.body_count,
        "signed_bodies": coverage.total.signed_body_count,
        "body_rate": Rate(coverage.total.body_rate),
        "establishments": coverage.total.establishments,
        "covered_establishments": coverage.total.covered_establishments,
        "establishment_rate": Rate(coverage.total.establishment_rate),
        "places": coverage.total.places,
        "covered_places": coverage.total.covered_places,
        "place_rate": Rate(coverage.total.place_rate),
        "average_perimeter": Figure(coverage.total.average_perimeter),
        "outside": len(coverage.outside),
        "deadlines": result.deadlines.count,
        "alerts": sum(alerts.values()),
    }
    return result


def referents(authority: Authority):
    """The contacts a programming line may name as referent, for the filter: the authority's own."""
    return Contact.objects.filter(authority=authority).order_by("last_name", "first_name")


def filter_choices(authority: Authority) -> dict:
    return {
        "departments": [(code, territories.department_label(code)) for code in authority.department_codes()],
        "categories": CATEGORY_CHOICES,
        "states": State.choices,
        "referents": referents(authority),
    }
