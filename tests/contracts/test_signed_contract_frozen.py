"""The database itself refuses to alter a signed contract's frame, perimeter or parties."""

import pytest
from django.db import DatabaseError, transaction

from cpom.contracts.models import Contract, ContractParty, State
from cpom.registry.models import Authority, Establishment

FROZEN = "Contrat signé : son cadre, son périmètre et ses parties sont figés"


def _refused(action):
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    assert FROZEN in str(error.value)


def test_frame_of_a_signed_contract_cannot_change(ehpad_contract):
    _refused(lambda: Contract.objects.filter(pk=ehpad_contract.pk).update(title="Réécrit après signature"))
    _refused(lambda: Contract.objects.filter(pk=ehpad_contract.pk).update(end_date="2030-12-31"))
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.title == "CPOM tripartite de l'EHPAD Les Tilleuls"


def test_perimeter_and_parties_of_a_signed_contract_cannot_change(ehpad_contract):
    mas = Establishment.objects.get(name="MAS Les Hauts de Sèvre")
    _refused(lambda: ehpad_contract.establishments.add(mas))
    _refused(lambda: ehpad_contract.establishments.clear())
    _refused(lambda: ehpad_contract.parties.filter(is_lead=False).delete())
    cd44 = Authority.objects.get(kind="CD", territory="44")
    _refused(lambda: ContractParty.objects.create(contract=ehpad_contract, authority=cd44))
    _refused(lambda: ehpad_contract.delete())
    assert ehpad_contract.establishments.count() == 2 and ehpad_contract.parties.count() == 2


def test_the_state_of_a_signed_contract_still_moves(ehpad_contract):
    Contract.objects.filter(pk=ehpad_contract.pk).update(state=State.RENEWAL)
    ehpad_contract.refresh_from_db()
    assert ehpad_contract.state == State.RENEWAL


def test_an_unsigned_contract_remains_editable(association_contract):
    Contract.objects.filter(pk=association_contract.pk).update(title="Nouveau titre")
    association_contract.establishments.clear()
    assert association_contract.establishments.count() == 0
