"""The contract's content and documents as the signature circuit stores them: the one door to cpom.documents.

TEMPORARY ADAPTER (until the documents branch, with ``cpom.documents.contract``, is merged): when that module exists
its functions are used as they are; until then a minimal snapshot (frame, parties, perimeter, objectives) and a plain
document carrying the content hash on every page stand in. Nothing else in cpom.signing imports cpom.documents'
internals, so the merge changes this module only.
"""

import hashlib
import json

from cpom.contracts.models import Contract

try:
    from cpom.documents import contract as _documents
except ImportError:  # the documents branch is not merged yet
    _documents = None

FOOTER_HASH = "Empreinte SHA-256 du contenu : {hash}"
_CONTEXT_HOOKS = []


def register_context(hook) -> None:
    """Gives the snapshot's « context » what the consultations know (the board deliberation's date)."""
    if _documents is not None:
        _documents.register_context(hook)
    elif hook not in _CONTEXT_HOOKS:
        _CONTEXT_HOOKS.append(hook)


def contract_snapshot(contract: Contract) -> dict:
    if _documents is not None:
        return _documents.contract_snapshot(contract)
    return _minimal_snapshot(contract)


def canonical_json(snapshot: dict) -> bytes:
    if _documents is not None:
        return _documents.canonical_json(snapshot)
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def contract_docx(snapshot: dict, content_hash: str) -> bytes:
    if _documents is not None:
        return _documents.contract_docx(snapshot, content_hash=content_hash, draft=False)
    from cpom.documents.word import to_docx

    return to_docx(_minimal_document(snapshot, content_hash))


def contract_pdf(snapshot: dict, content_hash: str) -> bytes:
    if _documents is not None:
        return _documents.contract_pdf(snapshot, content_hash=content_hash, draft=False)
    from cpom.documents.pdf import to_pdf

    return to_pdf(_minimal_document(snapshot, content_hash))


# --- The stand-in, removed with the merge of the documents branch ---------------------------------------------------


def _minimal_snapshot(contract: Contract) -> dict:
    context = {}
    for hook in _CONTEXT_HOOKS:
        context.update(hook(contract))
    return {
        "reference": contract.reference,
        "title": contract.title,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "managing_body": contract.managing_body.name,
        "parties": [
            {"authority": p.authority.name, "lead": p.is_lead}
            for p in contract.parties.select_related("authority").order_by("-is_lead", "authority__name")
        ],
        "perimeter": [
            {"finess": e.finess, "name": e.name, "category": e.category}
            for e in contract.establishments.order_by("finess")
        ],
        "objectives": [{"number": o.number, "title": o.title} for o in contract.objectives.order_by("pk")],
        "context": context,
    }


def _minimal_document(snapshot: dict, content_hash: str):
    from cpom.documents.layout import Bullet, Document, Heading, Text

    blocks = [
        Heading(snapshot["title"], 0),
        Text(snapshot["reference"]),
        Heading("Parties", 1),
        Bullet(f"Organisme gestionnaire : {snapshot['managing_body']}"),
        *(Bullet(p["authority"]) for p in snapshot["parties"]),
        Heading("Périmètre", 1),
        *(Bullet(f"{e['finess']} {e['name']} ({e['category']})") for e in snapshot["perimeter"]),
        Heading("Objectifs", 1),
        *(Bullet(f"{o['number']} {o['title']}") for o in snapshot["objectives"]),
    ]
    return Document(snapshot["title"], FOOTER_HASH.format(hash=content_hash), blocks)
