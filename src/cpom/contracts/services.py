"""Programming a contract and keeping its frame (dates, parties, perimeter) up to date before signature; the managing
body's answer to a co-signatory outside its competence."""

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from cpom.access import membership_of
from cpom.audit.services import record

from .lifecycle import StaleContract
from .models import Contract, ContractParty, State, Transition
from .parties import PartiesRefused, set_parties
from .rules import can_answer_party_request

FRAME_FIELDS = [
    "reference",
    "title",
    "legal_basis",
    "duration_years",
    "start_date",
    "end_date",
    "target_signature_date",
]


def party_label(party: ContractParty) -> str:
    waiting = "" if party.is_admitted else " (en attente de l'acceptation de l'organisme gestionnaire)"
    return f"{party}{waiting}"


def snapshot(contract: Contract) -> dict:
    data = model_to_dict(contract, fields=FRAME_FIELDS)
    data["establishments"] = sorted(e.finess for e in contract.establishments.all())
    data["parties"] = sorted(party_label(p) for p in contract.parties.all())
    return data


@transaction.atomic
def program_contract(user, data: dict, comment: str = "Contrat inscrit à la programmation.") -> Contract:
    """``data``: the frame fields, managing_body, establishments, lead_authority and co_signatories; ``comment`` goes
    on the first line of the contract's history."""
    contract = Contract.objects.create(managing_body=data["managing_body"], **{f: data[f] for f in FRAME_FIELDS})
    contract.establishments.set(data["establishments"])
    set_parties(contract, user, data["lead_authority"], data["co_signatories"])
    Transition.objects.create(
        contract=contract,
        from_state="",
        to_state=State.PROGRAMMED,
        user=user,
        organisation_label=membership_of(user).organisation_label,
        comment=comment,
        at=timezone.now(),  # read when the step is taken, like the journal's time (the demo fixes the clock)
    )
    record(user, contract, "Programmation du contrat", None, snapshot(contract))
    return contract


@transaction.atomic
def update_contract(contract: Contract, user, data: dict, expected_version: int) -> Contract:
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    if current.version != expected_version:
        raise StaleContract
    before = snapshot(current)
    for field in FRAME_FIELDS:
        setattr(current, field, data[field])
    current.version += 1
    current.save()
    current.establishments.set(data["establishments"])
    set_parties(current, user, data["lead_authority"], data["co_signatories"])
    record(user, current, "Modification du cadre du contrat", before, snapshot(current))
    return current


def _awaiting_answer(contract: Contract, party_id: int, user) -> tuple[Contract, ContractParty]:
    """The contract (locked) and the party waiting for the managing body's answer; refused with the reason."""
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    if not can_answer_party_request(user, current):
        raise PartiesRefused(
            [
                "Seul l'organisme gestionnaire du contrat (rôle validation et signature) accepte ou refuse "
                "un cosignataire."
            ]
        )
    if current.is_frozen:
        raise PartiesRefused(
            [f"Le contrat est à l'état « {current.get_state_display()} » : ses parties ne changent plus."]
        )
    party = current.parties.awaiting_acceptance().select_related("authority").filter(pk=party_id).first()
    if party is None:
        raise PartiesRefused(["Cette autorité n'attend pas l'acceptation de l'organisme gestionnaire."])
    return current, party


@transaction.atomic
def accept_party(contract: Contract, party_id: int, user) -> ContractParty:
    """The managing body accepts a co-signatory outside its competence: from now on it takes part."""
    current, party = _awaiting_answer(contract, party_id, user)
    before = snapshot(current)
    party.accepted_at, party.accepted_by = timezone.now(), user
    party.save(update_fields=["accepted_at", "accepted_by"])
    # The parties are part of the frame: a frame form opened before the answer must not overwrite it.
    current.bump_version()
    record(user, current, f"Acceptation de {party.authority} comme cosignataire du contrat", before, snapshot(current))
    return party


@transaction.atomic
def decline_party(contract: Contract, party_id: int, user) -> ContractParty:
    """The managing body declines a co-signatory outside its competence: it is no longer a party."""
    current, party = _awaiting_answer(contract, party_id, user)
    before = snapshot(current)
    party.delete()
    # The parties are part of the frame: a frame form opened before the answer must not overwrite it.
    current.bump_version()
    record(user, current, f"Refus de {party.authority} comme cosignataire du contrat", before, snapshot(current))
    return party
