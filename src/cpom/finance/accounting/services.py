"""Accounting services: imports of account balances, and the chart of accounts in force.

A FEC or a trial balance becomes the account balances of one establishment and year.

The readers check the file (fec.py, trial_balance.py, pure) and finance/rules.py says who may import for which
establishment. This service resolves a managing body's analytical section to its establishment, builds the preview
(nothing written), and writes all or nothing: the establishment-year's previous account balances are
replaced by the new ones, the other data elements of that year are left untouched. It also stores a chart of
accounts (read by grouping.py) and finds the one in force for an authority.
"""

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet

from cpom.access import visible
from cpom.audit.services import record
from cpom.core.formatting import money
from cpom.core.numbers import count
from cpom.core.text import agreed, of, the, to
from cpom.finance.accounting import fec, trial_balance
from cpom.finance.accounting.fec import FiscalYear, Progress
from cpom.finance.accounting.grouping import NATIONAL_CHART_FILE, Chart, ChartError, Rule, read_chart
from cpom.finance.accounting.trial_balance import AccountTotal, TrialBalance
from cpom.finance.models import ChartOfAccounts, GroupRule, SectionMapping
from cpom.finance.rules import IMPORT_REFUSAL, importable_establishments, may_import, section_refusal
from cpom.import_slots import import_slot, imported
from cpom.indicators.engine import ACCOUNT_PREFIX
from cpom.indicators.importers import YEAR_RANGE, record_import
from cpom.indicators.models import DataValue, ImportBatch
from cpom.indicators.storage import bulk_insert
from cpom.registry.identifiers import normalise_finess, validate_finess, validate_siren
from cpom.registry.models import Authority, Establishment, ManagingBody

KINDS = {
    fec.KIND: "FEC (fichier des écritures comptables)",
    trial_balance.KIND: "Balance générale (CSV ou Excel)",
}
CLASS_LABELS = {
    "1": "Classe 1 – Comptes de capitaux",
    "2": "Classe 2 – Comptes d'immobilisations",
    "3": "Classe 3 – Comptes de stocks et en-cours",
    "4": "Classe 4 – Comptes de tiers",
    "5": "Classe 5 – Comptes financiers",
    "6": "Classe 6 – Comptes de charges",
    "7": "Classe 7 – Comptes de produits",
    "8": "Classe 8 – Comptes spéciaux",
}
TOP_ACCOUNTS = 3
LONGEST_FISCAL_YEAR_DAYS = 731  # a first or a changed fiscal year may last up to 24 months
PENDING_MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class ImportRefused(Exception):
    """What stops an import outside the file itself (establishment, section, year, rights), in French."""


# --- Where an import goes -------------------------------------------------------------------------------------------


def establishment_for(finess: str) -> Establishment:
    try:
        validate_finess(finess)
    except ValidationError as error:
        raise ImportRefused(error.messages[0]) from None
    try:
        return Establishment.objects.select_related("managing_body").get(finess=normalise_finess(finess))
    except Establishment.DoesNotExist:
        raise ImportRefused(
            f"Aucun établissement n'a le numéro FINESS {normalise_finess(finess)} dans le référentiel."
        ) from None


def managing_body_for(siren: str) -> ManagingBody:
    try:
        validate_siren(siren)
    except ValidationError as error:
        raise ImportRefused(error.messages[0]) from None
    try:
        return ManagingBody.objects.get(siren=re.sub(r"\s", "", siren))
    except ManagingBody.DoesNotExist:
        raise ImportRefused(f"Aucun organisme gestionnaire n'a le SIREN {siren} dans le référentiel.") from None


def section_for(managing_body: ManagingBody, code: str) -> SectionMapping:
    try:
        return SectionMapping.objects.select_related("establishment__managing_body").get(
            managing_body=managing_body, code=code.strip()
        )
    except SectionMapping.DoesNotExist:
        raise ImportRefused(
            f"La section analytique « {code.strip()} » n'est rattachée à aucun établissement {of(managing_body.name)} "
            "(cpom finance sections ajouter, ou l'écran « Sections analytiques »)."
        ) from None


def fiscal_year(year: int, start: date | None = None, end: date | None = None) -> FiscalYear:
    """The calendar year by default; a fiscal year of its own must end in ``year`` and last at most 24 months."""
    if year not in YEAR_RANGE:
        raise ImportRefused(f"Année invalide « {year} » : attendu quatre chiffres, par exemple 2025.")
    if start is None and end is None:
        return FiscalYear.calendar(year)
    period = FiscalYear(start or date(year, 1, 1), end or date(year, 12, 31))
    if period.start >= period.end:
        raise ImportRefused(f"L'exercice commence le {period.start:%d/%m/%Y}, après sa fin le {period.end:%d/%m/%Y}.")
    if period.end.year != year:
        raise ImportRefused(
            f"L'exercice se termine le {period.end:%d/%m/%Y} : il doit se terminer en {year}, l'année importée."
        )
    if (period.end - period.start).days > LONGEST_FISCAL_YEAR_DAYS:
        raise ImportRefused("Un exercice dure au plus 24 mois.")
    return period


# --- Reading and preview -------------------------------------------------------------------------------------------


def read(
    content: bytes, file_name: str, kind: str, period: FiscalYear, progress: Progress | None = None
) -> TrialBalance:
    """The file's account totals; DataImportError names the file, line and column of every problem.

    Reading holds one of the platform's import slots: ImportsBusy when they are all taken.
    """
    with import_slot(file_name):
        if kind == fec.KIND:
            return fec.read_fec(content, file_name, period, progress)
        balance = trial_balance.read_trial_balance(content, file_name)
    if progress:
        progress(f"{count(balance.lines)} lignes contrôlées.")
    return balance


@dataclass
class ClassSummary:
    code: str
    label: str
    accounts: int
    debit: Decimal
    credit: Decimal
    top: list[AccountTotal]  # the largest balances, in absolute value

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


@dataclass
class Preview:
    balance: TrialBalance
    establishment: Establishment
    year: int
    classes: list[ClassSummary]
    replaced: int  # account balances already stored for that establishment and year
    warnings: list[str] = field(default_factory=list)

    @property
    def result(self) -> Decimal:
        """Income − expenses: classes 7 and 6 as they stand in the file."""
        return -sum((c.balance for c in self.classes if c.code in ("6", "7")), Decimal(0))


def _classes(accounts: list[AccountTotal]) -> list[ClassSummary]:
    summaries = []
    for code, label in CLASS_LABELS.items():
        members = [a for a in accounts if a.number.startswith(code)]
        if members:
            top = sorted(members, key=lambda a: abs(a.balance), reverse=True)[:TOP_ACCOUNTS]
            debit = sum((a.debit for a in members), Decimal(0))
            credit = sum((a.credit for a in members), Decimal(0))
            summaries.append(ClassSummary(code, label, len(members), debit, credit, top))
    return summaries


def _unusual_signs(accounts: list[AccountTotal]) -> list[str]:
    """Expenses with a credit balance, income with a debit balance; x9 accounts (rebates) go the other way by nature."""
    warnings = []
    for code, sign, what in (("6", -1, "charges à solde créditeur"), ("7", 1, "produits à solde débiteur")):
        odd = [a for a in accounts if a.number.startswith(code) and a.number[2] != "9" and a.balance * sign > 0]
        if odd:
            listed = ", ".join(f"{a.number} ({money(a.balance)})" for a in odd[:5])
            more = " …" if len(odd) > 5 else ""
            warnings.append(f"{count(len(odd))} {agreed(len(odd), 'compte')} de {what}, à vérifier : {listed}{more}.")
    return warnings


def _year_result(accounts: list[AccountTotal]) -> Decimal:
    """Income minus expenses: Σ (credit − debit) of class 7 − Σ (debit − credit) of class 6."""
    return -sum((a.balance for a in accounts if a.number[0] in "67"), Decimal(0))


def result_account(accounts: list[AccountTotal]) -> AccountTotal | None:
    """The year's result as account 120 (surplus) or 129 (deficit), when the file leaves it out.

    A FEC or a balance taken before closing has its expenses and income open and nothing in 12: the
    balance-sheet indicators (independence, net working capital) read the year's result from 12, so
    it is brought there, and said so. A file that already carries a result in 12 is taken as it is.
    """
    if not any(a.number[0] in "67" for a in accounts) or any(a.number.startswith("12") and a.balance for a in accounts):
        return None
    result = _year_result(accounts)
    if not result:
        return None
    number = "120" if result > 0 else "129"
    debit, credit = (Decimal(0), result) if result > 0 else (-result, Decimal(0))
    return AccountTotal(number, "Résultat de l'exercice (calculé à l'import)", debit, credit, 0)


def accounts_to_store(balance: TrialBalance) -> list[AccountTotal]:
    derived = result_account(balance.accounts)
    return balance.accounts + ([derived] if derived else [])


def _closing_warning(accounts: list[AccountTotal]) -> list[str]:
    management = [a for a in accounts if a.number[0] in "67"]
    if (
        management
        and not any(a.balance for a in management)
        and any(a.number.startswith("12") and a.balance for a in accounts)
    ):
        return [
            "Les comptes de charges et de produits sont tous soldés : le fichier semble contenir les écritures de "
            "clôture. Le résultat, les taux de CAF et les coûts ne pourront pas être calculés ; importez plutôt "
            "le FEC ou la balance avant clôture."
        ]
    return []


def existing_balances(establishment: Establishment, year: int) -> QuerySet:
    return DataValue.objects.filter(establishment=establishment, year=year, element__startswith=ACCOUNT_PREFIX)


def preview(balance: TrialBalance, establishment: Establishment, year: int) -> Preview:
    """What the import would write and what deserves a second look; reads the database, writes nothing."""
    classes = _classes(balance.accounts)
    replaced = existing_balances(establishment, year).count()
    warnings = list(balance.warnings)
    if replaced:
        stored = (
            f"Les {count(replaced)} soldes de comptes déjà enregistrés"
            if replaced > 1
            else "Le solde de compte déjà enregistré"
        )
        will = "seront remplacés" if replaced > 1 else "sera remplacé"
        warnings.insert(0, f"{stored} pour {establishment.name} en {year} {will}.")
    present = {c.code for c in classes}
    for code, what in (("6", "charges (classe 6)"), ("7", "produits (classe 7)")):
        if code not in present:
            warnings.append(f"Aucun compte de {what} dans ce fichier.")
    warnings += _unusual_signs(balance.accounts) + _closing_warning(balance.accounts)
    derived = result_account(balance.accounts)
    if derived:
        where = "au compte 120 (excédent)" if derived.number == "120" else "au compte 129 (déficit)"
        warnings.append(
            f"Le résultat de l'exercice ({money(-derived.balance)}) n'est pas encore affecté : "
            f"il sera porté {where} pour les indicateurs de bilan."
        )
    return Preview(balance, establishment, year, classes, replaced, warnings)


# --- Writing -------------------------------------------------------------------------------------------------------

COLUMNS = ["establishment_id", "managing_body_id", "category", "year", "element", "value", "batch_id"]


@transaction.atomic
def store(balance: TrialBalance, establishment: Establishment, year: int, user=None) -> ImportBatch:
    """Replaces the establishment-year's account balances by the file's, with the import recorded as their source.

    The audit entry keeps the replaced balances (before) and the new ones (after): what an import overwrote is
    never lost, even once a later import replaces these in turn.
    """
    # Two imports for the same establishment at once would each delete, then both insert: one waits for the other.
    Establishment.objects.select_for_update().only("pk").get(pk=establishment.pk)
    batch = ImportBatch.objects.create(
        file_name=balance.file_name[:255], kind=balance.kind, user=user, rows=balance.lines
    )
    replaced = existing_balances(establishment, year)
    before = {v.element: {"valeur": v.value, "import": v.batch_id} for v in replaced.order_by("element")}
    replaced.delete()
    accounts = accounts_to_store(balance)
    bulk_insert(
        DataValue._meta.db_table,
        COLUMNS,
        ((establishment.pk, None, "", year, f"{ACCOUNT_PREFIX}{a.number}", a.balance, batch.pk) for a in accounts),
    )
    where = {"etablissement": establishment.finess, "annee": year}
    record_import(
        user,
        batch,
        f"Import {balance.kind} {balance.file_name} : {count(len(accounts))} soldes de comptes pour {establishment.name} "
        f"({establishment.finess}), exercice {year}" + (f", {count(len(before))} soldes remplacés" if before else ""),
        {**where, "soldes": before},
        {**where, "soldes": {f"{ACCOUNT_PREFIX}{a.number}": a.balance for a in accounts}},
    )
    imported([establishment.pk], [year])
    return batch


def read_and_store(
    content: bytes, file_name: str, kind: str, period: FiscalYear, establishment: Establishment, year: int, user
) -> tuple[ImportBatch, TrialBalance]:
    """The confirmed import: the file read again, then its balances stored, if ``user`` still keeps the
    establishment's accounts (the page's confirmation, and the API's import in one step)."""
    if not may_import(user, establishment):
        raise ImportRefused(IMPORT_REFUSAL)
    balance = read(content, file_name, kind, period)
    return store(balance, establishment, year, user), balance


# --- Past imports --------------------------------------------------------------------------------------------------


def visible_batches(user) -> QuerySet:
    """Accounting imports whose establishment the user sees, and the user's own (even once replaced)."""
    establishments = visible(user, Establishment.objects.all())
    ids = (
        ImportBatch.objects.filter(kind__in=KINDS)
        .filter(Q(values__establishment__in=establishments) | Q(user=user))
        .values("pk")
    )
    return (
        ImportBatch.objects.filter(pk__in=ids)
        .annotate(accounts=Count("values"), year=Max("values__year"), establishment_id=Max("values__establishment_id"))
        .select_related("user")
        .order_by("-at", "-pk")
    )


@dataclass
class BatchReport:
    batch: ImportBatch
    establishment: Establishment | None  # None once a later import has replaced every balance
    year: int | None
    balances: list[tuple[str, Decimal]]
    classes: list[tuple[str, int, Decimal]]  # label, accounts, total balance


def batch_report(batch: ImportBatch) -> BatchReport:
    values = list(batch.values.select_related("establishment").order_by("element"))
    balances = [(v.element[len(ACCOUNT_PREFIX) :], v.value) for v in values]
    classes = []
    for code, label in CLASS_LABELS.items():
        members = [value for number, value in balances if number.startswith(code)]
        if members:
            classes.append((label, len(members), sum(members, Decimal(0))))
    first = values[0] if values else None
    return BatchReport(batch, first.establishment if first else None, first.year if first else None, balances, classes)


# --- Analytical sections -------------------------------------------------------------------------------------------


def visible_sections(user) -> QuerySet:
    return SectionMapping.objects.filter(establishment__in=visible(user, Establishment.objects.all())).select_related(
        "managing_body", "establishment"
    )


def importable_sections(user) -> QuerySet:
    return SectionMapping.objects.filter(establishment__in=importable_establishments(user)).select_related(
        "establishment"
    )


def add_section(user, establishment: Establishment, code: str, label: str = "") -> SectionMapping:
    refusal = section_refusal(user, establishment)
    if refusal:
        raise ImportRefused(refusal)
    return map_section(establishment, code, label, user)


def _section_snapshot(section: SectionMapping) -> dict:
    return {"section": section.code, "libellé": section.label, "établissement": str(section.establishment)}


def map_section(establishment: Establishment, code: str, label: str = "", user=None) -> SectionMapping:
    """A section of the establishment's managing body now stands for that establishment (``user``: None from the
    command line)."""
    code = code.strip()
    if not code:
        raise ImportRefused("Indiquez le code de la section analytique.")
    if len(code) > SectionMapping._meta.get_field("code").max_length:
        raise ImportRefused(f"Le code « {code} » est trop long : 40 caractères au plus.")
    taken = (
        SectionMapping.objects.filter(managing_body=establishment.managing_body, code=code)
        .select_related("establishment")
        .first()
    )
    if taken:
        raise ImportRefused(f"La section « {code} » est déjà rattachée {to(taken.establishment.name)}.")
    section = SectionMapping.objects.create(
        managing_body=establishment.managing_body,
        establishment=establishment,
        code=code,
        label=label.strip()[:200],
    )
    record(
        user,
        establishment.managing_body,
        f"Section analytique {code} rattachée {to(establishment.name)}",
        None,
        _section_snapshot(section),
    )
    return section


def remove_section(user, section: SectionMapping) -> None:
    refusal = section_refusal(user, section.establishment, removing=True)
    if refusal:
        raise ImportRefused(refusal)
    record(user, section.managing_body, f"Section analytique {section.code} retirée", _section_snapshot(section), None)
    section.delete()


# --- Files waiting between preview and confirmation ----------------------------------------------------------------


def _pending_folder() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _pending_path(token: str) -> Path:
    if not TOKEN.fullmatch(token or ""):
        raise ImportRefused("Aucun fichier en attente de confirmation : recommencez l'import.")
    return _pending_folder() / token


def too_large(file_name: str) -> ImportRefused:
    bound = settings.CPOM_MAX_UPLOAD_BYTES // 2**20
    return ImportRefused(
        f"Le fichier {file_name} dépasse {bound} Mo : exportez un exercice ou un établissement à la fois."
    )


def keep_pending(upload: UploadedFile) -> str:
    """Saves an uploaded file under a random name until it is confirmed; refuses it beyond CPOM_MAX_UPLOAD_BYTES.

    The upload handler (cpom.uploads) already stopped reading at the bound: the size then says so.
    """
    if upload.size > settings.CPOM_MAX_UPLOAD_BYTES:
        raise too_large(upload.name)
    folder = _pending_folder()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_stale(folder)
    token = secrets.token_urlsafe(24)
    path = folder / token
    size = 0
    try:
        with path.open("wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > settings.CPOM_MAX_UPLOAD_BYTES:
                    raise too_large(upload.name)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return token


def pending_content(token: str) -> bytes:
    try:
        return _pending_path(token).read_bytes()
    except FileNotFoundError:
        raise ImportRefused("Le fichier en attente n'existe plus : recommencez l'import.") from None


def forget_pending(token: str) -> None:
    if TOKEN.fullmatch(token or ""):
        _pending_path(token).unlink(missing_ok=True)


def _forget_stale(folder: Path) -> None:
    """Previews never confirmed leave their file behind; a day later it goes."""
    limit = time.time() - PENDING_MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


# --- The chart of accounts in force ---------------------------------------------------------------


def balances_for(establishment: Establishment, year: int) -> dict[str, Decimal]:
    """The establishment's account balances for the year, keyed by account number (debit − credit)."""
    rows = DataValue.objects.filter(establishment=establishment, year=year, element__startswith=ACCOUNT_PREFIX)
    return {element.removeprefix(ACCOUNT_PREFIX): value for element, value in rows.values_list("element", "value")}


# --- Storing and finding the chart in force ---------------------------------------------------------


@transaction.atomic
def load_chart(path: Path, authority: Authority | None = None) -> ChartOfAccounts:
    """Loads a chart for an authority (or the national one), replacing the one it had; all or nothing."""
    chart = read_chart(path)
    taken = (
        ChartOfAccounts.objects.filter(code=chart.code).exclude(authority=authority).select_related("authority").first()
    )
    if taken is not None:
        owner = of(taken.authority.name) if taken.authority else "du cadre national"
        raise ChartError(
            f"{path.name} : le code « {chart.code} » est déjà celui du plan {owner} ; choisissez un autre code."
        )
    ChartOfAccounts.objects.filter(authority=authority).exclude(code=chart.code).delete()
    stored, _ = ChartOfAccounts.objects.update_or_create(
        code=chart.code,
        defaults={"label": chart.label, "version": chart.version, "source": chart.source, "authority": authority},
    )
    stored.rules.all().delete()
    GroupRule.objects.bulk_create(
        GroupRule(chart=stored, prefix=r.prefix, side=r.side, group=r.group, label=r.label) for r in chart.rules
    )
    return stored


def load_national_chart() -> ChartOfAccounts:
    return load_chart(NATIONAL_CHART_FILE)


def _detached(stored: ChartOfAccounts) -> Chart:
    rules = tuple(Rule(r.prefix, r.side, r.group, r.label) for r in stored.rules.all())
    owner = stored.authority.name if stored.authority else ""
    return Chart(stored.code, stored.label, stored.version, stored.source, rules, owner)


def chart_for(authority: Authority | None) -> Chart:
    """The authority's own chart if it loaded one, else the national chart (as loaded, or the repository's file)."""
    charts = ChartOfAccounts.objects.select_related("authority").prefetch_related("rules")
    own = charts.filter(authority=authority).first() if authority is not None else None
    stored = own or charts.filter(authority=None).first()
    return _detached(stored) if stored is not None else read_chart(NATIONAL_CHART_FILE)


def load_chart_command(path: str | Path | None = None, authority_id: int | None = None) -> str:
    """Loads a chart file for an authority, or the national chart (the repository's file when no path is given)."""
    authority = None
    if authority_id is not None:
        authority = Authority.objects.filter(pk=authority_id).first()
        if authority is None:
            raise ChartError(f"Aucune autorité n'a l'identifiant {authority_id}.")
    stored = load_chart(Path(path) if path else NATIONAL_CHART_FILE, authority)
    owner = f"pour {the(authority.name)}" if authority else "comme cadre national"
    return (
        f"Plan de regroupement « {stored.label} » (v{stored.version}) chargé {owner} : {stored.rules.count()} règles."
    )
