"""The framing letter (lettre de cadrage) of the lead authority and the managing body's reply, written in Word from
the contract's data: its parties, its perimeter, the year's priority themes (the authority's note de cadrage), the
backward schedule, the steering committee and the referents.

The sources: « Identifier les intentions et les contraintes de chacun par la formalisation d'un courrier réciproque
ATC / gestionnaires. Ce courrier prend parfois la forme d'une lettre de cadrage adressée par l'ARS / CD. La mise en
place concomitante d'une lettre du gestionnaire permet alors de partager les intentions et les inquiétudes
éventuelles de chacune des parties prenantes » (seed 003 L1349-1356). Their fields are SILENT: these are ours.
"""

import hashlib
import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from cpom.audit.services import record
from cpom.core.formatting import french_date
from cpom.core.text import of, the, to
from cpom.documents.layout import Bullet, Document, Heading, Signature, Table, Text
from cpom.documents.word import to_docx
from cpom.followup.models import FramingNote

from . import services
from .models import MANAGING_BODY_KEY, LaunchKit, LetterIssue, LetterKind
from .schedule import ACTOR_LABELS

ASK_BY_THE_BODY = "À compléter par l'organisme gestionnaire."


def _themes(contract, lead) -> tuple[int, list[str]]:
    """The priority themes of the lead authority's note de cadrage for the year of the launch (or the target's)."""
    years = [timezone.localdate().year]
    if contract.target_signature_date:
        years.append(contract.target_signature_date.year)
    note = FramingNote.objects.filter(authority=lead, year__in=years).order_by("-year").first() if lead else None
    return (note.year, note.theme_list) if note else (years[0], [])


def _parties_table(contract) -> Table:
    rows = [[contract.managing_body.name, "Organisme gestionnaire"]]
    for party in contract.parties.all():
        if party.is_admitted:
            rows.append([party.authority.name, "Autorité cheffe de file" if party.is_lead else "Autorité cosignataire"])
    return Table(["Partie", "Rôle"], rows, (3, 2))


def _perimeter(contract) -> list:
    rows = [
        [e.finess, e.name, e.category, str(e.authorised_places), e.get_department_display()]
        for e in contract.establishments.order_by("finess")
    ]
    if not rows:
        return [Text("Le périmètre reste à arrêter lors de la réunion de lancement.")]
    return [
        Table(
            ["FINESS", "Établissement ou service", "Catégorie", "Places autorisées", "Département"],
            rows,
            (1.3, 3, 1, 1, 1.5),
        )
    ]


def _schedule(kit: LaunchKit) -> list:
    plan = services.schedule_of(kit)
    if plan.target is None:
        return [Text("La date de signature visée reste à fixer : le rétroplanning sera établi à partir d'elle.")]
    rows = [
        [row.planned.step.title, ACTOR_LABELS[row.planned.step.actor], french_date(row.planned.end), row.status_label]
        for row in plan.progress
    ]
    return [
        Text(f"Signature visée le {french_date(plan.target)}. Rétroplanning établi à rebours de cette date :"),
        Table(["Étape", "Qui", "Échéance prévue", "Avancement"], rows, (4, 1.5, 1.2, 1.2)),
    ]


def _committee(kit: LaunchKit) -> list:
    members = list(kit.members.all())
    if not members:
        return [Text("La composition du comité de pilotage reste à arrêter.")]
    rows = [[m.name, m.role_label, m.organisation_label, "Oui" if m.is_referent else ""] for m in members]
    blocks = [
        Text(
            "Le comité de pilotage est composé de membres issus de chacune des parties signataires ; il suit la "
            "démarche jusqu'à la signature."
        ),
        Table(["Membre", "Fonction", "Partie", "Référent"], rows, (2, 2, 2.5, 0.8)),
    ]
    for referent in services.referents(kit):
        blocks.append(Bullet(f"Référent {of(referent.organisation_label)} : {referent.name}", referent.role_label))
    return blocks


def framing_letter(kit: LaunchKit) -> Document:
    contract = kit.contract
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    lead_name = lead.name if lead else "L'autorité cheffe de file"
    body = contract.managing_body
    year, themes = _themes(contract, lead)
    blocks = [
        Heading(f"Lettre de cadrage – {contract.reference}", 0),
        Text(lead_name, "Expéditeur"),
        Text(f"{body.name}{', ' + body.city if body.city else ''}", "Destinataire"),
        Text(f"Lancement de la démarche de contractualisation : {contract.title}", "Objet"),
        Text(f"Le {french_date(timezone.localdate())}"),
        Text(
            f"{the(lead_name)[0].upper() + the(lead_name)[1:]} engage avec {the(body.name)} la négociation d'un contrat "
            f"pluriannuel d'objectifs et de moyens d'une durée de {contract.duration_years} ans, à compter du "
            f"{french_date(contract.start_date)}. Cette lettre en fixe le cadre : les parties, le périmètre, les "
            "priorités, le calendrier et l'organisation du pilotage. Nous vous invitons à nous faire part en retour, "
            "par une lettre de votre part, de vos intentions et de vos éventuelles inquiétudes."
        ),
        Heading("Les parties au contrat", 1),
        _parties_table(contract),
        Heading("Le périmètre", 1),
        *_perimeter(contract),
        Heading(f"Les priorités de l'année {year}", 1),
        *(
            [Bullet(theme) for theme in themes]
            if themes
            else [Text("Les priorités de l'année seront précisées par la note de cadrage de l'autorité.")]
        ),
        Heading("Le calendrier", 1),
        *_schedule(kit),
        Heading("Le pilotage de la démarche", 1),
        *_committee(kit),
        Signature(f"Pour {the(lead_name)}", (lead_name, "Le directeur général ou son représentant")),
    ]
    return Document(
        f"Lettre de cadrage – {contract.reference}",
        f"Lettre de cadrage – {contract.reference}",
        blocks,
        page_total=True,
    )


def reply_letter(kit: LaunchKit) -> Document:
    contract = kit.contract
    lead = next((p.authority for p in contract.parties.all() if p.is_lead), None)
    lead_name = lead.name if lead else "l'autorité cheffe de file"
    body = contract.managing_body
    team = [m for m in kit.members.all() if m.party_key == MANAGING_BODY_KEY]
    blocks = [
        Heading(f"Lettre de l'organisme gestionnaire – {contract.reference}", 0),
        Text(body.name, "Expéditeur"),
        Text(lead_name, "Destinataire"),
        Text(f"Réponse à la lettre de cadrage : {contract.title}", "Objet"),
        Text(f"Le {french_date(timezone.localdate())}"),
        Text(
            f"{the(body.name)[0].upper() + the(body.name)[1:]} accuse réception de la lettre de cadrage adressée "
            f"par {the(lead_name)} et s'engage dans la démarche de contractualisation. Cette lettre partage nos "
            "intentions et nos points d'attention, pour que chacune des parties connaisse les attentes de l'autre."
        ),
        Heading("Le périmètre proposé", 1),
        *_perimeter(contract),
        Heading("Notre équipe projet", 1),
        *(
            [
                Table(
                    ["Membre", "Fonction", "Référent"],
                    [[m.name, m.role_label, "Oui" if m.is_referent else ""] for m in team],
                    (2.5, 3, 1),
                )
            ]
            if team
            else [Text("L'équipe projet de l'organisme gestionnaire reste à désigner.")]
        ),
        Heading("Nos intentions", 1),
        Text(ASK_BY_THE_BODY),
        Heading("Nos points d'attention et nos inquiétudes", 1),
        Text(ASK_BY_THE_BODY),
        Heading("Le calendrier proposé", 1),
        *_schedule(kit),
        Signature(f"Pour {the(body.name)}", (body.name, "Le président ou son représentant")),
    ]
    return Document(
        f"Lettre de l'organisme gestionnaire – {contract.reference}",
        f"Réponse {to(lead_name)} – {contract.reference}",
        blocks,
        page_total=True,
    )


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()


WRITERS = {LetterKind.FRAMING: framing_letter, LetterKind.REPLY: reply_letter}
FILE_NAMES = {LetterKind.FRAMING: "lettre-de-cadrage", LetterKind.REPLY: "lettre-reponse"}


def generate(user, kit: LaunchKit, kind: str) -> tuple[str, bytes]:
    """The letter as a Word file, its generation kept (who, when, fingerprint) and audited."""
    if kind not in WRITERS:
        raise services.LaunchRefused("Lettre : choisissez la lettre de cadrage ou la lettre en réponse.")
    content = to_docx(WRITERS[kind](kit))
    name = f"{FILE_NAMES[kind]}-{_slug(kit.contract.reference)}.docx"
    with transaction.atomic():
        issue = LetterIssue.objects.create(
            kit=kit,
            kind=kind,
            issued_by=user,
            organisation_label=services._organisation(user),
            file_name=name,
            sha256=hashlib.sha256(content).hexdigest(),
            issued_at=timezone.now(),
        )
        record(
            user,
            kit.contract,
            f"{issue.get_kind_display()} générée",
            None,
            {"fichier": name, "empreinte SHA-256": issue.sha256},
        )
    return name, content
