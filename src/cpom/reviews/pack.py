"""The review's pack (seed-contract-followup §5.4): one PDF, and a zip of its parts.

The PDF holds the review (date, place, participants), its agenda (the year's priority themes, the managing body's
questions, the open alerts, the objectives off track), the follow-up grid as the campaign holds it, each indicator
against its peers (the region's quartiles of its category), the reviewed year's accounts against the retained
trajectory, the previous reviews' decisions and their status, and this review's decisions when there are some.

The zip holds that PDF and each part as its own file: the grid's workbook and the annual report of the campaign
(cpom.followup), the indicators against their peers, the accounts against the trajectory and the decisions, each as
a workbook.
"""

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from cpom.core.formatting import french_date
from cpom.core.workbooks import append
from cpom.documents.layout import Block, Bullet, Document, Heading, Table, Text
from cpom.documents.pdf import to_pdf
from cpom.followup import levels
from cpom.followup.grid import grid_for
from cpom.followup.report import report_facts, report_file
from cpom.followup.snapshot import grid_snapshot
from cpom.followup.workbook import grid_workbook

from . import services
from .models import Decision, Review

NO_CAMPAIGN = (
    "Aucune campagne de suivi n'est ouverte pour cette année : la grille, le rapport annuel et les comptes ne sont pas "
    "encore au dossier."
)


@dataclass
class Parts:
    """The pack's data, read once for the PDF and the workbooks."""

    review: Review
    agenda: services.Agenda
    grid_rows: list[list[str]]
    years: list[int]
    peers: list[list[str]]
    finance: dict | None
    previous: list[Decision]
    decisions: list[Decision]


GRID_HEADER = ["Objectif", "Indicateur", "Catégorie", "Cible", "Échéance", "Niveau"]
PEERS_HEADER = ["Indicateur", "Catégorie", "Année", "Valeur", "1er quartile", "Médiane", "3e quartile", "Position"]
FINANCE_HEADER = ["Poste", "Trajectoire", "Réalisé", "Écart"]
DECISION_WIDTHS = (1.3, 0.6, 1.8, 3.6, 2.2, 1.7, 1.4)
DECISIONS_HEADER = ["Dialogue", "N°", "Type", "Décision", "Porteur", "Échéance", "État"]


def _position(value: str, quartiles: list[float] | None) -> str:
    if not quartiles or not value:
        return "sans comparaison"
    try:
        number = float(value.replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%"))
    except ValueError:
        return "sans comparaison"
    q1, _, q3 = quartiles
    if number < q1:
        return "sous le 1er quartile"
    if number > q3:
        return "au-dessus du 3e quartile"
    return "entre le 1er et le 3e quartile"


def _number(value) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def parts(review: Review) -> Parts:
    agenda = services.agenda(review)
    campaign = agenda.campaign
    grid_rows, years, peers, finance = [], [], [], None
    if campaign is not None:
        snapshot = grid_snapshot(grid_for(campaign))
        facts = report_facts(campaign, snapshot)
        years = snapshot["years"]
        finance = facts["finance"]
        for strategic in snapshot["objectives"]:
            for row in strategic["operational"]:
                for line in row["lines"]:
                    values = {v["year"]: v["text"] for v in line["values"]}
                    grid_rows.append(
                        [
                            f"{row['number']} – {row['title']}",
                            line["indicator"],
                            line["category_label"],
                            line["target"] or "—",
                            line["due_label"],
                            levels.LEVEL_LABELS.get(line["level"], "non évalué"),
                            *(values.get(year) or "—" for year in years),
                        ]
                    )
                    bands = facts["bands"].get(f"{line['indicator_id']}|{line['category']}", {})
                    reviewed = str(snapshot["campaign"]["reviewed_year"])
                    value = values.get(int(reviewed)) or ""
                    quartiles = bands.get(reviewed)
                    peers.append(
                        [
                            line["indicator"],
                            line["category_label"],
                            reviewed,
                            value or "—",
                            *(_number(q) for q in (quartiles or [None, None, None])),
                            _position(value, quartiles),
                        ]
                    )
    decisions = list(
        review.decisions.select_related("owner_authority", "owner_person", "review__contract__managing_body")
    )
    previous = list(
        Decision.objects.filter(review__contract=review.contract, review__year__lt=review.year)
        .select_related("review", "owner_authority", "owner_person", "review__contract__managing_body")
        .order_by("review__year", "number")
    )
    return Parts(review, agenda, grid_rows, years, peers, finance, previous, decisions)


def _decision_row(decision: Decision) -> list[str]:
    return [
        f"année {decision.review.year}",
        str(decision.number),
        decision.get_kind_display(),
        decision.text,
        services.owner_label(decision),
        french_date(decision.due_date),
        decision.get_status_display(),
    ]


def _agenda_blocks(found: Parts) -> list[Block]:
    agenda = found.agenda
    blocks: list[Block] = [Heading("Ordre du jour", 1)]
    blocks.append(Heading(f"Thèmes prioritaires de la note de cadrage {agenda.framing_year or ''}".strip(), 2))
    blocks += [Bullet(theme) for theme in agenda.themes] or [Text("Aucune note de cadrage pour cette année.")]
    blocks.append(Heading("Questions transmises par l'organisme gestionnaire", 2))
    blocks += [
        Bullet(q.text, f"{q.organisation_label}, le {french_date(q.asked_at.date())}") for q in agenda.questions
    ] or [Text("Aucune question transmise.")]
    blocks.append(Heading("Alertes ouvertes", 2))
    blocks += [Bullet(alert.message) for alert in agenda.alerts] or [Text("Aucune alerte ouverte.")]
    blocks.append(Heading("Objectifs en écart", 2))
    blocks += [Bullet(f"{o.objective} : {o.indicator}", o.why) for o in agenda.off_track] or [
        Text("Aucun objectif en écart.")
    ]
    blocks.append(Heading("Décisions encore ouvertes des dialogues précédents", 2))
    blocks += [
        Bullet(f"Décision n° {d.number} (année {d.review.year}) : {d.text}", f"échéance {french_date(d.due_date)}")
        for d in agenda.previous_decisions
    ] or [Text("Aucune décision ouverte.")]
    return blocks


def document(found: Parts) -> Document:
    review, contract = found.review, found.review.contract
    blocks: list[Block] = [
        Heading(f"Dossier du {review.title.lower()}", 0),
        Text(f"{contract.reference} – {contract.title}", "Contrat"),
        Text(contract.managing_body.name, "Organisme gestionnaire"),
        Text(f"{french_date(review.day)}, {review.place}", "Date et lieu"),
        Heading("Participants", 1),
    ]
    blocks += [Bullet(f"{p.name}, {p.role}", p.organisation) for p in review.participants.all()] or [
        Text("Aucun contact en fonction à cette date.")
    ]
    blocks += _agenda_blocks(found)
    blocks.append(Heading("Grille de suivi", 1))
    if found.agenda.campaign is None:
        blocks.append(Text(NO_CAMPAIGN))
    else:
        campaign = found.agenda.campaign
        blocks.append(Text(f"Campagne {campaign.year}, exercice examiné {campaign.reviewed_year}.", "Campagne"))
        rows = [
            [
                f"{row[0]} : {row[1]}",
                row[2],
                f"{row[3]} ({row[4]})",
                " ; ".join(f"{year} : {value}" for year, value in zip(found.years, row[6:], strict=True)),
                row[5],
            ]
            for row in found.grid_rows
        ]
        header = ["Objectif : indicateur", "Catégorie", "Cible (échéance)", "Valeurs", "Niveau"]
        blocks.append(Table(header, rows, (4, 2, 2, 4, 1.6)) if rows else Text("La grille est vide."))
        blocks.append(Heading("Chaque indicateur au regard des établissements comparables", 1))
        blocks.append(
            Table(PEERS_HEADER, found.peers, (3, 1.8, 1, 1.3, 1.3, 1.3, 1.3, 2))
            if found.peers
            else Text("Aucun indicateur.")
        )
        blocks.append(Heading(f"Comptes {found.finance['year']} au regard de la trajectoire", 1))
        if found.finance["scenario"]:
            blocks.append(Text(found.finance["scenario"], "Scénario retenu"))
        blocks.append(Table(FINANCE_HEADER, found.finance["lines"], (3, 1.5, 1.5, 1.5)))
        blocks += [Text(note) for note in found.finance["notes"]]
    blocks.append(Heading("Décisions des dialogues précédents et leur état", 1))
    blocks.append(
        Table(DECISIONS_HEADER, [_decision_row(d) for d in found.previous], DECISION_WIDTHS)
        if found.previous
        else Text("Aucun dialogue précédent n'a pris de décision.")
    )
    if found.decisions:
        blocks.append(Heading("Décisions de ce dialogue", 1))
        blocks.append(Table(DECISIONS_HEADER, [_decision_row(d) for d in found.decisions], DECISION_WIDTHS))
    return Document(
        f"Dossier du dialogue de gestion – année {review.year}",
        f"{contract.reference} – dossier du dialogue de gestion de l'année {review.year}",
        blocks,
        page_total=True,
    )


def file_stem(review: Review) -> str:
    return f"{review.contract.reference}-dialogue-annee-{review.year}"


def pack_pdf(review: Review, found: Parts | None = None) -> tuple[str, bytes]:
    found = found or parts(review)
    return f"{file_stem(review)}-dossier.pdf", to_pdf(document(found))


def _workbook(title: str, header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    append(sheet, header)
    for row in rows:
        append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pack_zip(review: Review, found: Parts | None = None) -> tuple[str, bytes]:
    """The zip of the pack's parts, each openable on its own; the PDF among them."""
    found = found or parts(review)
    files: list[tuple[str, bytes]] = [pack_pdf(review, found)]
    campaign = found.agenda.campaign
    if campaign is not None:
        files.append((f"grille-de-suivi-{campaign.year}.xlsx", grid_workbook(campaign)))
        files.append(report_file(campaign, "pdf"))
        files.append(("indicateurs-et-comparaison.xlsx", _workbook("Indicateurs", PEERS_HEADER, found.peers)))
        files.append(
            (
                f"comptes-{found.finance['year']}-et-trajectoire.xlsx",
                _workbook("Comptes et trajectoire", FINANCE_HEADER, found.finance["lines"]),
            )
        )
    files.append(
        (
            "decisions-precedentes.xlsx",
            _workbook("Décisions précédentes", DECISIONS_HEADER, [_decision_row(d) for d in found.previous]),
        )
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return f"{file_stem(review)}-dossier.zip", out.getvalue()


def minutes_document(review: Review) -> Document:
    """The relevé de décisions: from its signed snapshot once sent (its hash in every page's footer), else a draft."""
    snapshot = review.snapshot or services.minutes_snapshot(review)
    blocks: list[Block] = [
        Heading(f"Relevé de décisions – {snapshot['review']['title'].lower()}", 0),
        Text(f"{snapshot['contract']['reference']} – {snapshot['contract']['title']}", "Contrat"),
        Text(snapshot["managing_body"], "Organisme gestionnaire"),
        Text(f"{french_date(_day(snapshot['review']['day']))}, {snapshot['review']['place']}", "Date et lieu"),
        Heading("Participants", 1),
        *[Bullet(f"{p['name']}, {p['role']}", p["organisation"]) for p in snapshot["participants"]],
        Heading("Synthèse des échanges", 1),
        Text(snapshot["review"]["summary"] or "—"),
        Heading("Décisions", 1),
        Table(
            ["N°", "Type", "Décision", "Porteur", "Échéance"],
            [
                [str(d["number"]), d["kind"], d["text"], d["owner"], french_date(_day(d["due_date"]))]
                for d in snapshot["decisions"]
            ],
            (0.6, 1.6, 4, 2, 1.2),
        ),
        Heading("Signatures", 1),
    ]
    blocks += [
        Bullet(f"{s.signatory_name}, {s.signatory_title}", f"{s.organisation_label}, le {french_date(s.signed_on)}")
        for s in review.signatures.all()
    ] or [Text("Pas encore signé.")]
    return Document(
        f"Relevé de décisions – année {review.year}",
        f"{snapshot['contract']['reference']} – relevé de décisions de l'année {review.year}",
        blocks,
        watermark="" if review.content_sha256 else "PROJET",
        fingerprint=review.content_sha256,
        page_total=True,
    )


def _day(text: str) -> date:
    return date.fromisoformat(text)


def minutes_pdf(review: Review) -> tuple[str, bytes]:
    return f"{file_stem(review)}-releve-de-decisions.pdf", to_pdf(minutes_document(review))
