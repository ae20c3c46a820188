"""The Excel round trip of a campaign's grid: the export laid out like the authority's grid, the import back.

The layout and the reading of the cells are pure (cpom.followup.sheet); this module turns a campaign's grid into the
sheet's lines, checks a filled file against the grid of today and writes what it changes.

Import, all or nothing. The file is read within the bounds of every import (cpom.core.workbooks: size, parts, rows,
cells; one of the platform's import slots while it is read); every problem names the sheet, the row and the column,
and a refused file writes nothing. An accepted file gives a preview (old → new per line), nothing written yet; the
confirmation writes each changed line through the follow-up's own service (``save_entry``: its rule, its lock, its
audit), all in one transaction, then one audit entry for the import. The preview carries the version of every line
it shows: a line changed in between (on the page, by another import) refuses the whole confirmation (409).
"""

from dataclasses import dataclass

from django.core import signing
from django.db import transaction

from cpom.audit.services import record
from cpom.core.importing import DataImportError
from cpom.core.numbers import read_decimal_or_none
from cpom.import_slots import import_slot
from cpom.indicators.models import ValueType
from cpom.objectives.values import ValueRefused, normalise
from cpom.signing.models import MANAGING_BODY_KEY, party_key

from . import rules, sheet
from .grid import Line, grid_for
from .models import Campaign, GridEntry
from .services import FollowUpRefused, StaleFollowUp, recompute, save_entry
from .snapshot import grid_snapshot

CONSOLIDATED_KEY = "ensemble"
IDENTITY = "campagne {pk}"
PREVIEW_SALT = "cpom.followup.workbook.preview"
FIELDS = {
    "declared_value": sheet.SITUATION,
    "current_situation": sheet.DETAILS,
    "comment": sheet.COMMENT,
}
NUMERIC = (ValueType.NUMBER, ValueType.PERCENTAGE)


def key_of(indicator_id: int, category: str) -> str:
    """« 12/EHPAD », « 12/ensemble »: the follow-up indicator and the category, stable across recomputations."""
    return f"{indicator_id}/{category or CONSOLIDATED_KEY}"


def line_key(line: Line) -> str:
    return key_of(line.indicator.pk, line.category)


def file_name(campaign: Campaign) -> str:
    return f"suivi-{campaign.contract.reference}-{campaign.year}.xlsx"


def _cell(value_type: str, text: str):
    """A value as the cell holds it: a number stays a number (Excel sums it), anything else the stored text."""
    if value_type in NUMERIC and text:
        number = read_decimal_or_none(text)
        return number if number is not None else text
    return text or None


def _numbered(objective: dict) -> str:
    return f"{objective['number']} {objective['title']}"


def sheet_lines(snapshot: dict) -> list[sheet.SheetLine]:
    """The sheet's rows from the grid as plain data (cpom.followup.snapshot): the same for the live grid and the
    sealed one, so the signed workbook is the one the managing body filled, frozen."""
    reviewed = snapshot["campaign"]["reviewed_year"]
    lines = []
    for strategic in snapshot["objectives"]:
        for row in strategic["operational"]:
            operational = "" if row["strategic_itself"] else _numbered(row)
            for line in row["lines"]:
                value_type = line["value_type"]
                values = {v["year"]: v["text"] for v in line["values"]}
                lines.append(
                    sheet.SheetLine(
                        key=key_of(line["indicator_id"], line["category"]),
                        strategic=_numbered(strategic),
                        operational=operational,
                        due_offset=line["due_offset"],
                        level=line["level"],
                        indicator=line["indicator"],
                        category=line["category_label"],
                        situation=_cell(value_type, values.get(reviewed, "")),
                        situation_is_input=not line["computed"],
                        target=line["target"],
                        details=line["current_situation"],
                        comment=line["comment"],
                        baseline=_cell(value_type, line["baseline"]),
                        values={year: _cell(value_type, text) for year, text in values.items() if year != reviewed},
                        unit=line["unit"],
                    )
                )
    return lines


def _signatures(campaign: Campaign) -> list[tuple[str, str]]:
    """The signature blocks: « Etablissement », then each authority party, with who signed and when."""
    signed = {s.party_key: s for s in campaign.signatures.all()}
    parties = [(MANAGING_BODY_KEY, "Etablissement")] + [
        (party_key(party.authority), str(party.authority))
        for party in campaign.contract.parties.select_related("authority").order_by("pk")
        if party.authority_id
    ]
    blocks = []
    for key, label in parties:
        signature = signed.get(key)
        who = (
            f"{signature.signatory_name}, {signature.signatory_title}, le {signature.signed_on:%d/%m/%Y}"
            if signature
            else ""
        )
        blocks.append((label, who))
    return blocks


def sheet_grid(snapshot: dict, campaign: Campaign) -> sheet.SheetGrid:
    reviewed = snapshot["campaign"]["reviewed_year"]
    return sheet.SheetGrid(
        identity=IDENTITY.format(pk=snapshot["campaign"]["id"]),
        title=f"{snapshot['contract']['reference']} – campagne {snapshot['campaign']['year']} (exercice {reviewed})",
        years=[year for year in snapshot["years"] if year != reviewed],
        lines=sheet_lines(snapshot),
        conclusions=snapshot["conclusions"],
        signatures=_signatures(campaign),
    )


def grid_workbook(campaign: Campaign) -> bytes:
    """The campaign's grid as the authority's workbook, from the data as it is now."""
    return sheet.write_grid(sheet_grid(grid_snapshot(grid_for(campaign)), campaign))


def sealed_workbook(snapshot: dict) -> tuple[str, bytes]:
    """The signed grid's workbook, for the campaign's sealed documents (cpom.followup.snapshot's registry)."""
    campaign = Campaign.objects.select_related("contract").get(pk=snapshot["campaign"]["id"])
    return file_name(campaign), sheet.write_grid(sheet_grid(snapshot, campaign))


# --- Import -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    key: str
    version: int | None  # None: the line has no entry yet (a line added since the last computation)
    line: str  # « Taux d'occupation (EHPAD) »
    row: int
    field: str  # declared_value, current_situation, comment
    old: str
    new: str

    @property
    def column(self) -> str:
        return FIELDS[self.field]


@dataclass(frozen=True)
class Preview:
    campaign: Campaign
    file_name: str
    changes: list[Change]
    token: str  # what the confirmation sends back, signed: the changes and the versions they were read against


def _normaliser(lines_by_key: dict[str, Line]):
    def check(key: str, text: str) -> str:
        try:
            return normalise(lines_by_key[key].indicator.value_type, text)
        except ValueRefused as refused:
            raise ValueError(str(refused)) from None

    return check


def preview_import(campaign: Campaign, user, content: bytes, name: str) -> Preview:
    """What the file would change on the campaign's grid, nothing written; DataImportError names every bad cell,
    FollowUpRefused says who may not import or when."""
    refusal = rules.entry_refusal(user, campaign)
    if refusal:
        raise FollowUpRefused(refusal)
    grid = grid_for(campaign)
    by_key = {line_key(line): line for line in grid.lines}
    with import_slot(name):
        # Another campaign's grid is said as such first, rather than as every one of its lines unknown here.
        if sheet.identity_of(content, name) != IDENTITY.format(pk=campaign.pk):
            raise DataImportError(
                name,
                [
                    f"feuille « {sheet.SHEET_TITLE} », ligne {sheet.CONTEXT_ROW} : ce classeur n'est pas la grille de "
                    f"la campagne {campaign.year} de {campaign.contract.reference} (téléchargez la grille de cette "
                    "campagne)"
                ],
            )
        read = sheet.read_grid(content, name, sheet_lines(grid_snapshot(grid)), _normaliser(by_key))
    changes = []
    for found in read:
        line = by_key[found.key]
        entry = line.entry
        typed = {"declared_value": found.situation, "current_situation": found.details, "comment": found.comment}
        for field, new in typed.items():
            if field == "declared_value" and line.computed:
                continue
            old = getattr(entry, field) if entry else ""
            if new != old:
                changes.append(
                    Change(
                        found.key,
                        entry.version if entry else None,
                        f"{line.indicator.label} ({line.category_label})",
                        found.row,
                        field,
                        old,
                        new,
                    )
                )
    token = signing.dumps(
        {"campaign": campaign.pk, "file": name, "changes": [[c.key, c.version, c.field, c.new] for c in changes]},
        salt=PREVIEW_SALT,
        compress=True,
    )
    return Preview(campaign, name, changes, token)


@transaction.atomic
def confirm_import(campaign: Campaign, user, token: str) -> int:
    """Writes what a preview showed, or nothing: StaleFollowUp when a line changed since the preview."""
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT)
    except signing.BadSignature:
        raise FollowUpRefused("Cet aperçu n'est pas valable : importez de nouveau le fichier.") from None
    if payload["campaign"] != campaign.pk:
        raise FollowUpRefused("Cet aperçu porte sur une autre campagne : importez de nouveau le fichier.")
    by_key: dict[str, tuple[int | None, dict]] = {}
    for key, version, field, new in payload["changes"]:
        by_key.setdefault(key, (version, {}))[1][field] = new
    if any(version is None for version, _ in by_key.values()):
        recompute(campaign)  # gives every line its entry, as opening the campaign did
    entries = {
        key_of(e.indicator_id, e.category): e
        for e in GridEntry.objects.filter(campaign=campaign).only("pk", "indicator_id", "category", "version", *FIELDS)
    }
    # Checked all at once before any write, so a stale line refuses the whole file rather than half of it; a line
    # without an entry at the preview must still be blank.
    for key, (version, _) in by_key.items():
        entry = entries.get(key)
        if entry is None:
            raise StaleFollowUp
        if version is None and any(getattr(entry, name) for name in FIELDS):
            raise StaleFollowUp
        if version is not None and entry.version != version:
            raise StaleFollowUp
    for key, (_, data) in by_key.items():
        save_entry(campaign, user, entries[key].pk, data, entries[key].version, recompute_after=False)
    if any("declared_value" in data for _, data in by_key.values()):
        # The proposals follow the declared values: computed once for the whole file rather than once per line.
        recompute(campaign)
    record(
        user,
        campaign.contract,
        f"Campagne {campaign.year} : grille importée du fichier {payload['file']} "
        f"({len(payload['changes'])} cellule{'s' if len(payload['changes']) > 1 else ''} modifiée"
        f"{'s' if len(payload['changes']) > 1 else ''})",
        None,
        {"fichier": payload["file"], "lignes": sorted(by_key)},
    )
    return len(payload["changes"])
