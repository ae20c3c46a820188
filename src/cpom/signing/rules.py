"""Who records the consultations, who signs for which party, and in which order the parties sign.

The signature order follows the sources (seed-contract-followup §2.2): the managing body first, then the co-signing
council(s), the lead authority last. The sources are silent on a council signing before or after the ARS, so the
order is a setting, ``CPOM_SIGNATURE_ORDER``: the three groups « managing_body », « co_signatories », « lead » in the
order they sign. It is fixed on each version when it is sent, so changing the setting never reorders a circuit
under way.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cpom.access import Role, Side, membership_of
from cpom.contracts.models import OPEN_STATES, Contract, State
from cpom.core.formatting import french_date
from cpom.core.text import of, the

from .models import MANAGING_BODY_KEY, ConsultationKind, party_key

ORDER_GROUPS = ("managing_body", "co_signatories", "lead")
# The managing body's own bodies; any party records the assurance maladie's opinion or another consultation (the
# health insurance's opinion reaches the lead authority as often as the managing body).
MANAGING_BODY_KINDS = {ConsultationKind.CVS, ConsultationKind.STAFF, ConsultationKind.BOARD}
# Consultations are recorded on the content the parties will sign: once sent, the database freezes them.
CONSULTATION_STATES = OPEN_STATES | {State.READY_FOR_SIGNATURE}


def order_groups() -> tuple[str, ...]:
    groups = tuple(settings.CPOM_SIGNATURE_ORDER)
    if sorted(groups) != sorted(ORDER_GROUPS):
        raise ImproperlyConfigured(
            "CPOM_SIGNATURE_ORDER doit nommer une fois chacun de « managing_body », « co_signatories » et « lead », "
            f"dans l'ordre où ils signent ; trouvé {list(groups)}."
        )
    return groups


def signature_order(contract: Contract) -> list[str]:
    """The parties' keys in the order they sign this contract today (admitted parties only)."""
    parties = [p for p in contract.parties.all() if p.is_admitted]
    by_group = {
        "managing_body": [MANAGING_BODY_KEY],
        "co_signatories": [party_key(p.authority) for p in parties if not p.is_lead],
        "lead": [party_key(p.authority) for p in parties if p.is_lead],
    }
    return [key for group in order_groups() for key in by_group[group]]


def party_name(contract: Contract, key: str, of_it: bool = False) -> str:
    """« l'organisme gestionnaire EHPAD public Les Tilleuls », « l'ARS Pays de la Loire »; with ``of_it``, « de
    l'organisme gestionnaire… », « du Conseil départemental… »."""
    if key == MANAGING_BODY_KEY:
        return f"{'de ' if of_it else ''}l'organisme gestionnaire {contract.managing_body.name}"
    authority_id = int(key.split(":", 1)[1])
    party = next((p for p in contract.parties.all() if p.authority_id == authority_id), None)
    if party is None:
        return f"{'d' if of_it else ''}une autorité qui n'est plus partie au contrat"
    return (of if of_it else the)(party.authority.name)


def party_of(user, contract: Contract) -> str | None:
    """The key of the party ``user`` speaks for on ``contract``, None when it is none (the platform neither)."""
    membership = membership_of(user)
    if membership is None or membership.side == Side.PLATFORM:
        return None
    if membership.side == Side.MANAGING_BODY:
        return MANAGING_BODY_KEY if membership.managing_body_id == contract.managing_body_id else None
    party = next(
        (p for p in contract.parties.all() if p.authority_id == membership.authority_id and p.is_admitted), None
    )
    return party_key(party.authority) if party else None


def _not_a_party(user) -> str:
    membership = membership_of(user)
    if membership is not None and membership.side == Side.PLATFORM:
        return "L'équipe de la plateforme n'agit au nom d'aucune partie : seules les parties au contrat le font."
    return "Seules les parties au contrat peuvent effectuer cette action."


def consultation_refusal(user, contract: Contract, kind: str | None = None) -> str | None:
    """Why ``user`` may not record a consultation (of ``kind``, when given) on ``contract``; None when they may."""
    key = party_of(user, contract)
    if key is None:
        return _not_a_party(user)
    if not membership_of(user).has_role(Role.CONTRIBUTE):
        return f"Enregistrer une consultation demande le rôle « {Role.CONTRIBUTE.label} »."
    if kind in MANAGING_BODY_KINDS and key != MANAGING_BODY_KEY:
        return (
            f"« {ConsultationKind(kind).label} » : c'est l'organisme gestionnaire qui enregistre les consultations "
            "de ses instances."
        )
    if contract.state not in CONSULTATION_STATES:
        return (
            f"Le contrat est à l'état « {contract.get_state_display()} » : les consultations s'enregistrent avant "
            "l'envoi de la version finale pour signature."
        )
    return None


def may_record_consultations(user, contract: Contract) -> bool:
    return consultation_refusal(user, contract) is None


def signing_refusal(user, contract: Contract) -> str | None:
    """Why ``user`` may not sign (or refuse to sign) for a party of ``contract``; None when they may."""
    if party_of(user, contract) is None:
        return _not_a_party(user)
    if not membership_of(user).has_role(Role.VALIDATE):
        return f"Signer au nom d'une partie demande le rôle « {Role.VALIDATE.label} »."
    return None


def consolidation_line(sealed) -> str:
    """What the consolidated contract says of itself: the signed versions it brings together, oldest first. Only
    those signed documents are binding; the consolidated text is for reading the contract as it stands."""
    contract, *amendments = sealed
    signed = f"Version consolidée : contrat signé le {french_date(timezone.localdate(contract.sealed_at))}"
    changes = ", ".join(
        f"l'avenant n° {v.number} (en vigueur le {french_date(v.effective_date or timezone.localdate(v.sealed_at))})"
        for v in amendments
    )
    return (
        f"{signed}, modifié par {changes}. Seuls les documents signés font foi : "
        "ils se téléchargent sur la page « Versions et signatures »."
    )
