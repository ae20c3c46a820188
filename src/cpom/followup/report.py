"""The annual report of a campaign (« annexe évolutive », model contract of 3 March 2017: per objective « la définition
et les modalités de calcul des indicateurs de suivi retenus ; la valeur initiale et la valeur cible ; le niveau de
réalisation de l'objectif, retracé par l'indicateur comparé à la cible »), in Word and PDF from the same blocks.

It is written from the grid's snapshot (cpom.followup.snapshot, what the parties sign) and from the report's own
facts (:func:`report_facts`: the year's financial execution, the regional quartile bands, the parties and their
signatures), read from the database when the report is written. Until the campaign is closed the report is a draft,
marked « PROJET » on every page and written afresh at each download; at closing it is written once from the signed
snapshot, with the snapshot's SHA-256 in every page's footer, stored (cpom.followup.models.SealedDocument) and then
always served as stored.

The financial execution of the reviewed year (the year's accounts against the retained trajectory scenario): the
sources say nothing of how it is laid out (SILENT, seed-contract-followup §8.4). cpom shows, for the whole perimeter,
the envelope (income group I, produits de la tarification), the other income (groups II and III), the expenses
(groups I to III) and the result, planned by the retained scenario for that contract year and actually realised in
the accounts grouped by the lead authority's chart, with the gap; then the allocation of the result. The actual
allocation is the authority's decision, which cpom does not hold: the report shows the allocation the scenario's
own rules give the actual result (trajectory rule 5, cpom.finance.trajectory.projection.allocate), starting from
what the trajectory planned to be carried in and held in reserve at the start of the year, beside the planned one.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpom.core.formatting import filled, french_date
from cpom.core.numbers import money, read_decimal
from cpom.documents.charts import IndicatorChart, Quartiles, indicator_png
from cpom.documents.layout import Banner, Block, Document, Heading, Image, Signature, Table, Text
from cpom.documents.pdf import to_pdf
from cpom.documents.word import to_docx
from cpom.finance.accounting.grouping import group_balances
from cpom.finance.accounting.services import balances_for, chart_for
from cpom.finance.budget.envelope import ZERO, booked
from cpom.finance.trajectory.projection import allocate
from cpom.finance.trajectory.services import budget_of, run
from cpom.indicators.models import Benchmark
from cpom.objectives.models import FollowUpIndicator
from cpom.registry.territories import region_name, region_of

from . import levels
from .grid import grid_for
from .models import AchievementLevel, Campaign, CampaignStatus, SealedDocument
from .snapshot import content_hash, grid_snapshot, register_sealed_document

TITLE = "Annexe évolutive – rapport annuel de suivi"
DRAFT = "PROJET"
DRAFT_NOTICE = (
    "Projet : les conclusions de cette campagne ne sont pas encore signées par toutes les parties. "
    "Ce rapport changera avec la grille ; seul le rapport signé fait foi."
)
CHART_WIDTH_CM = 15.5
KINDS = {"docx": "rapport-docx", "pdf": "rapport-pdf"}
LEVEL_NAMES = dict(AchievementLevel.choices)
KEY_SEPARATOR = "|"


# ------------------------------------------------------------------------------------------ financial execution


@dataclass(frozen=True)
class ExecutionLine:
    label: str
    planned: Decimal | None
    actual: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        return None if self.planned is None or self.actual is None else self.actual - self.planned


@dataclass(frozen=True)
class FinancialExecution:
    """The reviewed year's accounts against the retained scenario; ``notice`` says why a column is missing."""

    year: int
    scenario: str  # the retained scenario's name; empty without one
    lines: list[ExecutionLine]
    notes: list[str]


def _actual_accounts(contract, year: int) -> tuple[dict[str, Decimal], list[str]]:
    """The perimeter's year in its accounts, grouped by the lead authority's chart, and what is missing."""
    lead = next((p.authority for p in contract.parties.select_related("authority") if p.is_lead), None)
    chart = chart_for(lead)
    totals = {"envelope": ZERO, "other_income": ZERO, "expenses": ZERO}
    missing = []
    for establishment in contract.establishments.order_by("name"):
        balances = {a: b for a, b in balances_for(establishment, year).items() if a.startswith(("6", "7"))}
        if not balances:
            missing.append(establishment.name)
            continue
        grouped = group_balances(balances, chart)
        totals["envelope"] += booked(grouped.income[1])
        totals["other_income"] += booked(grouped.income[2]) + booked(grouped.income[3])
        totals["expenses"] += booked(grouped.total_expenses)
    notes = []
    if missing:
        notes.append(f"Sans comptes {year} enregistrés (comptés pour zéro) : {', '.join(missing)}.")
    return totals, notes


def financial_execution(contract, year: int) -> FinancialExecution:
    """The financial execution of ``year`` (see the module's docstring for what it holds and the choice it makes)."""
    actual, notes = _actual_accounts(contract, year)
    actual_result = actual["envelope"] + actual["other_income"] - actual["expenses"]
    budget = budget_of(contract)
    scenario = budget.scenarios.filter(retained=True).first() if budget else None
    offset = year - contract.start_date.year
    planned = None
    if scenario is None:
        notes.append("Aucun scénario de trajectoire n'a été retenu : la colonne « Trajectoire » est vide.")
    elif not 0 <= offset < contract.duration_years:
        notes.append(f"L'exercice {year} est hors des années du contrat : la trajectoire ne le couvre pas.")
    else:
        scenario_run = run(scenario)
        trajectory = scenario_run.trajectory
        planned = trajectory.years[offset]
        reserves_before = trajectory.years[offset - 1].reserves if offset else trajectory.opening_reserves
        realised = allocate(actual_result + planned.carried_in, reserves_before, trajectory.assumptions)

    def line(label: str, plan, real) -> ExecutionLine:
        return ExecutionLine(label, plan if planned is not None else None, real)

    lines = [
        line("Enveloppe (produits de la tarification)", planned and planned.sums.envelope, actual["envelope"]),
        line("Autres produits (groupes II et III)", planned and planned.sums.other_income, actual["other_income"]),
        line("Dépenses (groupes I à III)", planned and planned.sums.expenses, actual["expenses"]),
        line("Résultat", planned and planned.result, actual_result),
    ]
    if planned is not None:
        lines += [
            ExecutionLine("Report de l'année précédente", planned.carried_in, planned.carried_in),
            ExecutionLine("Affecté aux réserves", planned.to_reserves, realised.to_reserves),
            ExecutionLine("Affecté à l'investissement", planned.to_investment, realised.to_investment),
            ExecutionLine("Couvert par les réserves", planned.covered_by_reserves, realised.covered_by_reserves),
            ExecutionLine("Reporté à nouveau", planned.carried_out, realised.carried_out),
            ExecutionLine("Réserves en fin d'année", planned.reserves, realised.reserves),
        ]
        notes.append(
            "Affectation du réalisé : celle que les règles du scénario retenu donnent au résultat de l'année, à partir "
            "du report et des réserves que la trajectoire prévoyait au début de l'année ; l'affectation décidée par "
            "l'autorité de tarification peut différer."
        )
    return FinancialExecution(year, scenario.name if scenario else "", lines, notes)


# ------------------------------------------------------------------------------------------ the report's facts


def _bands(snapshot: dict, contract) -> dict[str, dict[str, list[float]]]:
    """The regional quartiles of each category line's catalogue indicator, by « indicator|category » and year."""
    lines = [line for strategic in snapshot["objectives"] for row in strategic["operational"] for line in row["lines"]]
    catalogue = dict(
        FollowUpIndicator.objects.filter(pk__in={line["indicator_id"] for line in lines}).values_list(
            "pk", "catalogue_indicator_id"
        )
    )
    first = contract.establishments.order_by("name").first()
    region = region_of(first.department) if first else None
    bands: dict[str, dict[str, list[float]]] = {}
    if region is None:
        return bands
    for line in lines:
        indicator = catalogue.get(line["indicator_id"])
        if indicator is None or not line["category"]:
            continue
        found = Benchmark.objects.filter(
            indicator_id=indicator,
            category=line["category"],
            level="region",
            territory=region,
            year__in=snapshot["years"],
        ).values_list("year", "q1", "median", "q3")
        key = f"{line['indicator_id']}{KEY_SEPARATOR}{line['category']}"
        bands[key] = {str(year): [q1, median, q3] for year, q1, median, q3 in found}
    return bands


def report_facts(campaign: Campaign, snapshot: dict) -> dict:
    """What the report adds to the ``snapshot`` of ``campaign``, as plain data: the parties, the signatures, the
    region's quartile bands and the financial execution of the reviewed year."""
    contract = campaign.contract
    first = contract.establishments.order_by("name").first()
    region = region_of(first.department) if first else None
    execution = financial_execution(contract, campaign.reviewed_year)
    return {
        "managing_body": contract.managing_body.name,
        "parties": [
            {"authority_id": p.authority_id, "name": p.authority.name, "lead": p.is_lead}
            for p in contract.parties.admitted().select_related("authority").order_by("-is_lead", "authority__name")
        ],
        "signatures": [
            {
                "authority_id": s.authority_id,
                "name": s.signatory_name,
                "title": s.signatory_title,
                "signed_on": s.signed_on.isoformat(),
            }
            for s in campaign.signatures.all()
        ],
        "region": region_name(region) if region else "",
        "bands": _bands(snapshot, contract),
        "finance": {
            "year": execution.year,
            "scenario": execution.scenario,
            "lines": [
                [line.label, *(money(a) if a is not None else "" for a in (line.planned, line.actual, line.gap))]
                for line in execution.lines
            ],
            "notes": execution.notes,
        },
    }


# ------------------------------------------------------------------------------------------ the document


def _number(text: str) -> float | None:
    try:
        value = read_decimal(text)
    except ValueError:
        return None
    return float(value) if value is not None else None


def _chart(line: dict, years: list[int], bands: dict[str, list[float]]) -> Image | None:
    if line["value_type"] not in levels.NUMERIC_TYPES:
        return None
    chart = IndicatorChart(
        years=years,
        values=[_number(v["text"]) for v in line["values"]],
        bands={int(year): Quartiles(*quartiles) for year, quartiles in bands.items()},
        target=_number(line["target"]),
    )
    if not chart.drawable:
        return None
    band = (
        " ; la bande bleue va du 1er au 3e quartile des établissements de la même catégorie de la région, "
        "la ligne claire est leur médiane"
        if chart.bands
        else ""
    )
    target = " ; la ligne rouge en tirets est la cible" if chart.target is not None else ""
    caption = f"{line['indicator']} ({line['category_label']}), de {years[0]} à {years[-1]}{band}{target}."
    return Image(indicator_png(chart), CHART_WIDTH_CM, caption)


def _level(code: str) -> str:
    return LEVEL_NAMES.get(code, "non évalué")


def _line_blocks(line: dict, years: list[int], facts: dict) -> list[Block]:
    confirmed = (
        f" – confirmé par {line['confirmed_by']}" if line["confirmed_level"] and line["confirmed_by"] else ""
    ) or (" – proposé par la règle, non encore confirmé" if not line["confirmed_level"] else "")
    blocks: list[Block] = [
        Heading(f"{line['indicator']} – {line['category_label']}", 3),
        Text(filled(line["method"]), "Définition et modalités de calcul"),
        Text(filled(line["baseline"]), "Valeur initiale"),
        Text(f"{filled(line['target'])} (échéance {line['due_label']})", "Valeur cible"),
        Text(f"{_level(line['level'])}{confirmed}", "Niveau de réalisation"),
        Text(line["explanation"], "Lecture de la règle"),
    ]
    if line["override_comment"]:
        blocks.append(Text(line["override_comment"], "Motif de l'écart au niveau proposé"))
    blocks.append(
        Table(
            ["Année", "Valeur", "Source"],
            [
                [str(v["year"]), v["shown"] or "non renseignée", "\n".join(v["provenance"]) or v["reason"] or "—"]
                for v in line["values"]
            ],
            (1, 1.6, 5),
        )
    )
    key = f"{line['indicator_id']}{KEY_SEPARATOR}{line['category']}"
    chart = _chart(line, years, facts["bands"].get(key, {}))
    if chart is not None:
        blocks.append(chart)
    blocks.append(Text(filled(line["current_situation"]), "Situation actuelle"))
    blocks.append(Text(filled(line["comment"]), "Commentaires"))
    return blocks


def _milestones(milestones: list[dict]) -> list[Block]:
    if not milestones:
        return []
    return [
        Heading("État des actions (jalons)", 3),
        Table(
            ["Jalon", "Échéance", "État", "Réalisé le", "Commentaire"],
            [
                [
                    m["label"],
                    french_date(date.fromisoformat(m["due_date"])) if m["due_date"] else "—",
                    m["state_label"],
                    french_date(date.fromisoformat(m["done_on"])) if m["done_on"] else "—",
                    m["comment"] or "—",
                ]
                for m in milestones
            ],
            (3, 1.3, 1.2, 1.3, 3),
        ),
    ]


def _finance(finance: dict) -> list[Block]:
    scenario = f"Trajectoire « {finance['scenario']} »" if finance["scenario"] else "Trajectoire"
    return [
        Heading(f"Exécution financière de l'exercice {finance['year']}", 1),
        Table(["Poste", scenario, "Réalisé", "Écart"], finance["lines"], (3, 1.6, 1.6, 1.6)),
        *(Text(note) for note in finance["notes"]),
    ]


def _signatures(facts: dict) -> list[Block]:
    signed = {s["authority_id"]: s for s in facts["signatures"]}

    def block(role: str, name: str, authority_id) -> Signature:
        signature = signed.get(authority_id)
        lines = [f"Pour {name}"]
        if signature:
            lines += [
                signature["title"],
                signature["name"],
                f"Signé le {french_date(date.fromisoformat(signature['signed_on']))}",
            ]
        return Signature(role, tuple(lines))

    blocks = [Heading("Signatures", 1), block("L'organisme gestionnaire", facts["managing_body"], None)]
    for party in facts["parties"]:
        role = "L'autorité cheffe de file" if party["lead"] else "L'autorité cosignataire"
        blocks.append(block(role, party["name"], party["authority_id"]))
    return blocks


def report_document(snapshot: dict, facts: dict, sealed: bool) -> Document:
    """The report's blocks; ``sealed``: written from the signed snapshot (its hash in the footer), else a draft."""
    contract, campaign = snapshot["contract"], snapshot["campaign"]
    years = snapshot["years"]
    blocks: list[Block] = [Heading(TITLE, 0)]
    if not sealed:
        blocks.append(Banner(DRAFT_NOTICE))
    blocks += [
        Text(f"{contract['reference']} – {contract['title']}", "Contrat"),
        Text(facts["managing_body"], "Organisme gestionnaire"),
        Text(", ".join(p["name"] for p in facts["parties"]) or "—", "Autorités parties au contrat"),
        Text(f"{campaign['year']} (exercice examiné : {campaign['reviewed_year']})", "Campagne"),
        Text(
            f"{snapshot['achievement_rate']} % des objectifs opérationnels évalués sont réalisés"
            if snapshot["achievement_rate"]
            else "aucun objectif opérationnel n'est encore évalué",
            "Taux de réalisation",
        ),
    ]
    if campaign["themes"]:
        blocks.append(Text(" ; ".join(campaign["themes"]), "Thèmes prioritaires de l'année"))
    for strategic in snapshot["objectives"]:
        blocks += [
            Heading(f"{strategic['number']} – {strategic['title']}", 1),
            Text(_level(strategic["level"]), "Niveau de réalisation de l'objectif stratégique"),
        ]
        for row in strategic["operational"]:
            if not row["strategic_itself"]:
                blocks.append(Heading(f"{row['number']} – {row['title']}", 2))
            blocks += [
                Text(levels.due_label(row["due_offset"], snapshot["start_year"]), "Échéance"),
                Text(_level(row["level"]), "Niveau de réalisation de l'objectif"),
            ]
            for line in row["lines"]:
                blocks += _line_blocks(line, years, facts)
            blocks += _milestones(row["milestones"])
    blocks += _finance(facts["finance"])
    blocks += [Heading("Éléments conclusifs partagés", 1), Text(filled(snapshot["conclusions"]))]
    blocks += _signatures(facts)
    title = f"{TITLE} {campaign['year']}"
    return Document(
        title,
        f"{contract['reference']} – rapport annuel {campaign['year']}",
        blocks,
        watermark="" if sealed else DRAFT,
        fingerprint=content_hash(snapshot) if sealed else "",
        page_total=True,
    )


WRITERS = {"docx": to_docx, "pdf": to_pdf}


def file_name(snapshot: dict, extension: str) -> str:
    return f"{snapshot['contract']['reference']}-rapport-annuel-{snapshot['campaign']['year']}.{extension}"


def sealed_writer(extension: str):
    """The writer the follow-up's registry runs at closing, on the signed snapshot."""

    def write(snapshot: dict) -> tuple[str, bytes]:
        campaign = Campaign.objects.select_related("contract").get(pk=snapshot["campaign"]["id"])
        document = report_document(snapshot, report_facts(campaign, snapshot), sealed=True)
        return file_name(snapshot, extension), WRITERS[extension](document)

    return write


def register() -> None:
    """Hands the report's two files to the follow-up's registry of sealed documents (called in the app's ready)."""
    register_sealed_document(KINDS["docx"], "Rapport annuel (Word)", sealed_writer("docx"))
    register_sealed_document(KINDS["pdf"], "Rapport annuel (PDF)", sealed_writer("pdf"))
    from . import report_commands  # noqa: F401 - registers « cpom suivi rapport »; it imports this module


def report_file(campaign: Campaign, extension: str) -> tuple[str, bytes]:
    """The report to download: once the campaign is closed, the file stored at its closing, as stored (never
    written again; SealedDocument.DoesNotExist if it was not); before, a draft written now from the grid."""
    if campaign.status == CampaignStatus.CLOSED:
        stored = SealedDocument.objects.get(campaign=campaign, kind=KINDS[extension])
        return stored.file_name, bytes(stored.content)
    snapshot = grid_snapshot(grid_for(campaign))
    document = report_document(snapshot, report_facts(campaign, snapshot), sealed=False)
    return file_name(snapshot, extension), WRITERS[extension](document)
