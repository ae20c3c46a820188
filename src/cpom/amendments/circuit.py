"""Every call the life of the contract makes to the signature circuit (cpom.signing) and to the contract's document
(cpom.documents.contract), in this one module, so that wiring them is done here and nowhere else.

- :func:`contract_snapshot`, :func:`canonical_json`, :func:`content_hash` are the contract document's: the snapshot
  is read from a fresh copy of the contract, since an amendment's application has just written its rows;
- TEMPORARY ADAPTER until the coordinator merges the ``sign`` branch: :func:`send_version` stores the amendment's
  version as sent for signature (number n, its snapshot, hash, documents, signature order) the way the circuit stores
  the contract's version 0; once cpom.signing.services exists, its own ``send_version`` does it (and its ``sign``
  checks the order, the dates and the hash, then seals);
- :func:`connect` registers :func:`cpom.amendments.services.apply_signed` on the circuit's ``on_sealed`` hook and
  :func:`cpom.amendments.services.return_to_draft` on its ``on_voided`` one (``callback(version, user)``).
"""

import hashlib

from django.utils import timezone

from cpom.access import membership_of
from cpom.contracts.models import Contract
from cpom.documents import contract as document
from cpom.signing.models import MANAGING_BODY_KEY, ContractVersion, party_key

try:  # the sign branch's generic circuit over a ContractVersion
    from cpom.signing import services as signing_services
except ImportError:  # pragma: no cover - replaced when sign is merged
    signing_services = None

canonical_json = document.canonical_json
content_hash = document.content_hash


def contract_snapshot(contract: Contract) -> dict:
    """The contract's whole content as the parties sign it, read from the database as it is now."""
    return document.contract_snapshot(Contract.objects.select_related("managing_body").get(pk=contract.pk))


def signature_order(contract: Contract) -> list[str]:
    """The sources' order (seed-contract-followup §2.2): the managing body, the co-signing councils, the lead last."""
    parties = list(contract.parties.select_related("authority"))
    others = [party_key(p.authority) for p in parties if not p.is_lead and p.is_admitted]
    lead = [party_key(p.authority) for p in parties if p.is_lead]
    return [MANAGING_BODY_KEY, *others, *lead]


def send_version(
    contract: Contract, number: int, label: str, snapshot: dict, docx: bytes, pdf: bytes, user, effective_date=None
) -> ContractVersion:
    """The amendment's version n, sent for signature: the content every party signs is fixed from here."""
    if signing_services is not None and hasattr(signing_services, "send_version"):  # pragma: no cover - sign merged
        return signing_services.send_version(
            contract,
            user,
            number=number,
            label=label,
            snapshot=snapshot,
            docx=docx,
            pdf=pdf,
            effective_date=effective_date,
        )
    return ContractVersion.objects.create(
        contract=contract,
        number=number,
        label=label,
        snapshot=canonical_json(snapshot).decode(),
        content_sha256=content_hash(snapshot),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        docx=docx,
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        signature_order=signature_order(contract),
        sent_at=timezone.now(),
        sent_by=user,
        organisation_label=membership_of(user).organisation_label,
        effective_date=effective_date,
    )


def signature_day(version: ContractVersion):
    """The day the version was signed by every party: the last signature's date."""
    days = [s.signed_on for s in version.signatures.all() if s.decision == "signed"]
    return max(days) if days else (version.sealed_at.date() if version.sealed_at else None)


def connect(apply_signed, return_to_draft) -> None:
    """Once the circuit has its hooks, a sealed amendment's version is applied to the contract (in the sealing
    transaction), and a voided one (a party refused to sign) sends the amendment back to its draft."""
    if signing_services is not None and hasattr(signing_services, "on_sealed"):  # pragma: no cover - sign merged
        signing_services.on_sealed(apply_signed)
        signing_services.on_voided(return_to_draft)
