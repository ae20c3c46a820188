"""What the parties sign at a campaign's close: the grid as plain data (canonical JSON, its SHA-256), and the
registry of the documents written from it.

The snapshot is the grid as the page shows it, every value as text: the sealed documents are written from it alone,
never from the database, so that a document written again from a sealed campaign is the one signed.

Sealed documents. An app registers ``register_sealed_document(kind, label, writer)`` in its ``ready()``:
``writer(snapshot) -> (file_name, bytes)`` — the grid's workbook, the annual report in Word and PDF. At closing each
registered writer runs once, its file is stored with its SHA-256 (cpom.followup.models.SealedDocument) and served as
stored afterwards. Without any writer, the close still stores the snapshot.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from cpom.core.numbers import plain

from . import levels
from .grid import Grid, Line

SNAPSHOT_FORMAT = 1


def _line(line: Line, start_year: int) -> dict:
    entry = line.entry
    return {
        "indicator_id": line.indicator.pk,
        "indicator": line.indicator.label,
        "catalogue_code": line.indicator.catalogue_indicator.code if line.indicator.catalogue_indicator_id else "",
        "method": line.indicator.method,
        "unit": line.indicator.unit,
        "value_type": line.indicator.value_type,
        "direction": line.indicator.direction,
        "tolerance": plain(line.indicator.tolerance),
        "category": line.category,
        "category_label": line.category_label,
        "computed": line.computed,
        "due_offset": line.due_offset,
        "due_label": levels.due_label(line.due_offset, start_year),
        "target": line.target,
        "targets": {str(offset): text for offset, text in sorted(line.targets.items())},
        "baseline": line.baseline,
        "values": [
            {
                "year": v.year,
                "text": v.text,
                "shown": v.shown,
                "reason": v.reason,
                "provenance": list(v.provenance),
            }
            for v in line.values
        ],
        "current_situation": line.current_situation,
        "comment": line.comment,
        "proposed_level": line.assessment.level,
        "proposed_track": line.assessment.track,
        "explanation": line.assessment.explanation,
        "confirmed_level": line.confirmed_level,
        "confirmed_by": entry.confirmed_by_label if entry else "",
        "confirmed_at": entry.confirmed_at.isoformat() if entry and entry.confirmed_at else "",
        "override_comment": entry.override_comment if entry else "",
        "level": line.level,
    }


def grid_snapshot(grid: Grid) -> dict:
    """The grid as plain data: what the conclusions' signatories sign and what the sealed documents are written from."""
    campaign = grid.campaign
    contract = campaign.contract
    return {
        "format": SNAPSHOT_FORMAT,
        "contract": {"id": contract.pk, "reference": contract.reference, "title": contract.title},
        "campaign": {
            "id": campaign.pk,
            "year": campaign.year,
            "reviewed_year": campaign.reviewed_year,
            "contract_version": campaign.contract_version,
            "opened_on": campaign.opened_on.isoformat() if campaign.opened_on else "",
            "report_deadline": campaign.report_deadline.isoformat() if campaign.report_deadline else "",
            "themes": campaign.framing_note.theme_list if campaign.framing_note_id else [],
        },
        "start_year": grid.start_year,
        "years": grid.years,
        "achievement_rate": plain(grid.achievement_rate) if grid.achievement_rate is not None else "",
        "objectives": [
            {
                "number": strategic.objective.number,
                "title": strategic.objective.title,
                "level": strategic.level,
                "operational": [
                    {
                        "number": row.objective.number,
                        "title": row.objective.title,
                        "strategic_itself": row.objective.pk == strategic.objective.pk,
                        "due_offset": row.due_offset,
                        "level": row.level,
                        "lines": [_line(line, grid.start_year) for line in row.lines],
                        "milestones": [
                            {
                                "label": m.label,
                                "due_date": m.due_date.isoformat() if m.due_date else "",
                                "done_on": m.done_on.isoformat() if m.done_on else "",
                                "state": m.state,
                                "state_label": m.state_label,
                                "comment": m.comment,
                            }
                            for m in row.milestones
                        ],
                    }
                    for row in strategic.rows
                ],
            }
            for strategic in grid.strategic
        ],
        "conclusions": campaign.conclusions,
    }


def canonical(snapshot: dict) -> str:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot).encode()).hexdigest()


Writer = Callable[[dict], tuple[str, bytes]]


@dataclass(frozen=True)
class SealedKind:
    kind: str
    label: str
    writer: Writer


_WRITERS: dict[str, SealedKind] = {}


def register_sealed_document(kind: str, label: str, writer: Writer) -> None:
    """Registers a document written from the snapshot at closing (``kind``: a slug such as « grille-xlsx »)."""
    _WRITERS[kind] = SealedKind(kind, label, writer)


def sealed_kinds() -> list[SealedKind]:
    return list(_WRITERS.values())
