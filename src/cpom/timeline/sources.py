"""The history of a contract as the lower stages record it, for :mod:`cpom.history_sources`.

Each source reads one kind of record of one contract in one query (its people joined), and says who acted as they
were that day (:mod:`cpom.timeline.people`). The stages keep their own records for the transitions, the consultations,
the versions and their signatures, the amendments, prorogations and terminations, the campaigns and their signed
conclusions, the sealed documents and the imports of figures; the audit log (:mod:`cpom.audit`) says the rest: a
follow-up grid imported from a workbook, an alert taken into account.
"""

from datetime import datetime, time

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cpom.amendments.models import Amendment, AmendmentStatus, Prorogation, Termination
from cpom.audit.models import AuditEntry
from cpom.contracts.models import Transition
from cpom.followup.models import Campaign, ConclusionSignature, SealedDocument
from cpom.history_sources import Event, Kind
from cpom.indicators.models import DataValue, ImportBatch
from cpom.signing.models import Consultation, ContractVersion, Decision, Signature

from .people import people_for, related

TRANSITION = "transition"
CONSULTATION = "consultation"
SIGNATURE = "signature"
AMENDMENT = "amendment"
CAMPAIGN = "campaign"
DOCUMENT = "document"
IMPORT = "import"
ALERT = "alert"

KINDS = (
    Kind(TRANSITION, "Changements d'état du contrat"),
    Kind(CONSULTATION, "Consultations avant signature"),
    Kind(SIGNATURE, "Signatures"),
    Kind(AMENDMENT, "Avenants, prorogations et dénonciation"),
    Kind(CAMPAIGN, "Suivi annuel"),
    Kind(DOCUMENT, "Documents envoyés ou scellés"),
    Kind(IMPORT, "Imports de données"),
    Kind(ALERT, "Alertes prises en compte"),
)


def _day(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _noon(day) -> datetime:
    """A fact known by its day only (a consultation held that day), placed at noon of that day."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _url(name: str, contract, **kwargs) -> str:
    return reverse(name, kwargs={"contract_id": contract.pk, **kwargs})


def transitions(contract) -> list[Event]:
    people = people_for(contract)
    events = []
    for step in Transition.objects.filter(contract=contract).select_related(*related("user")):
        person, organisation = people.who(step.user, step.at, step.organisation_label)
        label = (
            f"{step.get_from_state_display()} → {step.get_to_state_display()}"
            if step.from_state
            else f"Contrat {step.get_to_state_display().lower()}"
        )
        events.append(
            Event(step.at, TRANSITION, label, person, organisation, contract.get_absolute_url(), step.comment)
        )
    return events


def consultations(contract) -> list[Event]:
    people = people_for(contract)
    url = _url("signing:consultations", contract)
    return [
        Event(
            consultation.recorded_at,
            CONSULTATION,
            f"{consultation.get_kind_display()} ({consultation.body}) du {_day(consultation.held_on)} : "
            f"{consultation.get_outcome_display().lower()}",
            *people.who(consultation.recorded_by, consultation.recorded_at, consultation.organisation_label),
            url,
            consultation.comment,
        )
        for consultation in Consultation.objects.filter(contract=contract).select_related(*related("recorded_by"))
    ]


def versions(contract) -> list[Event]:
    """Each version sent (a document sent to every party), sealed or voided."""
    people = people_for(contract)
    url = _url("signing:versions", contract)
    events = []
    for version in ContractVersion.objects.filter(contract=contract).select_related(*related("sent_by")):
        person, organisation = people.who(version.sent_by, version.sent_at, version.organisation_label)
        events.append(
            Event(
                version.sent_at,
                DOCUMENT,
                f"{version.label} envoyé pour signature (PDF et Word)",
                person,
                organisation,
                url,
                f"Empreinte SHA-256 : {version.content_sha256}",
            )
        )
        if version.sealed_at:
            events.append(
                Event(
                    version.sealed_at,
                    SIGNATURE,
                    f"{version.label} signé par toutes les parties, effet au {_day(version.effective_date)}",
                    url=url,
                )
            )
        if version.voided_at:
            events.append(
                Event(version.voided_at, SIGNATURE, f"{version.label} annulé", url=url, detail=version.void_reason)
            )
    return events


def signatures(contract) -> list[Event]:
    """Who signed, as the signature names them (the signatory and their title), for which party."""
    people = people_for(contract)
    url = _url("signing:versions", contract)
    events = []
    rows = Signature.objects.filter(version__contract=contract).select_related(
        "version", "authority", *related("recorded_by")
    )
    for signature in rows:
        party = signature.authority.name if signature.authority_id else contract.managing_body.name
        recorder, _ = people.who(signature.recorded_by, signature.recorded_at, signature.organisation_label)
        signed = signature.decision == Decision.SIGNED
        events.append(
            Event(
                signature.recorded_at,
                SIGNATURE,
                f"{signature.version.label} "
                + (f"signé le {_day(signature.signed_on)}" if signed else f"refusé le {_day(signature.signed_on)}"),
                f"{signature.signatory_name}, {signature.signatory_title}",
                party,
                url,
                (f"Enregistrée par {recorder}" if recorder else "")
                + ("" if signed else f" — motif : {signature.reason}"),
            )
        )
    return events


def amendments(contract) -> list[Event]:
    people = people_for(contract)
    events = []
    detail = reverse("amendments:detail", kwargs={"contract_id": contract.pk, "number": 999999999})
    for amendment in Amendment.objects.filter(contract=contract).select_related(*related("created_by")):
        url = detail.replace("999999999", str(amendment.number))
        person, organisation = people.who(amendment.created_by, amendment.created_at, amendment.organisation_label)
        events.append(
            Event(
                amendment.created_at,
                AMENDMENT,
                f"Avenant n° {amendment.number} en préparation : {amendment.get_trigger_display().lower()}",
                person,
                organisation,
                url,
                amendment.summary,
            )
        )
        if amendment.status == AmendmentStatus.APPLIED and amendment.applied_at:
            effective = f", effet au {_day(amendment.effective_date)}" if amendment.effective_date else ""
            events.append(
                Event(
                    amendment.applied_at,
                    AMENDMENT,
                    f"Avenant n° {amendment.number} appliqué au contrat{effective}",
                    url=url,
                )
            )
    for prorogation in Prorogation.objects.filter(contract=contract).select_related(*related("recorded_by")):
        events.append(
            Event(
                prorogation.recorded_at,
                AMENDMENT,
                f"Prorogation jusqu'au {_day(prorogation.new_end_date)} (décision du {_day(prorogation.decided_on)})",
                *people.who(prorogation.recorded_by, prorogation.recorded_at, prorogation.organisation_label),
                _url("amendments:prorogation", contract),
                prorogation.decision,
            )
        )
    for termination in Termination.objects.filter(contract=contract).select_related(*related("recorded_by")):
        events.append(
            Event(
                termination.recorded_at,
                AMENDMENT,
                f"Dénonciation par {termination.initiator} : {termination.get_ground_display().lower()}, "
                f"fin du préavis le {_day(termination.ends_on)}",
                *people.who(termination.recorded_by, termination.recorded_at, termination.organisation_label),
                _url("amendments:termination", contract),
                termination.explanation,
            )
        )
    return events


def campaigns(contract) -> list[Event]:
    """Each campaign opened, its report sent by the managing body, its conclusions signed, its closing."""
    people = people_for(contract)
    events = []
    rows = Campaign.objects.filter(contract=contract).select_related(*related("opened_by"), *related("submitted_by"))
    for campaign in rows:
        url = campaign.get_absolute_url()
        if campaign.opened_on:
            deadline = f", bilan attendu le {_day(campaign.report_deadline)}" if campaign.report_deadline else ""
            events.append(
                Event(
                    _noon(campaign.opened_on),
                    CAMPAIGN,
                    f"Campagne de suivi {campaign.year} ouverte (exercice {campaign.reviewed_year}){deadline}",
                    *people.who(campaign.opened_by, campaign.opened_on),
                    url,
                )
            )
        if campaign.submitted_at:
            events.append(
                Event(
                    campaign.submitted_at,
                    DOCUMENT,
                    f"Campagne {campaign.year} : bilan et grille transmis par l'organisme gestionnaire",
                    *people.who(campaign.submitted_by, campaign.submitted_at),
                    url,
                )
            )
        if campaign.closed_at:
            events.append(
                Event(
                    campaign.closed_at,
                    CAMPAIGN,
                    f"Campagne {campaign.year} close : conclusions signées par toutes les parties",
                    url=url,
                )
            )
    signed = ConclusionSignature.objects.filter(campaign__contract=contract).select_related(
        "campaign", *related("recorded_by")
    )
    for signature in signed:
        recorder, organisation = people.who(signature.recorded_by, signature.recorded_at, signature.organisation_label)
        events.append(
            Event(
                signature.recorded_at,
                SIGNATURE,
                f"Conclusions de la campagne {signature.campaign.year} signées le {_day(signature.signed_on)}",
                f"{signature.signatory_name}, {signature.signatory_title}",
                organisation,
                signature.campaign.get_absolute_url(),
                f"Enregistrée par {recorder}" if recorder else "",
            )
        )
    return events


def sealed_documents(contract) -> list[Event]:
    rows = SealedDocument.objects.filter(campaign__contract=contract).select_related("campaign").defer("content")
    return [
        Event(
            document.campaign.closed_at or _noon(document.campaign.opened_on),
            DOCUMENT,
            f"{document.label} de la campagne {document.campaign.year} scellé",
            url=document.campaign.get_absolute_url(),
            detail=f"{document.file_name} — SHA-256 {document.sha256}",
        )
        for document in rows
        if document.campaign.closed_at or document.campaign.opened_on
    ]


def imports(contract) -> list[Event]:
    """The files of figures imported for the perimeter's establishments or the managing body (accounts, activity,
    indicators)."""
    people = people_for(contract)
    used = DataValue.objects.filter(
        Q(establishment__in=contract.establishments.all()) | Q(managing_body_id=contract.managing_body_id)
    ).values("batch_id")
    batches = ImportBatch.objects.filter(pk__in=used).select_related(*related("user")).order_by("at")
    return [
        Event(
            batch.at,
            IMPORT,
            f"Import du fichier {batch.file_name} ({batch.kind}, {batch.rows} ligne{'s' if batch.rows > 1 else ''})",
            *people.who(batch.user, batch.at),
        )
        for batch in batches
    ]


def audited(contract) -> list[Event]:
    people = people_for(contract)
    entries = AuditEntry.objects.filter(object_type="contracts.contract", object_id=str(contract.pk)).select_related(
        *related("user")
    )
    alerts_url = _url("alerts:contract", contract)
    events = []
    for entry in entries.filter(action__startswith="Alerte prise en compte"):
        events.append(
            Event(
                entry.at,
                ALERT,
                entry.action,
                *people.who(entry.user, entry.at, entry.organisation_label),
                alerts_url,
                str((entry.after or {}).get("prise en compte") or ""),
            )
        )
    for entry in entries.filter(action__contains="grille importée"):
        events.append(
            Event(
                entry.at,
                IMPORT,
                entry.action,
                *people.who(entry.user, entry.at, entry.organisation_label),
                _url("followup:list", contract),
            )
        )
    return events


SOURCES = (transitions, consultations, versions, signatures, amendments, campaigns, sealed_documents, imports, audited)


def register() -> None:
    from cpom import history_sources

    history_sources.register(SOURCES[0], *KINDS)
    for source in SOURCES[1:]:
        history_sources.register(source)
