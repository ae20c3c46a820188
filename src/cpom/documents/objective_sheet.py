"""The fiche of an operational objective, after the model contract's annex « fiche objectif type »,
alone or every fiche of the contract in one annex (a page each)."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from cpom.contracts.models import Contract
from cpom.core.formatting import DATE_TO_SET, NOT_FILLED, filled, french_date, label, money
from cpom.indicators.models import Kind
from cpom.objectives.models import DUE_YEAR_LABELS, FollowUpIndicator, Funding, Level, Objective, ObjectiveSheet

from .layout import Banner, Block, Bullet, Document, Heading, PageBreak, Table, Text
from .pdf import to_pdf
from .synthesis import finding_bullet
from .word import to_docx

ANNEX_TITLE = "Annexe : fiches objectifs"
INTENTION_NOTICE = "Fiche d'intention : objectif non financé par le contrat, présenté en annexe pour mémoire."


def sheet_docx(objective: Objective) -> bytes:
    return to_docx(sheet_document(objective))


def sheet_pdf(objective: Objective) -> bytes:
    return to_pdf(sheet_document(objective))


def sheets_docx(objectives: Iterable[Objective]) -> bytes:
    return to_docx(annex_document(objectives))


def sheets_pdf(objectives: Iterable[Objective]) -> bytes:
    return to_pdf(annex_document(objectives))


def sheet_document(objective: Objective) -> Document:
    title = _title(objective)
    return Document(title, _footer(objective.contract, title), sheet_blocks(objective))


def annex_document(objectives: Iterable[Objective]) -> Document:
    """Every fiche, each starting on a new page."""
    blocks: list[Block] = []
    contracts: list[Contract] = []
    for objective in objectives:
        if blocks:
            blocks.append(PageBreak())
        blocks += sheet_blocks(objective)
        contracts.append(objective.contract)
    footer = _footer(contracts[0], ANNEX_TITLE) if contracts else ANNEX_TITLE
    return Document(ANNEX_TITLE, footer, blocks or [Text("Aucune fiche objectif.")])


def _title(objective: Objective) -> str:
    return f"Fiche objectif n° {objective.number}"


def _footer(contract: Contract, title: str) -> str:
    return f"{contract.reference} – {title} – édité le {french_date(timezone.localdate())}"


def sheet_blocks(objective: Objective) -> list[Block]:
    # A fiche nobody opened yet is shown with every field « Non renseigné ».
    sheet = getattr(objective, "sheet", None) or ObjectiveSheet()
    return [
        Heading(_title(objective), 0),
        *([Banner(INTENTION_NOTICE)] if objective.funding == Funding.INTENTION else []),
        *_identity(objective),
        Heading("Contexte", 1),
        Text(filled(sheet.context)),
        Heading("État de la problématique", 1),
        Text(filled(sheet.problem_state)),
        Heading("Enjeux", 1),
        Text(filled(sheet.stakes_text)),
        Heading("Constats du diagnostic auxquels répond l'objectif", 1),
        *(
            [finding_bullet(f) for f in objective.findings.select_related("section", "establishment")]
            or [Text(NOT_FILLED)]
        ),
        Heading("Priorités territoriales auxquelles répond l'objectif", 1),
        *_priorities(objective),
        Heading("Actions", 1),
        *_actions(objective),
        Heading("Modalités de mise en œuvre des actions", 1),
        Text(filled(sheet.implementation)),
        Text(filled(sheet.pilot), "Pilotage"),
        Text(filled(sheet.partners), "Partenaires associés"),
        Text(filled(sheet.expected_results), "Résultats attendus"),
        Heading("Calendrier de mise en œuvre", 1),
        *_milestones(objective),
        Heading("Volet budgétaire", 1),
        *_budget(sheet),
        Heading("Indicateurs de suivi de l'action", 1),
        *_indicators(objective),
    ]


def _identity(objective: Objective) -> list[Block]:
    parent = objective.parent
    establishments = ", ".join(e.name for e in objective.establishments.all())
    return [
        Text(str(objective.contract), "Contrat"),
        Text(filled(objective.theme), "Thème"),
        Text(f"{parent.number} – {parent.title}" if parent else NOT_FILLED, "Objectif stratégique"),
        Text(objective.title, "Objectif"),
        Text(objective.number, "Mesure n°"),
        Text(objective.due_year_label or NOT_FILLED, "Échéance"),
        Text(objective.get_funding_display(), "Financement"),
        Text(objective.get_status_display(), "Statut"),
        Text(filled(establishments), "Établissements concernés"),
    ]


def _priorities(objective: Objective) -> list[Block]:
    priorities = objective.priorities.select_related("authority")
    bullets = [Bullet(str(p), " · ".join(filter(None, [p.authority.name, p.source]))) for p in priorities]
    return bullets or [Text(NOT_FILLED)]


def _actions(objective: Objective) -> list[Block]:
    actions = objective.children.filter(level=Level.ACTION)
    bullets = [
        Bullet(
            f"{a.number} – {a.title}",
            f"{label('Échéance')} {a.due_year_label or NOT_FILLED} · {a.get_status_display()}",
        )
        for a in actions
    ]
    return bullets or [Text(NOT_FILLED)]


def _milestones(objective: Objective) -> list[Block]:
    milestones = objective.milestones.order_by(F("due_date").asc(nulls_last=True), "pk")
    rows = [[m.label, french_date(m.due_date, DATE_TO_SET)] for m in milestones]
    return [Table(["Étape", "Date"], rows, (4, 1))] if rows else [Text(NOT_FILLED)]


def _budget(sheet: ObjectiveSheet) -> list[Block]:
    return [
        _means(
            "Valorisation budgétaire de la mesure à moyens constants",
            sheet.constant_means_value,
            sheet.constant_means_note,
        ),
        Text(label("Dans l'hypothèse de moyens inscrits au contrat pour la réalisation de la mesure")),
        _means(
            "Moyens apportés par l'organisme gestionnaire", sheet.managing_body_means, sheet.managing_body_means_note
        ),
        _means("Moyens apportés par l'autorité", sheet.authority_means, sheet.authority_means_note),
    ]


def _means(title: str, amount: Decimal | None, note: str) -> Bullet:
    return Bullet(f"{label(title)} {money(amount)}", note.strip())


def _indicators(objective: Objective) -> list[Block]:
    indicators = list(objective.indicators.select_related("catalogue_indicator").prefetch_related("targets"))
    blocks: list[Block] = []
    for kind in Kind:
        blocks.append(Heading("Indicateurs " + kind.label.removeprefix("Indicateur "), 2))
        of_kind = [i for i in indicators if i.kind == kind]
        blocks += [block for indicator in of_kind for block in _indicator(indicator)] or [Text(NOT_FILLED)]
    return blocks


def _indicator(indicator: FollowUpIndicator) -> list[Block]:
    origin = indicator.catalogue_indicator
    targets = {t.due_year: t.value for t in indicator.targets.all()}
    return [
        Heading(indicator.label, 3),
        Text(f"catalogue des indicateurs ({origin})" if origin else "indicateur propre au contrat", "Origine"),
        Text(filled(indicator.method), "Méthode de calcul"),
        Text(filled(indicator.unit), "Unité"),
        Text(filled(indicator.data_source), "Source des données"),
        Text(_baseline(indicator), "Situation actuelle"),
        Table(
            ["Échéance", *DUE_YEAR_LABELS],
            [["Cible", *(filled(targets.get(year)) for year in range(len(DUE_YEAR_LABELS)))]],
            (1.4, *[1] * len(DUE_YEAR_LABELS)),
        ),
    ]


def _baseline(indicator: FollowUpIndicator) -> str:
    if not indicator.baseline_value.strip():
        return NOT_FILLED
    parts = [indicator.baseline_value.strip()]
    if indicator.baseline_date:
        parts.append(f"au {french_date(indicator.baseline_date)}")
    if indicator.baseline_note.strip():
        parts.append(f"({indicator.baseline_note.strip()})")
    return " ".join(parts)
