"""The consultations, then the signature circuit: a version sent, signed by each party in order, sealed or voided.

The circuit is generic over a :class:`ContractVersion`: the contract itself is version 0 (:func:`send_for_signature`
moves the contract to « En signature », its sealing to « Signé », a refusal back to « En négociation »); an amendment
(cpom.amendments) stores its own version with :func:`send_version` and is applied when its version is sealed, through
the callbacks registered with :func:`on_sealed` (and :func:`on_voided` for a refusal). Every step is audited on the
contract and runs in one transaction: a refusal saves nothing.
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cpom.access import membership_of
from cpom.audit.services import record
from cpom.audit.services import snapshot as audit_snapshot
from cpom.contracts import lifecycle
from cpom.contracts.guards import Blocker
from cpom.contracts.models import Contract, State
from cpom.core.formatting import french_date
from cpom.core.locking import STALE_MESSAGE, StaleWrite
from cpom.core.numbers import grouped

from . import rendering, rules
from .models import (
    MANAGING_BODY_KEY,
    Consultation,
    ConsultationKind,
    ContractVersion,
    Decision,
    Outcome,
    Signature,
    VersionStatus,
)

CONTRACT_VERSION_LABEL = "Contrat initial"
PDF_TYPE = "application/pdf"
SEND_HERE = (
    "La version finale s'envoie depuis la page « Versions et signatures » : cpom y fige son contenu, en calcule "
    "l'empreinte et produit le document à signer."
)
BOARD_MISSING = "La délibération du conseil d'administration n'est pas enregistrée."
# Which outcomes fit which consultation: a board deliberates, the other bodies give an opinion.
OUTCOMES = {
    ConsultationKind.BOARD: (Outcome.ADOPTED, Outcome.REJECTED),
    ConsultationKind.CVS: (Outcome.FAVOURABLE, Outcome.RESERVED, Outcome.UNFAVOURABLE, Outcome.INFORMED),
    ConsultationKind.STAFF: (Outcome.FAVOURABLE, Outcome.RESERVED, Outcome.UNFAVOURABLE, Outcome.INFORMED),
    ConsultationKind.HEALTH_INSURANCE: (Outcome.FAVOURABLE, Outcome.RESERVED, Outcome.UNFAVOURABLE),
    ConsultationKind.OTHER: tuple(Outcome.values),
}


class SigningRefused(Exception):
    """A step the rules refuse; ``errors`` pairs each French reason with the form field it concerns (or None)."""

    def __init__(self, errors: list[tuple[str | None, str]]):
        super().__init__(" ".join(message for _, message in errors))
        self.errors = errors

    @property
    def reasons(self) -> list[str]:
        return [message for _, message in self.errors]


class StaleSigning(StaleWrite, SigningRefused):
    def __init__(self):
        SigningRefused.__init__(self, [(None, STALE_MESSAGE)])


def _capital(text: str) -> str:
    """The first letter in capital, the rest as written (« L'organisme gestionnaire Association Les Chemins… »)."""
    return text[:1].upper() + text[1:]


def _refuse(message: str, field: str | None = None):
    raise SigningRefused([(field, message)])


# --- Uploaded PDF (minutes, signed scans) ----------------------------------------------------------------------------


def check_pdf(upload, field_label: str) -> bytes:
    """The content of an uploaded PDF, or a French refusal naming the file: type, size bound, then the %PDF- mark.

    ``upload`` is what the view received (name, content_type, size, read()); the size is checked before anything is
    read, so an oversized upload (cpom.uploads) is never loaded.
    """
    name = upload.name
    if upload.size > settings.CPOM_MAX_UPLOAD_BYTES:
        limit = grouped(settings.CPOM_MAX_UPLOAD_BYTES / 1048576, 0)
        raise SigningRefused([(None, f"{field_label} : {name} dépasse la taille autorisée ({limit} Mo).")])
    if (upload.content_type or "").split(";")[0].strip().lower() != PDF_TYPE:
        raise SigningRefused(
            [(None, f"{field_label} : {name} n'est pas un PDF (type « {upload.content_type or 'inconnu'} »).")]
        )
    content = upload.read()
    if not content.startswith(b"%PDF-"):
        raise SigningRefused(
            [(None, f"{field_label} : {name} n'est pas un PDF (son contenu ne commence pas par %PDF-).")]
        )
    return content


def _journal(instance) -> dict:
    """The journal's copy of a consultation or a signature: its fields, an attached file by the name it was given."""
    return {
        name: (value.name or "") if hasattr(value, "storage") else value
        for name, value in audit_snapshot(instance).items()
    }


def _store(field, content: bytes) -> None:
    # The stored name is generated: the uploaded name never reaches the file system.
    field.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)


# --- Consultations ---------------------------------------------------------------------------------------------------


def default_body(contract: Contract, kind: str, establishment=None) -> str:
    """The body consulted, as the form proposes it: « CVS de l'EHPAD Les Tilleuls », « Conseil d'administration… »."""
    where = establishment.name if establishment else contract.managing_body.name
    return {
        ConsultationKind.CVS: f"Conseil de la vie sociale – {where}",
        ConsultationKind.STAFF: f"Comité social et économique – {where}",
        ConsultationKind.BOARD: f"Conseil d'administration – {contract.managing_body.name}",
        ConsultationKind.HEALTH_INSURANCE: "Assurance maladie",
    }.get(kind, "")


@transaction.atomic
def record_consultation(contract: Contract, user, data: dict, minutes=None, today: date | None = None) -> Consultation:
    """Records a consultation: ``data`` has kind, body, establishment (or None), held_on, outcome, comment."""
    today = today or timezone.localdate()
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    kind = data["kind"]
    if refusal := rules.consultation_refusal(user, current, kind):
        _refuse(refusal)
    errors = []
    establishment = data.get("establishment")
    if kind == ConsultationKind.CVS and establishment is None:
        errors.append(("establishment", "Établissement : le conseil de la vie sociale est celui d'un établissement."))
    if establishment is not None and not current.establishments.filter(pk=establishment.pk).exists():
        errors.append(("establishment", f"Établissement : {establishment} n'est pas dans le périmètre du contrat."))
    held_on = data.get("held_on")
    if held_on is None:
        errors.append(("held_on", "Date : indiquez la date de la consultation."))
    elif held_on > today:
        errors.append(
            ("held_on", f"Date : le {french_date(held_on)} est dans le futur ; enregistrez une consultation tenue.")
        )
    if data["outcome"] not in OUTCOMES[kind]:
        allowed = ", ".join(f"« {Outcome(o).label} »" for o in OUTCOMES[kind])
        errors.append(("outcome", f"Résultat : pour « {ConsultationKind(kind).label} », choisissez {allowed}."))
    body = (data.get("body") or "").strip() or default_body(current, kind, establishment)
    if not body:
        errors.append(("body", "Instance consultée : indiquez quelle instance a été consultée."))
    content = None
    if minutes is not None:
        try:
            content = check_pdf(minutes, "Procès-verbal")
        except SigningRefused as refused:
            errors += [("minutes", message) for _, message in refused.errors]
    if errors:
        raise SigningRefused(errors)
    consultation = Consultation(
        contract=current,
        kind=kind,
        body=body,
        establishment=establishment,
        held_on=held_on,
        outcome=data["outcome"],
        comment=(data.get("comment") or "").strip(),
        recorded_by=user,
        organisation_label=membership_of(user).organisation_label,
    )
    if content is not None:
        _store(consultation.minutes, content)
        consultation.minutes_name = minutes.name[:255]
        consultation.minutes_size = len(content)
        consultation.minutes_sha256 = hashlib.sha256(content).hexdigest()
    consultation.save()
    record(user, current, f"Consultation enregistrée : {consultation.body}", None, _journal(consultation))
    return consultation


def board_deliberation(contract: Contract) -> Consultation | None:
    """The latest adopted deliberation of the managing body's board: the one the « Vu la délibération » line cites."""
    return (
        contract.consultations.filter(kind=ConsultationKind.BOARD, outcome=Outcome.ADOPTED)
        .order_by("-held_on", "-pk")
        .first()
    )


def deliberation_context(contract: Contract) -> dict:
    """What the contract's document takes from the consultations (cpom.documents' context hook)."""
    deliberation = board_deliberation(contract)
    return {"deliberation_date": deliberation.held_on.isoformat()} if deliberation else {}


def consultation_blockers(contract: Contract) -> list[Blocker]:
    """The readiness check's line: no contract goes to signature before its board has deliberated."""
    if board_deliberation(contract) is not None:
        return []
    url = reverse("signing:consultations", kwargs={"contract_id": contract.pk})
    return [Blocker("no_board_deliberation", BOARD_MISSING, url)]


# --- Sending a version for signature ---------------------------------------------------------------------------------


def send_version(
    contract: Contract, user, *, number: int, label: str, snapshot: dict, docx: bytes, pdf: bytes, effective_date=None
) -> ContractVersion:
    """Stores a version sent for signature, its order fixed (the caller holds the transaction and the rules)."""
    version = ContractVersion.objects.create(
        contract=contract,
        number=number,
        label=label,
        snapshot=rendering.canonical_json(snapshot).decode("utf-8"),
        content_sha256=rendering.content_hash(snapshot),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        docx=docx,
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        signature_order=rules.signature_order(contract),
        sent_at=timezone.now(),
        sent_by=user,
        organisation_label=membership_of(user).organisation_label,
        effective_date=effective_date,
    )
    record(
        user,
        contract,
        f"{label} envoyé pour signature",
        None,
        {
            "version": number,
            "empreinte SHA-256 du contenu": version.content_sha256,
            "date d'effet convenue": effective_date,
        },
    )
    return version


def send_refusals(contract: Contract, user, today: date | None = None) -> list[str]:
    """What keeps ``user`` from sending ``contract`` for signature: the lifecycle's step, but for the version this
    step stores (the condition :func:`version_sent` checks)."""
    return [r for r in lifecycle.refusal_reasons(contract, State.IN_SIGNATURE, user, today=today) if r != SEND_HERE]


def send_for_signature(
    contract: Contract, user, *, effective_date: date | None = None, today: date | None = None
) -> ContractVersion:
    """The lead sends the final version: snapshot, hash, PDF and Word carrying the hash, the order, « En signature »."""
    today = today or timezone.localdate()
    with transaction.atomic():
        current = Contract.objects.select_for_update().get(pk=contract.pk)
        if current.version != contract.version:
            raise StaleSigning
        reasons = send_refusals(current, user, today)
        if effective_date is not None and not current.start_date <= effective_date <= current.end_date:
            reasons.append(
                f"Date d'effet : le {french_date(effective_date)} est hors de la durée du contrat "
                f"(du {french_date(current.start_date)} au {french_date(current.end_date)})."
            )
        if reasons:
            raise SigningRefused([(None, reason) for reason in reasons])
        snapshot = rendering.contract_snapshot(current)
        digest = rendering.content_hash(snapshot)
        version = send_version(
            current,
            user,
            number=0,
            label=CONTRACT_VERSION_LABEL,
            snapshot=snapshot,
            docx=rendering.contract_docx(snapshot, digest),
            pdf=rendering.contract_pdf(snapshot, digest),
            effective_date=effective_date,
        )
        lifecycle.transition(
            current, State.IN_SIGNATURE, user, f"Version finale envoyée pour signature (empreinte {digest}).", today
        )
    contract.state, contract.version = current.state, current.version
    return version


# --- Signing, refusing -----------------------------------------------------------------------------------------------

VersionCallback = Callable[[ContractVersion, object], None]
_ON_SEALED: list[VersionCallback] = []
_ON_VOIDED: list[VersionCallback] = []


def on_sealed(callback: VersionCallback) -> None:
    """``callback(version, user)`` runs in the transaction that seals ``version`` (an amendment is applied there)."""
    if callback not in _ON_SEALED:
        _ON_SEALED.append(callback)


def on_voided(callback: VersionCallback) -> None:
    """``callback(version, user)`` runs in the transaction that voids ``version`` after a party's refusal."""
    if callback not in _ON_VOIDED:
        _ON_VOIDED.append(callback)


@dataclass(frozen=True)
class Progress:
    """Where a version's circuit stands: who signed (in order), who is next, who is still to sign."""

    signed: list[Signature]
    next_key: str | None
    waiting: list[str]


def progress(version: ContractVersion) -> Progress:
    decisions = {s.party_key: s for s in version.signatures.all()}
    signed = [
        decisions[k] for k in version.signature_order if k in decisions and decisions[k].decision == Decision.SIGNED
    ]
    waiting = [k for k in version.signature_order if k not in decisions]
    return Progress(signed, waiting[0] if waiting else None, waiting)


def _locked(version: ContractVersion) -> tuple[ContractVersion, Contract]:
    """The version and its contract, locked: two parties recording at once are taken one after the other."""
    contract = Contract.objects.select_for_update().get(pk=version.contract_id)
    current = ContractVersion.objects.select_for_update().get(pk=version.pk)
    return current, contract


def _party_checks(version: ContractVersion, contract: Contract, user) -> str:
    if refusal := rules.signing_refusal(user, contract):
        _refuse(refusal)
    if version.status != VersionStatus.SENT:
        _refuse(f"Cette version n'est plus en signature : elle est « {version.get_status_display()} ».")
    key = rules.party_of(user, contract)
    if key not in version.signature_order:
        _refuse(f"{_capital(rules.party_name(contract, key))} n'est pas signataire de cette version.")
    done = version.signatures.filter(party_key=key).first()
    if done:
        _refuse(
            f"{_capital(rules.party_name(contract, key))} a déjà répondu pour cette version : "
            f"{done.get_decision_display().lower()} le {french_date(done.signed_on)}."
        )
    return key


def _date_errors(version: ContractVersion, contract: Contract, signed_on: date | None, today: date) -> list:
    if signed_on is None:
        return [("signed_on", "Date de signature : indiquez la date à laquelle le signataire a signé.")]
    errors = []
    sent_on = timezone.localdate(version.sent_at)
    if signed_on > today:
        errors.append(("signed_on", f"Date de signature : le {french_date(signed_on)} est dans le futur."))
    if signed_on < sent_on:
        errors.append(
            (
                "signed_on",
                f"Date de signature : le {french_date(signed_on)} précède l'envoi de la version pour signature, "
                f"le {french_date(sent_on)}.",
            )
        )
    last = contract.consultations.order_by("-held_on", "-pk").first()
    if last and signed_on < last.held_on:
        errors.append(
            (
                "signed_on",
                f"Date de signature : le {french_date(signed_on)} précède la dernière consultation "
                f"({last.body}, le {french_date(last.held_on)}).",
            )
        )
    previous = version.signatures.order_by("-signed_on").first()
    if previous and signed_on < previous.signed_on:
        errors.append(
            (
                "signed_on",
                f"Date de signature : le {french_date(signed_on)} précède la signature "
                f"{rules.party_name(contract, previous.party_key, of_it=True)} ({french_date(previous.signed_on)}).",
            )
        )
    return errors


def sign(version: ContractVersion, user, data: dict, scan=None, today: date | None = None) -> Signature:
    """Records the signature of the user's party: ``data`` has signatory_name, signatory_title, signed_on and
    signed_hash (the hash typed from the document's footer, or empty when a signed scan is given)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        version, contract = _locked(version)
        key = _party_checks(version, contract, user)
        expected = progress(version).next_key
        if key != expected:
            _refuse(
                f"{_capital(rules.party_name(contract, expected))} doit signer avant "
                f"{rules.party_name(contract, key)} (ordre de signature fixé à l'envoi)."
            )
        errors = []
        name, title = (data.get("signatory_name") or "").strip(), (data.get("signatory_title") or "").strip()
        if not name:
            errors.append(("signatory_name", "Nom du signataire : indiquez qui a signé pour la partie."))
        if not title:
            errors.append(("signatory_title", "Qualité du signataire : indiquez à quel titre il ou elle a signé."))
        errors += _date_errors(version, contract, data.get("signed_on"), today)
        typed = (data.get("signed_hash") or "").strip().lower()
        content = None
        if scan is not None:
            try:
                content = check_pdf(scan, "Exemplaire signé")
            except SigningRefused as refused:
                errors += [("scan", message) for _, message in refused.errors]
        if scan is None and not typed:
            errors.append(
                (
                    "signed_hash",
                    "Déposez l'exemplaire signé (PDF) ou saisissez l'empreinte imprimée en pied de page du document signé.",
                )
            )
        elif typed and typed != version.content_sha256:
            errors.append(("signed_hash", "Empreinte : l'empreinte ne correspond pas à la version envoyée."))
        if errors:
            raise SigningRefused(errors)
        signature = Signature(
            version=version,
            authority_id=None if key == MANAGING_BODY_KEY else int(key.split(":", 1)[1]),
            party_key=key,
            decision=Decision.SIGNED,
            signatory_name=name,
            signatory_title=title,
            signed_on=data["signed_on"],
            # A scan is of the document sent, whose every page prints this hash.
            signed_hash=typed or version.content_sha256,
            recorded_by=user,
            organisation_label=membership_of(user).organisation_label,
            recorded_at=timezone.now(),
        )
        if content is not None:
            _store(signature.scan, content)
            signature.scan_name = scan.name[:255]
            signature.scan_size = len(content)
            signature.scan_sha256 = hashlib.sha256(content).hexdigest()
        signature.save()
        party = rules.party_name(contract, key)
        record(user, contract, f"{version.label} signé par {party}", None, _journal(signature))
        if progress(version).next_key is None:
            _seal(version, contract, user, signature.signed_on, today)
    return signature


def _seal(version: ContractVersion, contract: Contract, user, last_signed_on: date, today: date) -> None:
    effective = version.effective_date or last_signed_on
    ContractVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.SEALED, sealed_at=timezone.now(), effective_date=effective
    )
    version.refresh_from_db()
    record(
        user,
        contract,
        f"{version.label} signé par toutes les parties",
        None,
        {"date d'effet": effective, "empreinte SHA-256 du contenu": version.content_sha256},
    )
    if version.number == 0:
        lifecycle.transition(
            contract,
            State.SIGNED,
            user,
            f"Signé par toutes les parties ; date d'effet le {french_date(effective)}.",
            today,
        )
    for callback in _ON_SEALED:
        callback(version, user)


def refuse(version: ContractVersion, user, reason: str, today: date | None = None) -> Signature:
    """The user's party refuses to sign, with its reason: the version is voided and its signatures no longer count;
    the contract goes back to negotiation."""
    today = today or timezone.localdate()
    with transaction.atomic():
        version, contract = _locked(version)
        key = _party_checks(version, contract, user)
        reason = (reason or "").strip()
        if not reason:
            raise SigningRefused([("reason", "Motif du refus : indiquez pourquoi la partie refuse de signer.")])
        membership = membership_of(user)
        signature = Signature.objects.create(
            version=version,
            authority_id=None if key == MANAGING_BODY_KEY else int(key.split(":", 1)[1]),
            party_key=key,
            decision=Decision.REFUSED,
            signatory_name=user.get_full_name() or user.get_username(),
            signatory_title=membership.organisation_label,
            signed_on=today,
            reason=reason,
            recorded_by=user,
            organisation_label=membership.organisation_label,
            recorded_at=timezone.now(),
        )
        party = rules.party_name(contract, key)
        refusal = f"Refus de signer {rules.party_name(contract, key, of_it=True)} : {reason}"
        ContractVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.VOIDED, voided_at=timezone.now(), void_reason=refusal
        )
        version.refresh_from_db()
        record(user, contract, f"{version.label} : signature refusée par {party}", None, {"motif": reason})
        if version.number == 0:
            lifecycle.transition(contract, State.NEGOTIATION, user, refusal, today)
        for callback in _ON_VOIDED:
            callback(version, user)
    return signature


# --- What the lifecycle and the pages read ---------------------------------------------------------------------------


def sent_version(contract: Contract) -> ContractVersion | None:
    return contract.versions.filter(status=VersionStatus.SENT).first()


def current_version(contract: Contract) -> ContractVersion | None:
    """The version in force: the last sealed one (the contract, or its latest signed amendment)."""
    return contract.versions.filter(status=VersionStatus.SEALED).order_by("-number").first()


def sealed_for_documents(contract: Contract) -> dict | None:
    """The version in force for cpom.documents' command, page and downloads. The contract as signed is served as its
    stored bytes; once an amendment is in force, its stored document is the amendment alone, so the contract is the
    consolidated text rendered from that version's snapshot (the content after the changes), carrying its hash."""
    version = current_version(contract)
    if version is None:
        return None
    snapshot = json.loads(version.snapshot)
    if version.number == 0:
        return {
            "snapshot": snapshot,
            "content_hash": version.content_sha256,
            "consolidation": "",
            "file": lambda extension: bytes(getattr(version, extension)),
        }
    consolidation = rules.consolidation_line(
        list(contract.versions.filter(status=VersionStatus.SEALED).order_by("number"))
    )
    writers = {"pdf": rendering.contract_pdf, "docx": rendering.contract_docx}
    return {
        "snapshot": snapshot,
        "content_hash": version.content_sha256,
        "consolidation": consolidation,
        "file": lambda extension: writers[extension](snapshot, version.content_sha256, consolidation),
    }


def every_party_signed(contract: Contract, today: date) -> list[str]:
    """The lifecycle's check on « En signature » → « Signé »: every party signed the hash of the version sent."""
    version = contract.versions.filter(number=0).exclude(status=VersionStatus.VOIDED).first()
    if version is None:
        return [f"Aucune version du contrat n'a été envoyée pour signature. {SEND_HERE}"]
    signed = set(
        version.signatures.filter(decision=Decision.SIGNED, signed_hash=version.content_sha256).values_list(
            "party_key", flat=True
        )
    )
    missing = [rules.party_name(contract, k) for k in version.signature_order if k not in signed]
    if missing:
        return [
            f"Chaque partie signe sur la page « Versions et signatures » ; il manque la signature de {', '.join(missing)}."
        ]
    return []


def version_sent(contract: Contract, today: date) -> list[str]:
    """The lifecycle's check on « Prêt pour signature » → « En signature »: the version exists before the step."""
    return [] if sent_version(contract) is not None else [SEND_HERE]


def refusal_recorded(contract: Contract, today: date) -> list[str]:
    """The lifecycle's check on « En signature » → « En négociation »: a refusal voids the version first."""
    last = contract.versions.order_by("-sent_at", "-pk").first()
    if last is None or last.status != VersionStatus.VOIDED:
        return ["Le refus de signer s'enregistre sur la page « Versions et signatures », avec son motif."]
    return []


@dataclass(frozen=True)
class HashCheck:
    """« Vérifier une empreinte »: the hash checked, the file it came from (if any), and what of the version it is."""

    digest: str
    name: str
    matches: str  # « au document PDF de la version »… or "" when it matches nothing


def check_hash(version: ContractVersion, digest: str, name: str = "") -> HashCheck:
    digest = digest.strip().lower()
    known = {
        version.content_sha256: "à l'empreinte du contenu, imprimée en pied de page",
        version.pdf_sha256: "au document PDF de la version",
        version.docx_sha256: "au document Word de la version",
    }
    return HashCheck(digest, name, known.get(digest, ""))


@dataclass(frozen=True)
class ContractYear:
    index: int  # 1 for the first twelve months from the start
    count: int
    calendar_year: int


def contract_year(contract: Contract, today: date) -> ContractYear | None:
    """« année 3 sur 5 (2026) »: the contract year ``today`` falls in, counted from the start date; None outside."""
    if not contract.start_date <= today <= contract.end_date:
        return None
    months = (today.year - contract.start_date.year) * 12 + today.month - contract.start_date.month
    if today.day < contract.start_date.day:
        months -= 1
    return ContractYear(months // 12 + 1, contract.duration_years, today.year)
