"""The association's launch kit: committee, referents, RACI, check-list and a backward schedule two steps late.

Played through the real services at its own dates. The kit was opened at the launch meeting in Nantes (19 January
2026): the committee gathers the association's general director and financial director, the ARS's contracting
officer and its director of the medico-social offer (a contact the ARS adds to the registry that day), and the
department's pricing officer, each party's referent named; the default RACI is adapted (the ARS's director, not its
referent, answers for the ARS's signature); six of the eleven points of the check-list were covered that day. The
objective sheets were sent late, on 30 September. On the demo's day of reference, :data:`AS_OF`, the schedule
counted back from the target signature (15 December 2026) has two steps late: the meeting that validates the
objectives (due 25 September) and the final document for signature (due 10 October).
"""

from datetime import date

from cpom.demo.clock import fixed_clock, moment
from cpom.launch import services
from cpom.registry.forms import ContactForm
from cpom.registry.models import Contact
from cpom.registry.services import save_record

LAUNCH_MEETING = date(2026, 1, 19)
AS_OF = date(2026, 10, 20)
LATE_STEPS = ("objectives_meeting", "final_document")

# (first name, last name, referent of their party)
MEMBERS = [
    ("Claire", "Martin", True),
    ("Isabelle", "Roux", False),
    ("Nadia", "Benali", True),
    ("Marc", "Lebrun", False),
    ("Julien", "Moreau", True),
]
TICKED = {
    "perimeter": "Les sept établissements et services de Loire-Atlantique ; le foyer de vie et le SAVS avec le département.",
    "method": "Démarche ANAP en trois temps : diagnostic partagé, négociation, signature.",
    "attendees": "La directrice générale et la DAF pour l'association ; l'ARS et le département décident en séance.",
    "actors": "Interlocuteurs nommés au comité de pilotage.",
    "calendar": "Quatre comités de pilotage d'ici l'automne, compte rendu adressé sous huit jours.",
    "committees": "Comité de pilotage installé, un référent par partie.",
}


def load_demo_launch(contract, context) -> None:
    users = context["users"]
    ars, asso = users["ars"], users["asso"]
    with fixed_clock(moment(LAUNCH_MEETING, 9)):
        form = ContactForm(
            {
                "first_name": "Marc",
                "last_name": "Lebrun",
                "role": "Directeur de l'offre médico-sociale",
                "email": "marc.lebrun@exemple.fr",
                "start_date": "2020-09-01",
            }
        )
        assert form.is_valid(), form.errors
        save_record(ars, form, authority=context["authorities"]["ars"])
    with fixed_clock(moment(LAUNCH_MEETING, 11)):
        kit = services.create_kit(ars, contract)
        for first, last, referent in MEMBERS:
            contact = Contact.objects.get(first_name=first, last_name=last)
            services.add_member(ars, kit, kit.version, f"contact:{contact.pk}", referent)
        services.apply_default_matrix(ars, kit, kit.version)
        # The parties adapt the default: the ARS's director answers for its signature, its referent prepares it.
        matrix = services.matrix_of(kit)
        benali = kit.members.get(name="Nadia Benali").pk
        lebrun = kit.members.get(name="Marc Lebrun").pk
        matrix["lead_signature"][lebrun], matrix["lead_signature"][benali] = "A", "R"
        services.save_matrix(ars, kit, kit.version, matrix)
    with fixed_clock(moment(LAUNCH_MEETING, 15)):
        for item in kit.checklist.filter(code__in=TICKED):
            services.tick(ars, item, item.version, True, TICKED[item.code])
    with fixed_clock(moment(date(2026, 9, 30))):
        services.mark_step_done(
            asso, kit, "objective_sheets", date(2026, 9, 30), "Fiches envoyées après le comité de pilotage du 14/09."
        )
