"""Business rules of the shared diagnostic: who writes what, the check-list, the synthesis, pre-filled indicators."""

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from cpom.access import membership_of
from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.contracts.rules import contract_side
from cpom.core.locking import StaleWrite
from cpom.core.numbers import grouped
from cpom.indicators.models import Band, Indicator, IndicatorValue
from cpom.indicators.services import consolidated_for

from .frames import AXES
from .models import (
    Attachment,
    AxisPerspective,
    Diagnostic,
    DiagnosticTemplate,
    Finding,
    FindingLevel,
    Nature,
    Remark,
    SectionEntry,
    TemplateSection,
)
from .rules import may_contribute, may_edit_finding, may_remark, may_write_analysis

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Extension → magic bytes the content must start with: a renamed executable or script is refused.
ALLOWED_ATTACHMENTS = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


class DiagnosticRefused(Exception):
    """An action the rules forbid; the message says why, in French."""


class StaleDiagnostic(StaleWrite, DiagnosticRefused):
    """Someone else saved the same text meanwhile."""


class NoTemplate(DiagnosticRefused):
    """No frame is loaded: a configuration step for the platform team."""


class NoDiagnostic(DiagnosticRefused):
    """A contract signed without a diagnostic in cpom: there is none to show, and none can be opened any more."""


def template_for(contract: Contract) -> DiagnosticTemplate | None:
    """The lead authority's own frame if it has one, else the national frame."""
    return (
        DiagnosticTemplate.objects.filter(authority_id=contract.lead_authority_id).order_by("-pk").first()
        or DiagnosticTemplate.objects.filter(authority=None).order_by("-pk").first()
    )


def diagnostic_for(contract: Contract) -> Diagnostic:
    """The contract's diagnostic, opened on first use before signature (the database freezes a signed contract)."""
    existing = Diagnostic.objects.filter(contract=contract).select_related("template").first()
    if existing:
        return existing
    if contract.is_frozen:
        raise NoDiagnostic("Ce contrat a été signé sans diagnostic partagé enregistré dans cpom.")
    template = template_for(contract)
    if template is None:
        raise NoTemplate("Aucune trame de diagnostic n'est chargée : lancez « cpom diagnostic charger-trame ».")
    return Diagnostic.objects.get_or_create(contract=contract, defaults={"template": template})[0]


def _require_open(contract: Contract) -> None:
    if not contract.is_open:
        raise DiagnosticRefused(
            f"Le diagnostic ne se modifie plus : le contrat est à l'état « {contract.get_state_display()} »."
        )


def entry_for(diagnostic: Diagnostic, section: TemplateSection, establishment=None) -> SectionEntry | None:
    return SectionEntry.objects.filter(diagnostic=diagnostic, section=section, establishment=establishment).first()


@transaction.atomic
def save_analysis(diagnostic, section, establishment, user, text: str, expected_version: int) -> SectionEntry:
    """The managing body's analysis of a section; a save based on an outdated copy is refused, never merged."""
    if not may_write_analysis(user, diagnostic.contract):
        _require_open(diagnostic.contract)
        raise DiagnosticRefused("Seul l'organisme gestionnaire (rôle contribution) rédige l'analyse d'une section.")
    # A section nobody wrote yet is shown as version 1, the version a new entry starts at.
    entry, _ = SectionEntry.objects.select_for_update().get_or_create(
        diagnostic=diagnostic,
        section=section,
        establishment=establishment,
    )
    if entry.version != expected_version:
        raise StaleDiagnostic
    before = {"analyse": entry.text}
    entry.text = text.strip()
    entry.version += 1
    entry.updated_by = user
    entry.save()
    record(user, diagnostic, f"Analyse {section.code}{_where(establishment)}", before, {"analyse": entry.text})
    return entry


def _where(establishment) -> str:
    return f" – {establishment.name}" if establishment else " – consolidé"


@transaction.atomic
def add_remark(diagnostic, section, establishment, user, text: str) -> Remark:
    if not may_remark(user, diagnostic.contract):
        _require_open(diagnostic.contract)
        raise DiagnosticRefused("Les remarques sont celles des autorités parties au contrat (rôle contribution).")
    if not text.strip():
        raise DiagnosticRefused("La remarque est vide.")
    entry, _ = SectionEntry.objects.get_or_create(diagnostic=diagnostic, section=section, establishment=establishment)
    remark = Remark.objects.create(
        entry=entry, authority_id=contract_side(user, diagnostic.contract).authority_id, author=user, text=text.strip()
    )
    record(user, diagnostic, f"Remarque {section.code}{_where(establishment)}", None, {"remarque": remark.text})
    return remark


def check_upload_name(name: str) -> None:
    """A file name that carries a path (« ../ », « C:\\ ») or control characters is refused, not cleaned up."""
    parts = name.replace("\\", "/").split("/")
    if len(parts) > 1 or ".." in parts or ":" in name or not name.isprintable():
        raise DiagnosticRefused(f"{name} : le nom du fichier ne doit contenir ni chemin ni caractère spécial.")


def check_upload_size(name: str, size: int) -> None:
    """Also called before reading an upload, so that an oversized file is never loaded in memory."""
    if size > MAX_ATTACHMENT_BYTES:
        megabytes = grouped(Decimal(size) / 1048576, 1)
        raise DiagnosticRefused(f"{name} : le fichier dépasse 10 Mo ({megabytes} Mo).")


def check_upload(name: str, content: bytes) -> str:
    """The safe extension of an upload, or a French error naming the file; the content must match its extension."""
    check_upload_name(name)
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENTS:
        allowed = ", ".join(sorted(ALLOWED_ATTACHMENTS))
        raise DiagnosticRefused(f"{name} : ce type de fichier n'est pas accepté (formats acceptés : {allowed}).")
    if not content:
        raise DiagnosticRefused(f"{name} : le fichier est vide.")
    check_upload_size(name, len(content))
    if not content.startswith(ALLOWED_ATTACHMENTS[suffix]):
        raise DiagnosticRefused(
            f"{name} : le contenu ne correspond pas à un fichier {suffix} (octet 1 : signature inattendue)."
        )
    return suffix


@transaction.atomic
def add_attachment(
    diagnostic, section, establishment, user, name: str, content: bytes, kind: str, label: str
) -> Attachment:
    if not may_contribute(user, diagnostic.contract):
        _require_open(diagnostic.contract)
        raise DiagnosticRefused("Seules les parties au contrat (rôle contribution) joignent des documents.")
    suffix = check_upload(name, content)
    entry, _ = SectionEntry.objects.get_or_create(diagnostic=diagnostic, section=section, establishment=establishment)
    attachment = Attachment(
        entry=entry,
        kind=kind,
        label=label.strip() or PurePath(name).stem[:200],
        original_name=PurePath(name).name[:255],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        organisation_label=membership_of(user).organisation_label,
    )
    # The stored name is generated: the uploaded name never reaches the file system.
    attachment.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    attachment.save()
    record(
        user,
        diagnostic,
        f"Pièce jointe {section.code}{_where(establishment)}",
        None,
        {"document": attachment.original_name},
    )
    return attachment


FINDING_FIELDS = [
    "section",
    "text",
    "nature",
    "level",
    "establishment",
    "evidence",
    "causes",
    "consequences",
    "lever_exists",
    "priority",
]


def finding_snapshot(finding: Finding) -> dict:
    return {
        "constat": finding.text,
        "nature": finding.get_nature_display(),
        "niveau": finding.get_level_display(),
        "établissement": finding.establishment.name if finding.establishment else "",
        "thème": str(finding.section),
        "causes": finding.causes,
        "conséquences": finding.consequences,
        "levier": "oui" if finding.lever_exists else "non",
        "priorité": finding.get_priority_display(),
        "indicateurs": sorted(i.code for i in finding.evidence_indicators.all()),
        "éléments": finding.evidence,
    }


@transaction.atomic
def save_finding(diagnostic, user, data: dict, finding: Finding | None = None, expected_version: int = 1) -> Finding:
    """Creates a finding for the user's side, or updates one of that side's findings."""
    contract = diagnostic.contract
    if finding is None:
        if not may_contribute(user, contract):
            _require_open(contract)
            raise DiagnosticRefused("Seules les parties au contrat (rôle contribution) rédigent des constats.")
        side = contract_side(user, contract)
        finding = Finding(diagnostic=diagnostic, authority_id=side.authority_id, organisation_label=side.label)
        before = None
    else:
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if not may_edit_finding(user, finding):
            _require_open(contract)
            raise DiagnosticRefused(
                "Seule la partie qui a rédigé ce constat peut le modifier ; les autres en discutent."
            )
        if finding.version != expected_version:
            raise StaleDiagnostic
        before = finding_snapshot(finding)
        finding.version += 1
    for name in FINDING_FIELDS:
        setattr(finding, name, data[name])
    if finding.level != FindingLevel.ESTABLISHMENT:
        finding.establishment = None
    finding.save()
    finding.evidence_indicators.set(data.get("evidence_indicators", []))
    finding.evidence_attachments.set(data.get("evidence_attachments", []))
    record(user, finding, "Constat" if before is None else "Modification du constat", before, finding_snapshot(finding))
    return finding


@transaction.atomic
def save_synthesis(
    diagnostic, user, salient_issues: str, perspectives: dict[str, str], expected_version: int
) -> Diagnostic:
    """The synthesis' free parts (salient issues, perspectives per axis), written by any party."""
    if not may_contribute(user, diagnostic.contract):
        _require_open(diagnostic.contract)
        raise DiagnosticRefused("Seules les parties au contrat (rôle contribution) rédigent la synthèse.")
    current = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    if current.version != expected_version:
        raise StaleDiagnostic
    before = _synthesis_snapshot(current)
    current.salient_issues = salient_issues.strip()
    current.version += 1
    current.save()
    for axis, text in perspectives.items():
        AxisPerspective.objects.update_or_create(diagnostic=current, axis=axis, defaults={"text": text.strip()})
    record(user, current, "Synthèse du diagnostic", before, _synthesis_snapshot(current))
    return current


def _synthesis_snapshot(diagnostic: Diagnostic) -> dict:
    data = {"problématiques saillantes": diagnostic.salient_issues}
    data.update({f"perspectives {p.axis}": p.text for p in diagnostic.perspectives.all()})
    return data


@dataclass
class ChecklistLine:
    label: str
    hint: str
    covered: bool
    sections: list[TemplateSection]


def checklist(diagnostic: Diagnostic) -> list[ChecklistLine]:
    """ANAP's themes every diagnostic must cover: a theme counts as covered once one of its sections has an analysis or a finding."""
    sections = list(diagnostic.template.sections.all())
    written = set(diagnostic.entries.exclude(text="").values_list("section_id", flat=True)) | set(
        diagnostic.findings.values_list("section_id", flat=True)
    )
    lines = []
    for item in diagnostic.template.checklist.all():
        concerned = [s for s in sections if item.code in s.checklist_codes]
        lines.append(ChecklistLine(item.label, item.hint, any(s.pk in written for s in concerned), concerned))
    return lines


@dataclass
class AxisSynthesis:
    section: TemplateSection
    strengths: list[Finding] = field(default_factory=list)
    weaknesses: list[Finding] = field(default_factory=list)
    specificities: list[Finding] = field(default_factory=list)
    perspectives: str = ""


@dataclass
class Synthesis:
    contract: Contract
    salient_issues: str
    axes: list[AxisSynthesis]
    checklist: list[ChecklistLine]

    @property
    def missing(self) -> list[ChecklistLine]:
        return [line for line in self.checklist if not line.covered]


def synthesis(diagnostic: Diagnostic) -> Synthesis:
    """Strengths and weaknesses per Titre 1 axis, from the findings, with the parties' perspectives."""
    axes = {s.code: AxisSynthesis(s) for s in diagnostic.template.sections.filter(code__in=AXES)}
    perspectives = {p.axis: p.text for p in diagnostic.perspectives.all()}
    findings = diagnostic.findings.select_related("section", "establishment").order_by(
        "priority", "section__order", "pk"
    )
    for finding in findings:
        target = axes.get(finding.section.axis)
        if target is None:
            continue
        if finding.nature == Nature.STRENGTH:
            target.strengths.append(finding)
        elif finding.nature == Nature.SPECIFICITY:
            target.specificities.append(finding)
        else:
            target.weaknesses.append(finding)
    for code, axis in axes.items():
        axis.perspectives = perspectives.get(code, "")
    ordered = [axes[code] for code in AXES if code in axes]
    return Synthesis(diagnostic.contract, diagnostic.salient_issues, ordered, checklist(diagnostic))


@dataclass
class IndicatorLine:
    indicator: Indicator
    year: int | None
    value: float | None
    reason: str
    band: str
    members: int = 1
    # Consolidated lines only: the homogeneous category the value is consolidated over.
    category: str = ""

    @property
    def band_label(self) -> str:
        return Band(self.band).label if self.band else ""


def _latest_year(establishments) -> int | None:
    return IndicatorValue.objects.filter(establishment__in=establishments).aggregate(year=Max("year"))["year"]


def section_indicators(
    section: TemplateSection, establishment=None, contract: Contract | None = None
) -> list[IndicatorLine]:
    """The section's indicators pre-filled from the engine: the establishment's value and band among its peers,
    or, for the consolidated level, the perimeter's values per homogeneous category (never a mean of ratios)."""
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=section.indicator_codes, catalogue__authority=None)
    }
    if establishment is not None:
        year = _latest_year([establishment])
        stored = {
            v.indicator.code: v
            for v in IndicatorValue.objects.filter(
                establishment=establishment, year=year, indicator__code__in=indicators
            ).select_related("indicator")
        }
        lines = []
        for code in section.indicator_codes:
            if code not in indicators:
                continue
            value = stored.get(code)
            if value is None:
                lines.append(IndicatorLine(indicators[code], year, None, _not_computed(indicators[code]), ""))
            else:
                lines.append(IndicatorLine(indicators[code], year, value.value, value.reason, value.band))
        return lines
    perimeter = contract.establishments.all()
    year = _latest_year(perimeter)
    if year is None:
        return []
    rows = [r for r in consolidated_for(perimeter, year) if r.indicator.code in indicators]
    order = {code: n for n, code in enumerate(section.indicator_codes)}
    rows.sort(key=lambda r: (order[r.indicator.code], r.category))
    return [IndicatorLine(r.indicator, year, r.value, r.reason, "", r.members, r.category) for r in rows]


def _not_computed(indicator: Indicator) -> str:
    if indicator.declared:
        return "indicateur déclaratif : à renseigner dans l'analyse"
    return "aucune donnée pour cet établissement"
