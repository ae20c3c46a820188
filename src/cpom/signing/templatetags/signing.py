"""The contract page's signature panel: who has signed and who is next while in signature; once signed, the
version in force, its hashes and documents, and the contract year it is in."""

from django import template
from django.utils import timezone

from cpom.contracts.models import SIGNED_STATES, State

from .. import rules, services

register = template.Library()


@register.inclusion_tag("signing/_signature_panel.html", takes_context=True)
def signature_panel(context, contract):
    today = context.get("today") or timezone.localdate()
    sent = services.sent_version(contract) if contract.state == State.IN_SIGNATURE else None
    order = []
    if sent is not None:
        circuit = services.progress(sent)
        signed = {s.party_key: s for s in circuit.signed}
        order = [
            {"name": rules.party_name(contract, k), "signature": signed.get(k), "is_next": k == circuit.next_key}
            for k in sent.signature_order
        ]
    current = services.current_version(contract) if contract.state in SIGNED_STATES else None
    return {
        "contract": contract,
        "sent": sent,
        "order": order,
        "current": current,
        "year": services.contract_year(contract, today),
    }
