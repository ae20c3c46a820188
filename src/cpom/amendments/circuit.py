"""Every call the life of the contract makes to the signature circuit (cpom.signing) and to the contract's document
(cpom.documents.contract), in this one module, so that wiring them is done here and nowhere else.

TEMPORARY ADAPTER, until the coordinator merges the ``doc`` and ``sign`` branches into main:

- :func:`contract_snapshot`, :func:`canonical_json`, :func:`content_hash` are cpom.documents.contract's when it exists;
  until then :func:`_interim_snapshot` gives the content an amendment can change (frame, parties, perimeter with its
  places, objectives with their fiches and targets, reference budget lines, envelopes and shares), canonical the same
  way (sorted keys, no spaces, UTF-8, SHA-256);
- :func:`send_version` stores the amendment's version as sent for signature (number n, its snapshot, hash, documents,
  signature order) the way the circuit stores the contract's version 0: when cpom.signing.services exists, its own
  ``send_version`` does it (and checks the order, the consultations and the signatures, then seals);
- :func:`connect` registers :func:`cpom.amendments.services.apply_signed` on the circuit's ``on_sealed`` hook and
  :func:`cpom.amendments.services.return_to_draft` on its ``on_voided`` one (``callback(version, user)``).
"""

import hashlib
import json
from decimal import Decimal

from django.utils import timezone

from cpom.access import membership_of
from cpom.contracts.models import Contract
from cpom.signing.models import MANAGING_BODY_KEY, ContractVersion, party_key

try:  # the doc branch's public interface (briefs: contract_snapshot, canonical_json, content_hash)
    from cpom.documents.contract import canonical_json, content_hash, contract_snapshot
except ImportError:  # pragma: no cover - replaced when doc is merged

    def canonical_json(snapshot: dict) -> bytes:
        return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def content_hash(snapshot: dict) -> str:
        return hashlib.sha256(canonical_json(snapshot)).hexdigest()

    def contract_snapshot(contract: Contract) -> dict:
        return _interim_snapshot(contract)


try:  # the sign branch's generic circuit over a ContractVersion
    from cpom.signing import services as signing_services
except ImportError:  # pragma: no cover - replaced when sign is merged
    signing_services = None


def _text(value) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, Decimal) else value


def _interim_snapshot(contract: Contract) -> dict:
    """The contract's content as plain JSON data, read fresh from the database (nothing cached on ``contract``)."""
    from cpom.finance.budget import services as budget
    from cpom.finance.models import ReferenceBudget
    from cpom.objectives.models import Objective, ObjectiveSheet
    from cpom.objectives.snapshots import SHEET_FIELDS

    contract = Contract.objects.select_related("managing_body").get(pk=contract.pk)
    perimeter = list(contract.establishments.prefetch_related("funders").order_by("finess"))
    objectives = []
    for objective in Objective.objects.filter(contract=contract).prefetch_related("indicators__targets"):
        sheet = ObjectiveSheet.objects.filter(objective=objective).first()
        objectives.append(
            {
                "number": objective.number,
                "level": objective.level,
                "title": objective.title,
                "status": objective.status,
                "sheet": {name: _text(getattr(sheet, name)) for name in SHEET_FIELDS} if sheet else {},
                "indicators": [
                    {
                        "label": indicator.label,
                        "method": indicator.method,
                        "baseline": indicator.baseline_value,
                        "targets": {str(t.due_year): t.value for t in indicator.targets.all()},
                    }
                    for indicator in objective.indicators.order_by("pk")
                ],
            }
        )
    data = {
        "frame": {
            "reference": contract.reference,
            "title": contract.title,
            "legal_basis": contract.legal_basis,
            "start_date": contract.start_date.isoformat(),
            "end_date": contract.end_date.isoformat(),
            "duration_years": contract.duration_years,
        },
        "managing_body": contract.managing_body.name,
        "parties": sorted(str(p.authority) for p in contract.parties.select_related("authority")),
        "perimeter": [
            {
                "finess": e.finess,
                "name": e.name,
                "category": e.category,
                "authorised_places": e.authorised_places,
                "installed_places": e.installed_places,
                "funders": sorted(str(f) for f in e.funders.all()),
            }
            for e in perimeter
        ],
        "objectives": sorted(objectives, key=lambda o: o["number"]),
    }
    budget_row = ReferenceBudget.objects.filter(contract=contract).first()
    if budget_row is not None:
        finess = {e.pk: e.finess for e in perimeter}
        data["budget_lines"] = sorted(
            (
                {
                    "id": f"{line.establishment.finess}/{line.funder}/{line.side}/{line.group}",
                    "amount": str(line.amount),
                }
                for line in budget.lines_of(budget_row)
                if line.establishment_id in finess
            ),
            key=lambda row: row["id"],
        )
        data["envelopes"] = [
            {
                "code": envelope.funder,
                "amount": str(envelope.amount),
                "shares": [{"finess": s.establishment.finess, "amount": str(s.amount)} for s in envelope.shares],
            }
            for envelope in budget.common_envelopes(budget_row, perimeter)
        ]
    return data


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
