"""FEC import at the scale of a large managing body: a million lines into account balances.

    .venv/bin/python bench/fec_import.py [--lines 1000000]

1. A realistic FEC is generated (not timed): journals AC, VE, BQ, PA and OD, about 200 accounts of the
   social and medico-social chart (M22), balanced entries of 2 to 6 lines over one year, French amounts.
2. Its import into account balances (read the file, decode, check every line, balance every entry, add up
   each account) runs three times, each in a fresh process as the command line would; the median is reported.
   A bare ``polars.read_csv`` of the same file is timed the same way, for comparison, and so is the import of
   the same file in ISO-8859-15 (decoded, then re-encoded in UTF-8 for polars).
3. The balances are written into a database (a temporary SQLite file, or DATABASE_URL).

Each figure is printed as ``bench: NAME VALUE UNIT``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cpom.finance.accounting.fec import LEGAL_COLUMNS

YEAR = 2025
RUNS = 3

# (account, label); the pools below draw from them by journal and side.
ACCOUNTS = {
    "102000": "Fonds associatifs sans droit de reprise",
    "106820": "Excédents affectés à l'investissement",
    "110000": "Report à nouveau",
    "119000": "Report à nouveau déficitaire",
    "131000": "Subventions d'investissement",
    "139000": "Subventions inscrites au résultat",
    "142000": "Provisions réglementées",
    "151000": "Provisions pour risques",
    "157000": "Provisions pour charges à répartir",
    "164000": "Emprunts auprès des établissements de crédit",
    "168800": "Intérêts courus",
    "205000": "Logiciels",
    "211000": "Terrains",
    "213100": "Bâtiments",
    "213500": "Installations générales des constructions",
    "215400": "Matériel",
    "218100": "Agencements divers",
    "218200": "Matériel de transport",
    "218300": "Matériel de bureau et informatique",
    "218400": "Mobilier",
    "231300": "Constructions en cours",
    "280500": "Amortissements des logiciels",
    "281310": "Amortissements des bâtiments",
    "281350": "Amortissements des installations",
    "281540": "Amortissements du matériel",
    "281810": "Amortissements des agencements",
    "281820": "Amortissements du matériel de transport",
    "281830": "Amortissements du matériel informatique",
    "281840": "Amortissements du mobilier",
    "401000": "Fournisseurs",
    "404000": "Fournisseurs d'immobilisations",
    "408000": "Fournisseurs, factures non parvenues",
    "411000": "Usagers",
    "411100": "Usagers, hébergement",
    "416000": "Créances douteuses",
    "421000": "Personnel, rémunérations dues",
    "425000": "Personnel, avances",
    "428200": "Dettes provisionnées pour congés à payer",
    "431000": "Sécurité sociale",
    "437100": "Caisses de retraite",
    "437200": "Prévoyance",
    "437300": "Mutuelle",
    "438200": "Charges sociales sur congés à payer",
    "438600": "Autres charges à payer",
    "441100": "Dotation à recevoir (ARS)",
    "441200": "Financements à recevoir (département)",
    "442100": "Prélèvement à la source",
    "467000": "Autres comptes débiteurs ou créditeurs",
    "486000": "Charges constatées d'avance",
    "487000": "Produits constatés d'avance",
    "491000": "Dépréciations des comptes d'usagers",
    "512000": "Banque",
    "512100": "Banque, livret",
    "530000": "Caisse",
    "580000": "Virements internes",
    "601000": "Achats stockés, alimentation",
    "602110": "Produits pharmaceutiques",
    "602210": "Fournitures médicales",
    "602300": "Produits d'entretien",
    "606110": "Eau et assainissement",
    "606120": "Électricité",
    "606130": "Gaz",
    "606140": "Chauffage",
    "606210": "Combustibles et carburants",
    "606220": "Produits d'entretien",
    "606230": "Fournitures d'atelier",
    "606240": "Fournitures administratives",
    "606250": "Fournitures scolaires, éducatives et de loisirs",
    "606260": "Linge et habillement",
    "606300": "Petit équipement",
    "606600": "Fournitures médicales",
    "606800": "Autres achats",
    "611100": "Prestations à caractère médical",
    "611200": "Blanchissage à l'extérieur",
    "611300": "Alimentation à l'extérieur",
    "611800": "Autres prestations",
    "612200": "Crédit-bail mobilier",
    "613200": "Locations immobilières",
    "613500": "Locations mobilières",
    "614000": "Charges locatives et de copropriété",
    "615100": "Entretien et réparations des bâtiments",
    "615200": "Entretien et réparations du matériel",
    "615600": "Maintenance",
    "616100": "Assurance multirisques",
    "616300": "Assurance des véhicules",
    "616800": "Autres assurances",
    "617000": "Études et recherches",
    "618100": "Documentation générale",
    "618500": "Colloques et séminaires",
    "621100": "Personnel intérimaire",
    "621400": "Personnel mis à disposition",
    "622600": "Honoraires",
    "622700": "Frais d'actes et de contentieux",
    "622800": "Rémunérations d'intermédiaires diverses",
    "623100": "Annonces et insertions",
    "624100": "Transports sur achats",
    "624500": "Transports d'usagers",
    "624700": "Transports collectifs du personnel",
    "625100": "Voyages et déplacements",
    "625600": "Missions",
    "625700": "Réceptions",
    "626100": "Affranchissements",
    "626200": "Télécommunications",
    "627000": "Services bancaires",
    "628100": "Cotisations",
    "628300": "Nettoyage à l'extérieur",
    "628400": "Frais de recrutement",
    "628800": "Autres prestations diverses",
    "631100": "Taxe sur les salaires",
    "631200": "Taxe d'apprentissage",
    "631300": "Formation professionnelle continue",
    "633300": "Effort de construction",
    "635110": "Taxe foncière",
    "637800": "Autres taxes",
    "641100": "Salaires, appointements",
    "641200": "Congés payés",
    "641300": "Primes et gratifications",
    "641400": "Indemnités et avantages divers",
    "641500": "Supplément familial",
    "645100": "Cotisations à l'URSSAF",
    "645200": "Cotisations aux mutuelles",
    "645300": "Cotisations aux caisses de retraite",
    "645400": "Cotisations à l'assurance chômage",
    "645800": "Cotisations aux autres organismes sociaux",
    "647100": "Prestations directes",
    "647200": "Versements au comité social et économique",
    "647500": "Médecine du travail",
    "648000": "Autres charges de personnel",
    "651000": "Redevances pour concessions",
    "654000": "Pertes sur créances irrécouvrables",
    "655100": "Quote-part de frais de siège",
    "658000": "Charges diverses de gestion courante",
    "661100": "Intérêts des emprunts",
    "661600": "Intérêts bancaires",
    "671200": "Pénalités et amendes",
    "671800": "Autres charges exceptionnelles",
    "672000": "Charges sur exercices antérieurs",
    "675000": "Valeur comptable des éléments d'actif cédés",
    "681110": "Amortissements des immobilisations incorporelles",
    "681120": "Amortissements des immobilisations corporelles",
    "681500": "Provisions d'exploitation",
    "681700": "Dépréciations des actifs circulants",
    "686000": "Provisions financières",
    "687000": "Amortissements exceptionnels",
    "689000": "Engagements à réaliser sur ressources affectées",
    "706100": "Prestations de services",
    "706300": "Participation des usagers",
    "708300": "Locations diverses",
    "708400": "Mise à disposition de personnel facturée",
    "708700": "Remboursements de frais",
    "708800": "Autres produits d'activités annexes",
    "731100": "Produits à la charge de l'assurance maladie",
    "731200": "Produits à la charge du département",
    "731300": "Forfaits soins",
    "731800": "Autres produits de la tarification",
    "735100": "Dotation globale de financement",
    "735200": "Dotation globale du département",
    "741000": "Subventions d'exploitation de l'État",
    "744000": "Subventions des collectivités",
    "747100": "Fonds d'intervention régional",
    "748000": "Autres subventions d'exploitation",
    "751000": "Redevances",
    "752000": "Revenus des immeubles non affectés",
    "754000": "Dons",
    "756000": "Cotisations",
    "758000": "Produits divers de gestion courante",
    "761000": "Produits des participations",
    "763000": "Revenus des autres créances",
    "768000": "Autres produits financiers",
    "771300": "Libéralités reçues",
    "771800": "Autres produits exceptionnels",
    "772000": "Produits sur exercices antérieurs",
    "775000": "Produits des cessions d'éléments d'actif",
    "777000": "Quote-part des subventions d'investissement",
    "778000": "Autres produits exceptionnels divers",
    "781100": "Reprises sur amortissements",
    "781500": "Reprises sur provisions d'exploitation",
    "781700": "Reprises sur dépréciations",
    "786000": "Reprises sur provisions financières",
    "787000": "Reprises sur provisions exceptionnelles",
    "789000": "Report des ressources non utilisées",
    "791000": "Transferts de charges d'exploitation",
}


def _starting(*prefixes: str) -> list[str]:
    return [a for a in ACCOUNTS if a.startswith(prefixes)]


# journal: (label, line label, share of entries, fewest lines, most lines, main side is debit,
#           accounts of the main lines, accounts of the balancing line)
JOURNALS = {
    "AC": (
        "Achats",
        "Facture fournisseur",
        0.34,
        2,
        5,
        True,
        _starting("60", "61", "62", "63", "651", "658", "20", "21", "23"),
        ["401000", "401000", "404000", "408000"],
    ),
    "VE": (
        "Facturation",
        "Facturation des usagers et dotations",
        0.14,
        2,
        4,
        False,
        _starting("70", "73", "74", "75", "76"),
        ["411000", "411100", "441100", "441200"],
    ),
    "BQ": (
        "Banque",
        "Règlement",
        0.30,
        2,
        3,
        True,
        [
            "401000",
            "404000",
            "421000",
            "431000",
            "437100",
            "437200",
            "437300",
            "442100",
            "627000",
            "661100",
            "661600",
            "164000",
            "530000",
            "580000",
        ],
        ["512000", "512100"],
    ),
    "PA": (
        "Paie",
        "Paie du mois",
        0.10,
        4,
        6,
        True,
        _starting("64", "631", "633"),
        ["421000", "431000", "437100", "437200", "442100", "425000"],
    ),
    "OD": (
        "Opérations diverses",
        "Écritures d'inventaire",
        0.12,
        2,
        3,
        True,
        _starting("68", "67", "486", "139", "110", "119", "106", "428", "438", "467"),
        _starting("28", "15", "14", "491", "487", "777", "78", "79", "408", "10", "13", "77"),
    ),
}
# A bank entry is a receipt (the bank debited) this often.
RECEIPTS = 0.45
RECEIPT_ACCOUNTS = ["411000", "411100", "441100", "441200", "754000", "768000", "416000"]
COLUMNS = list(LEGAL_COLUMNS)


def _entry_sizes(rng, journals, lines: int):
    """Entries' journals and sizes, trimmed so that their lines add up to exactly ``lines``."""
    import numpy as np

    codes = list(JOURNALS)
    low = np.array([JOURNALS[c][3] for c in codes])[journals]
    high = np.array([JOURNALS[c][4] for c in codes])[journals]
    sizes = rng.integers(low, high + 1)
    kept = int(np.searchsorted(np.cumsum(sizes), lines)) + 1
    journals, sizes = journals[:kept], sizes[:kept].copy()
    sizes[-1] -= int(sizes.sum()) - lines
    if sizes[-1] < 2:  # an entry has two lines at least: borrow one from the one before
        sizes[-2] -= 2 - sizes[-1]
        sizes[-1] = 2
    return journals, sizes


def _amounts(rng, journal_of_line, main):
    """Cents of each main line: purchases of a few hundred euros, payroll lines of thousands."""
    import numpy as np

    scale = np.array([np.log(30000), np.log(400000), np.log(80000), np.log(250000), np.log(150000)])
    cents = np.exp(rng.normal(scale[journal_of_line], 1.2)).astype(np.int64) + 1
    return np.where(main, cents, 0)


def _accounts_of_lines(rng, journal_of_line, main, receipt_of_line):
    import numpy as np

    chosen = np.empty(len(journal_of_line), dtype=object)
    for index, (code, spec) in enumerate(JOURNALS.items()):
        for is_main, pool in ((True, spec[6]), (False, spec[7])):
            mask = (journal_of_line == index) & (main == is_main)
            if code == "BQ":
                receipts = mask & receipt_of_line
                pool_receipts = RECEIPT_ACCOUNTS if is_main else spec[7]
                chosen[receipts] = np.array(pool_receipts, dtype=object)[
                    rng.integers(0, len(pool_receipts), receipts.sum())
                ]
                mask &= ~receipt_of_line
            chosen[mask] = np.array(pool, dtype=object)[rng.integers(0, len(pool), mask.sum())]
    return chosen


def generate_fec(path: Path, lines: int, seed: int = 1) -> int:
    """Writes a balanced FEC of exactly ``lines`` lines (plus the header); returns its number of entries."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    codes = list(JOURNALS)
    shares = np.array([JOURNALS[c][2] for c in codes])
    journals, sizes = _entry_sizes(rng, rng.choice(len(codes), size=lines // 2, p=shares / shares.sum()), lines)
    entries = len(sizes)
    days = np.sort(rng.integers(0, 365, entries))  # entries come in date order, as accounting software exports them
    entry = np.repeat(np.arange(entries), sizes)
    position = np.arange(lines) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    main = position < np.repeat(sizes - 1, sizes)  # the last line of an entry balances the others
    journal_of_line = journals[entry]
    receipt_of_line = (rng.random(entries) < RECEIPTS)[entry] & (journal_of_line == codes.index("BQ"))
    main_is_debit = np.array([JOURNALS[c][5] for c in codes])[journal_of_line] ^ receipt_of_line
    cents = _amounts(rng, journal_of_line, main)
    cents = np.where(main, cents, np.bincount(entry, weights=cents, minlength=entries).astype(np.int64)[entry])
    is_debit = main_is_debit == main
    accounts = _accounts_of_lines(rng, journal_of_line, main, receipt_of_line)
    dates = np.datetime64(f"{YEAR}-01-01") + days
    frame = pl.DataFrame(
        {
            "journal": pl.Series(np.array(codes)[journals]),
            "date": pl.Series(dates),
            "lag": rng.integers(0, 12, entries),  # days between the voucher, the entry and its validation
        }
    ).with_columns(pl.int_range(1, pl.len() + 1).over("journal").alias("sequence"))

    def french(values) -> pl.Expr:
        amount = pl.lit(pl.Series(values))
        return (amount // 100).cast(pl.String) + "," + (amount % 100).cast(pl.String).str.zfill(2)

    journal_labels = {c: JOURNALS[c][0] for c in codes}
    line_labels = {c: JOURNALS[c][1] for c in codes}
    per_line = frame.select(pl.all().gather(pl.lit(pl.Series(entry)))).with_columns(
        pl.Series("account", accounts.astype(str)),
        pl.Series("aux", rng.integers(1, 900, lines)),
    )
    fec = per_line.select(
        pl.col("journal").alias("JournalCode"),
        pl.col("journal").replace_strict(journal_labels).alias("JournalLib"),
        (pl.col("journal") + pl.col("sequence").cast(pl.String).str.zfill(6)).alias("EcritureNum"),
        pl.col("date").dt.strftime("%Y%m%d").alias("EcritureDate"),
        pl.col("account").alias("CompteNum"),
        pl.col("account").replace_strict(ACCOUNTS).alias("CompteLib"),
        pl.when(pl.col("account").str.starts_with("401"))
        .then("F" + pl.col("aux").cast(pl.String).str.zfill(5))
        .when(pl.col("account").str.starts_with("411"))
        .then("U" + pl.col("aux").cast(pl.String).str.zfill(5))
        .otherwise(pl.lit(""))
        .alias("CompAuxNum"),
        pl.when(pl.col("account").str.starts_with("401"))
        .then("Fournisseur n° " + pl.col("aux").cast(pl.String))
        .when(pl.col("account").str.starts_with("411"))
        .then("Usager n° " + pl.col("aux").cast(pl.String))
        .otherwise(pl.lit(""))
        .alias("CompAuxLib"),
        (pl.col("journal") + "-" + pl.col("sequence").cast(pl.String)).alias("PieceRef"),
        (pl.col("date") - pl.duration(days=pl.col("lag"))).dt.strftime("%Y%m%d").alias("PieceDate"),
        pl.col("journal").replace_strict(line_labels).alias("EcritureLib"),
        pl.when(pl.lit(pl.Series(is_debit))).then(french(cents)).otherwise(pl.lit("0,00")).alias("Debit"),
        pl.when(pl.lit(pl.Series(is_debit))).then(pl.lit("0,00")).otherwise(french(cents)).alias("Credit"),
        pl.when(pl.col("aux") < 300).then(pl.lit("AA")).otherwise(pl.lit("")).alias("EcritureLet"),
        pl.when(pl.col("aux") < 300)
        .then((pl.col("date") + pl.duration(days=30)).dt.strftime("%Y%m%d"))
        .otherwise(pl.lit(""))
        .alias("DateLet"),
        (pl.col("date") + pl.duration(days=pl.col("lag"))).dt.strftime("%Y%m%d").alias("ValidDate"),
        pl.lit("").alias("Montantdevise"),
        pl.lit("EUR").alias("Idevise"),
    )
    fec.select(COLUMNS).write_csv(path, separator="|", quote_style="never")
    return entries


# --- Timed runs, each in a fresh process ---------------------------------------------------------------------------


def run_import(path: Path) -> None:
    import django

    django.setup()
    from cpom.finance.accounting.fec import FiscalYear, read_fec

    started = time.perf_counter()
    balance = read_fec(path.read_bytes(), path.name, FiscalYear.calendar(YEAR))
    wall = time.perf_counter() - started
    print(f"accounts: {len(balance.accounts)} {balance.entries} {balance.total_debit}", flush=True)
    print(f"run: {wall:.3f}", flush=True)


def run_polars(path: Path) -> None:
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_csv(path, separator="|")
    wall = time.perf_counter() - started
    print(f"rows: {frame.height}", flush=True)
    print(f"run: {wall:.3f}", flush=True)


def median_of_fresh_runs(mode: str, path: Path) -> tuple[float, list[str]]:
    walls, notes = [], []
    for _ in range(RUNS):
        output = subprocess.run(
            [sys.executable, __file__, f"--{mode}", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in output.splitlines():
            if line.startswith("run: "):
                walls.append(float(line[5:]))
            else:
                notes.append(line)
    print(f"{mode} : {', '.join(f'{w:.2f}' for w in walls)} s", flush=True)
    return statistics.median(walls), notes


def database_write(path: Path) -> None:
    """The balances into the database: a managing body and an establishment of the bench's own."""
    import django
    from django.core.management import call_command

    django.setup()
    from cpom.finance.accounting import fec
    from cpom.finance.accounting import services as imports
    from cpom.registry.identifiers import finess_with_key
    from cpom.registry.models import Establishment, LegalStatus, ManagingBody

    call_command("migrate", verbosity=0)
    body, _ = ManagingBody.objects.get_or_create(
        siren="999000107", defaults={"name": "Banc d'essai", "legal_status": LegalStatus.ASSOCIATION}
    )
    establishment, _ = Establishment.objects.get_or_create(
        finess=finess_with_key("99000001"),
        defaults={
            "name": "Établissement du banc d'essai",
            "category": "IME",
            "sector": "PH",
            "audience": "children",
            "authorised_places": 60,
            "installed_places": 60,
            "opening_days": 210,
            "department": "44",
            "managing_body": body,
        },
    )
    balance = fec.read_fec(path.read_bytes(), path.name, fec.FiscalYear.calendar(YEAR))
    started = time.perf_counter()
    imports.store(balance, establishment, YEAR)
    wall = time.perf_counter() - started
    print(
        f"base : {len(balance.accounts)} soldes écrits ({'PostgreSQL' if 'DATABASE_URL' in os.environ else 'SQLite'})",
        flush=True,
    )
    print(f"bench: fec_db_write_wall {wall:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--import", dest="import_only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--polars", dest="polars_only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    if args.import_only:
        return run_import(args.import_only)
    if args.polars_only:
        return run_polars(args.polars_only)
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("CPOM_VAR_DIR", folder)
        path = Path(folder) / f"999000107FEC{YEAR}1231.txt"
        started = time.perf_counter()
        entries = generate_fec(path, args.lines)
        print(
            f"génération : {args.lines} lignes, {entries} écritures, {len(ACCOUNTS)} comptes possibles "
            f"en {time.perf_counter() - started:.1f} s (non chronométré)",
            flush=True,
        )
        print(f"bench: fec_lines {args.lines} lines")
        print(f"bench: fec_file_size {path.stat().st_size / 1e6:.1f} MB")
        import_wall, notes = median_of_fresh_runs("import", path)
        accounts = next(n for n in notes if n.startswith("accounts: ")).split()[1]
        print(f"bench: fec_import_wall {import_wall:.2f} s")
        print(f"bench: fec_accounts {accounts} accounts")
        read_wall, _ = median_of_fresh_runs("polars", path)
        print(f"bench: polars_read_csv_wall {read_wall:.2f} s")
        print(f"bench: fec_import_lines_per_second {args.lines / import_wall:.0f} lines/s")
        latin = path.with_name(f"999000107FEC{YEAR}1231-iso-8859-15.txt")
        latin.write_bytes(path.read_text(encoding="utf-8").encode("iso-8859-15"))  # the legal text's own encoding
        latin_wall, _ = median_of_fresh_runs("import", latin)
        print(f"bench: fec_import_iso8859_15_wall {latin_wall:.2f} s")
        database_write(path)
    return None


if __name__ == "__main__":
    main()
