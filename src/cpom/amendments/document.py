"""The amendment's own document, one list of layout blocks rendered to Word and PDF: « Avenant n° N au contrat … »,
the parties, the trigger and the procedure, what changes with the old and new text side by side, the effect on the
envelope, the effective date and a signature block for every party."""

from datetime import date
from decimal import Decimal

from cpom.core.formatting import french_date, money
from cpom.documents.layout import Document, Heading, Signature, Table, Text
from cpom.documents.pdf import to_pdf
from cpom.documents.word import to_docx
from cpom.objectives.negotiation import parties

from .models import Amendment, Change, ChangeKind
from .services import Preview, procedure_deadlines

UNCHANGED = "Les autres stipulations du contrat et de ses annexes demeurent inchangées."


def shown_value(change: Change, value: str) -> str:
    """A change's value as the parties read it: amounts and dates the French way."""
    if not value:
        return "—"
    if change.kind == ChangeKind.BUDGET_LINE:
        return money(Decimal(value))
    if change.kind == ChangeKind.END_DATE:
        return french_date(date.fromisoformat(value))
    return value


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else money(value)


def _signatories(contract) -> list[tuple[str, str]]:
    """Every party in the order they sign: the managing body, the co-signing councils, the lead authority last."""
    leads = {p.authority_id for p in contract.parties.all() if p.is_lead}
    body, *authorities = parties(contract)
    ordered = [a for a in authorities if a.authority_id not in leads] + [
        a for a in authorities if a.authority_id in leads
    ]
    return [("L'organisme gestionnaire", body.label)] + [
        ("L'autorité cheffe de file" if a.authority_id in leads else "L'autorité cosignataire", a.label)
        for a in ordered
    ]


def amendment_document(amendment: Amendment, preview: Preview, content_hash: str | None = None) -> Document:
    contract = amendment.contract
    signatories = _signatories(contract)
    title = f"Avenant n° {amendment.number} au contrat pluriannuel d'objectifs et de moyens {contract.reference}"
    footer = f"Avenant n° {amendment.number} – {contract.reference}"
    blocks = [Heading(title, 0), Text(contract.title), Heading("Entre les parties", 1)]
    for party in parties(contract):
        blocks.append(Text(party.label))
    blocks += [
        Heading("Article 1 – Motif et procédure", 1),
        Text(amendment.get_trigger_display(), label="Motif"),
        Text(amendment.summary, label="Objet"),
    ]
    for name, label in (
        ("letter_sent_on", "Lettre recommandée avec accusé de réception du"),
        ("letter_presented_on", "Première présentation de la lettre le"),
        ("meeting_on", "Réunion des parties le"),
        ("note_sent_on", "Note de l'organisme gestionnaire transmise le"),
    ):
        if getattr(amendment, name):
            blocks.append(Text(french_date(getattr(amendment, name)), label=label))
    for deadline in procedure_deadlines(amendment):
        blocks.append(Text(french_date(deadline.due), label=f"{deadline.label} : au plus tard le"))
    changes = list(amendment.changes.all())
    blocks += [
        Heading("Article 2 – Modifications du contrat", 1),
        Table(
            ["Stipulation modifiée", "Rédaction actuelle", "Nouvelle rédaction"],
            [[c.label, shown_value(c, c.old_value), shown_value(c, c.new_value)] for c in changes],
            (3, 3, 3),
        ),
    ]
    rows = preview.envelope_rows()
    blocks.append(Heading("Article 3 – Effet sur la dotation globalisée commune", 1))
    if not preview.envelope_changes:
        blocks.append(Text("L'avenant ne modifie ni le montant de l'enveloppe ni la quote-part des établissements."))
    for row in rows:
        table_rows = [["Total de l'enveloppe", _amount(row["old"]), _amount(row["new"])]]
        table_rows += [[f"Quote-part : {name}", _amount(old), _amount(new)] for name, old, new in row["shares"]]
        blocks += [
            Text(row["label"], label="Financeur"),
            Table(["", "Avant l'avenant", "Après l'avenant"], table_rows, (4, 2, 2)),
        ]
    blocks += [
        Heading("Article 4 – Date d'effet", 1),
        Text(
            f"Le présent avenant prend effet le {french_date(amendment.effective_date)}."
            if amendment.effective_date
            else "La date d'effet reste à fixer."
        ),
        Text(UNCHANGED),
        Heading("Signatures", 1),
        Text(f"Fait en {len(signatories)} exemplaires originaux."),
    ]
    blocks += [Signature(role, (f"Pour {label}", "Nom et qualité du signataire :")) for role, label in signatories]
    # The version sent for signature prints its content's hash on every page; until then the draft says so.
    return Document(
        title,
        footer,
        blocks,
        watermark="" if content_hash else "PROJET",
        fingerprint=content_hash or "",
        page_total=True,
    )


def amendment_docx(amendment: Amendment, preview: Preview, content_hash: str | None = None) -> bytes:
    return to_docx(amendment_document(amendment, preview, content_hash))


def amendment_pdf(amendment: Amendment, preview: Preview, content_hash: str | None = None) -> bytes:
    return to_pdf(amendment_document(amendment, preview, content_hash))
