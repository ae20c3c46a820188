"""The timeline as a PDF (reportlab, through cpom.documents): what a newcomer prints on their first day."""

from django.utils import timezone
from django.utils.formats import date_format

from cpom.documents.layout import Document, Heading, Table, Text
from cpom.documents.pdf import to_pdf

from .services import Filters, kind_labels


def when(event) -> str:
    return date_format(timezone.localtime(event.at), "d/m/Y H:i")


def timeline_pdf(contract, events, filters: Filters, today) -> bytes:
    labels = kind_labels()
    chosen = []
    if filters.kind:
        chosen.append(f"type « {labels.get(filters.kind, filters.kind)} »")
    if filters.party:
        chosen.append(f"partie « {filters.party} »")
    parties = ", ".join(party.authority.name for party in contract.parties.all())
    blocks = [
        Heading(f"Historique du contrat {contract.reference}", 0),
        Text(contract.title),
        Text(contract.managing_body.name, label="Organisme gestionnaire"),
        Text(parties, label="Autorités"),
        Text(
            f"{contract.get_state_display()}, du {contract.start_date:%d/%m/%Y} au {contract.end_date:%d/%m/%Y}",
            label="État",
        ),
        Text(" ; ".join(chosen) if chosen else "tous les événements", label="Filtres"),
        Text(
            "Chaque personne est nommée avec la fonction qu'elle occupait et l'organisation pour laquelle elle agissait "
            "à la date de l'événement.",
        ),
    ]
    if events:
        blocks.append(
            Table(
                ["Date", "Type", "Événement", "Qui", "Organisation"],
                [
                    [
                        when(event),
                        labels.get(event.kind, event.kind),
                        event.label + (f" — {event.detail}" if event.detail else ""),
                        event.person or "Plateforme cpom",
                        event.organisation,
                    ]
                    for event in events
                ],
                (1.3, 1.4, 4.0, 2.2, 2.0),
            )
        )
    else:
        blocks.append(Text("Aucun événement."))
    footer = f"Historique du contrat {contract.reference}, édité le {date_format(today, 'SHORT_DATE_FORMAT')}"
    return to_pdf(Document(title=f"Historique du contrat {contract.reference}", footer=footer, blocks=blocks))
