"""Programming a contract and keeping its frame (dates, parties, perimeter) up to date before signature."""

from django.db import transaction
from django.forms.models import model_to_dict

from cpom.accounts.access import membership_of
from cpom.audit.services import record

from .lifecycle import StaleContract
from .models import Contract, ContractParty, State, Transition

FRAME_FIELDS = [
    "reference", "title", "legal_basis", "duration_years", "start_date", "end_date", "target_signature_date",
]


def snapshot(contract: Contract) -> dict:
    data = model_to_dict(contract, fields=FRAME_FIELDS)
    data["establishments"] = sorted(e.finess for e in contract.establishments.all())
    data["parties"] = sorted(str(p) for p in contract.parties.all())
    return data


def _set_parties(contract: Contract, lead, others) -> None:
    contract.parties.all().delete()
    ContractParty.objects.create(contract=contract, authority=lead, is_lead=True)
    for authority in others:
        if authority.pk != lead.pk:
            ContractParty.objects.create(contract=contract, authority=authority)


@transaction.atomic
def program_contract(user, data: dict) -> Contract:
    contract = Contract.objects.create(managing_body=data["managing_body"], **{f: data[f] for f in FRAME_FIELDS})
    contract.establishments.set(data["establishments"])
    _set_parties(contract, data["lead_authority"], data["other_authorities"])
    Transition.objects.create(
        contract=contract, from_state="", to_state=State.PROGRAMMED, user=user,
        organisation_label=membership_of(user).organisation_label, comment="Contrat inscrit à la programmation.",
    )
    record(user, contract, "Programmation du contrat", None, snapshot(contract))
    return contract


@transaction.atomic
def update_contract(contract: Contract, user, data: dict, expected_version: int) -> Contract:
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    if current.version != expected_version:
        raise StaleContract(["Le contrat a été modifié par quelqu'un d'autre pendant que vous le consultiez."])
    before = snapshot(current)
    for field in FRAME_FIELDS:
        setattr(current, field, data[field])
    current.version += 1
    current.save()
    current.establishments.set(data["establishments"])
    _set_parties(current, data["lead_authority"], data["other_authorities"])
    record(user, current, "Modification du cadre du contrat", before, snapshot(current))
    return current
