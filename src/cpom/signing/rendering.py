"""The contract's content and documents as the signature circuit stores them: the one door to cpom.documents.

The snapshot, its canonical JSON and hash, and the final Word and PDF (the hash printed on every page, no draft mark)
come from ``cpom.documents.contract``; this module gives it back what the circuit knows: the board deliberation's date
for the « Vu la délibération » line, and, once a version is sealed, its stored bytes (or, after an amendment, the
consolidated text rendered from its snapshot), which the document command and download give.
"""

import hashlib

from cpom.contracts.models import Contract
from cpom.documents import contract as documents


def register_context(hook) -> None:
    documents.register_context(hook)


def register_sealed(hook) -> None:
    documents.register_sealed(hook)


def contract_snapshot(contract: Contract) -> dict:
    return documents.contract_snapshot(contract)


def canonical_json(snapshot: dict) -> bytes:
    return documents.canonical_json(snapshot)


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def contract_docx(snapshot: dict, content_hash: str, consolidation: str = "") -> bytes:
    return documents.contract_docx(snapshot, content_hash=content_hash, draft=False, consolidation=consolidation)


def contract_pdf(snapshot: dict, content_hash: str, consolidation: str = "") -> bytes:
    return documents.contract_pdf(snapshot, content_hash=content_hash, draft=False, consolidation=consolidation)
