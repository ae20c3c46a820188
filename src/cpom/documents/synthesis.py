"""The synthesis of the shared diagnostic as annexed to the contract (model contract, Titre 1 §2 and §3)."""

from django.utils import timezone

from cpom.contracts.models import Contract
from cpom.core.formatting import filled, french_date, label, shorten, years
from cpom.diagnostic.models import Finding
from cpom.diagnostic.services import AxisSynthesis, ChecklistLine, Synthesis

from .layout import Block, Bullet, Document, Heading, Text
from .pdf import to_pdf
from .word import to_docx

TITLE = "Synthèse du diagnostic partagé"
NO_FINDING = "Aucun constat."


def synthesis_docx(s: Synthesis) -> bytes:
    return to_docx(synthesis_document(s))


def synthesis_pdf(s: Synthesis) -> bytes:
    return to_pdf(synthesis_document(s))


def synthesis_document(s: Synthesis) -> Document:
    blocks = [
        Heading(TITLE, 0),
        *_contract(s.contract),
        Heading("Problématiques saillantes", 1),
        Text(filled(s.salient_issues)),
        Heading("Synthèse des principaux points forts et points faibles du diagnostic", 1),
    ]
    for axis in s.axes:
        blocks += _axis(axis)
    if s.missing:
        blocks += _missing(s.missing)
    return Document(TITLE, f"{s.contract.reference} – {TITLE}", blocks)


def _contract(contract: Contract) -> list[Block]:
    # A co-signatory still waiting for the managing body's acceptance is not a party yet.
    parties = [
        f"{party.authority.name}{' (cheffe de file)' if party.is_lead else ''}"
        for party in contract.parties.admitted().select_related("authority")
    ]
    period = (
        f"du {french_date(contract.start_date)} au {french_date(contract.end_date)} ({years(contract.duration_years)})"
    )
    return [
        Text(str(contract), "Contrat"),
        Text(contract.managing_body.name, "Organisme gestionnaire"),
        Text(filled(", ".join(parties)), "Autorités parties au contrat"),
        Text(period, "Période du contrat"),
        Text(french_date(timezone.localdate()), "Édité le"),
    ]


def _axis(axis: AxisSynthesis) -> list[Block]:
    return [
        Heading(f"{axis.section.code} – {axis.section.title}", 2),
        Heading("Points forts", 3),
        *_findings(axis.strengths),
        Heading("Points faibles", 3),
        *_findings(axis.weaknesses),
        Heading("Spécificités", 3),
        *_findings(axis.specificities),
        Heading("Perspectives", 3),
        Text(filled(axis.perspectives)),
    ]


def _findings(findings: list[Finding]) -> list[Block]:
    return [finding_bullet(finding) for finding in findings] or [Text(NO_FINDING)]


def finding_bullet(finding: Finding) -> Bullet:
    """A finding in short: its text, then its nature, theme, level or establishment, priority, causes and consequences."""
    where = finding.establishment.name if finding.establishment else finding.get_level_display()
    details = [
        finding.get_nature_display(),
        f"thème « {finding.section.label} »",
        where,
        f"priorité {finding.get_priority_display().lower()}",
    ]
    if finding.causes.strip():
        details.append(f"{label('causes')} {shorten(finding.causes)}")
    if finding.consequences.strip():
        details.append(f"{label('conséquences')} {shorten(finding.consequences)}")
    return Bullet(finding.text, " · ".join(details))


def _missing(lines: list[ChecklistLine]) -> list[Block]:
    return [
        Heading("Thèmes de la check-list non couverts", 1),
        Text(label("Le diagnostic n'aborde pas encore les thèmes suivants, que tout diagnostic partagé doit couvrir")),
        *(Bullet(line.label, shorten(line.hint)) for line in lines),
    ]
