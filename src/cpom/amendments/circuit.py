"""Every call the life of the contract makes to the signature circuit (cpom.signing) and to the contract's document
(cpom.documents.contract), in this one module.

- :func:`contract_snapshot`, :func:`canonical_json`, :func:`content_hash` are the contract document's: the snapshot
  is read from a fresh copy of the contract, since an amendment's application has just written its rows;
- :func:`send_version` stores the amendment's version n through the circuit, in the signature order the circuit
  fixes; each party then signs it on the circuit's page (« Versions et signatures »), in that order;
- :func:`connect` registers :func:`cpom.amendments.services.apply_signed` on the circuit's ``on_sealed`` hook (it
  runs in the transaction that seals the version) and :func:`cpom.amendments.services.return_to_draft` on its
  ``on_voided`` one (a party refused to sign).
"""

from cpom.contracts.models import Contract
from cpom.documents import contract as document
from cpom.signing import services as signing
from cpom.signing.models import ContractVersion

canonical_json = document.canonical_json
content_hash = document.content_hash


def contract_snapshot(contract: Contract) -> dict:
    """The contract's whole content as the parties sign it, read from the database as it is now."""
    return document.contract_snapshot(Contract.objects.select_related("managing_body").get(pk=contract.pk))


def send_version(
    contract: Contract, number: int, label: str, snapshot: dict, docx: bytes, pdf: bytes, user, effective_date=None
) -> ContractVersion:
    """The amendment's version n, sent for signature: the content every party signs is fixed from here."""
    return signing.send_version(
        contract, user, number=number, label=label, snapshot=snapshot, docx=docx, pdf=pdf, effective_date=effective_date
    )


def signature_day(version: ContractVersion):
    """The day the version was signed by every party: the last signature's date."""
    days = [s.signed_on for s in version.signatures.all() if s.decision == "signed"]
    return max(days) if days else (version.sealed_at.date() if version.sealed_at else None)


def connect(apply_signed, return_to_draft, refusal: type[Exception]) -> None:
    """An amendment the application refuses (``refusal``: the content signed is no longer the contract's, an effective
    date before the signature) is the circuit's refusal of the last signature: nothing of it is saved."""

    def applied(version: ContractVersion, user) -> None:
        try:
            apply_signed(version, user)
        except refusal as refused:
            raise signing.SigningRefused([(None, reason) for reason in refused.reasons]) from None

    signing.on_sealed(applied)
    signing.on_voided(return_to_draft)
