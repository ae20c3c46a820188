"""A newcomer on the authority's side, who reads the contracts' history and the portfolio on their first day.

Léa Fontaine joins the ARS on 2 November 2026, after the EHPAD's year-3 review: the ARS's administrator opens her
account (read only) and names her among the ARS's contacts from that day. Her first day is the EHPAD contract's
history (« Historique »): who programmed, consulted, signed and amended it, each as they were then.
"""

from datetime import date

from cpom.access import Role
from cpom.accounts.services import add_member
from cpom.audit.services import record, snapshot
from cpom.demo.clock import fixed_clock, moment
from cpom.registry.models import Contact

FIRST_DAY = date(2026, 11, 2)
NEWCOMER = ("lea", "Léa", "Fontaine", "Chargée de mission contractualisation")


def load_demo_newcomer(context) -> None:
    administrator = context["users"]["ars"]
    username, first, last, role = NEWCOMER
    with fixed_clock(moment(FIRST_DAY, 9)):
        membership = add_member(
            administrator,
            username=username,
            first_name=first,
            last_name=last,
            email="lea.fontaine@exemple.fr",
            role=Role.READ,
            password=None,
        )
        # The demo's password, as the loader set it for every other account.
        membership.user.password = administrator.password
        membership.user.save(update_fields=["password"])
        contact = Contact.objects.create(
            first_name=first,
            last_name=last,
            email="lea.fontaine@exemple.fr",
            role=role,
            authority=context["authorities"]["ars"],
            start_date=FIRST_DAY,
        )
        record(administrator, contact, f"Contact ajouté : {contact}", None, snapshot(contact))
    context["users"][username] = membership.user
