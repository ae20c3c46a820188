"""The yearly follow-up at a region's scale: the grids of 100 contracts of 7 establishments with 5 years of data.

    .venv/bin/python bench/followup.py [--contracts 100]

A fresh SQLite database in a temporary folder (or DATABASE_URL) is given, untimed: the national catalogue, 700
establishments (one of each of seven categories per contract) with five years of synthetic data computed by the
engine (cpom.demo.indicator_data, as the demo loads it), and 100 contracts, each with three strategic objectives,
six operational ones carrying two catalogue indicators and one declared indicator each (18 indicators, 8 lines each:
seven categories and the consolidated line), a milestone each, and an open campaign reviewing 2024 (year N+2).

Then, timed (the median of three runs):

- ``followup_grids_100``: ``grid_for`` of the 100 campaigns, every line with its values of every year, their files
  and its proposed level (goal: under 5 s);
- ``followup_recompute_100``: ``recompute`` of the 100 campaigns, which also stores every proposal;
- ``followup_grid_export``: one campaign's grid written as the authority's workbook (cpom.followup.workbook: the grid,
  its plain data, the .xlsx), 144 lines (goal: under 1 s);
- ``followup_grid_import``: that workbook filled on every line (a comment each, « oui » for the 48 lines of declared
  indicators) read back with its preview, then confirmed (one run: the confirmation changes the grid).
- ``followup_report_docx``, ``followup_report_pdf``: one campaign's annual report, written as its download does.
- ``alerts_100_contracts``: the alerts of the 100 contracts (every kind but the deficit, these contracts having no
  retained trajectory: ``bench/alerts.py`` measures that one too).

Each figure is printed as ``bench: NAME VALUE UNIT``; the helpers of the follow-up add theirs here, one function per
figure.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

RUNS = 3
CATEGORIES = ["IME", "SESSAD", "ESAT", "FAM", "MAS", "FV", "SAVS"]
START = date(2022, 1, 1)


def _setup(folder: Path) -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'cpom.sqlite3'}"
    os.environ["CPOM_VAR_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _population(contracts: int):
    """``contracts`` managing bodies of seven establishments (one per category), with the engine's values."""
    from cpom.demo.indicator_data import load_demo_indicators
    from cpom.demo.synthetic import generate_population
    from cpom.registry.identifiers import luhn_check_digit
    from cpom.registry.models import Establishment, LegalStatus, ManagingBody

    bodies = []
    for number in range(contracts):
        first_eight = f"8{number:07d}"
        bodies.append(
            ManagingBody.objects.create(
                siren=first_eight + luhn_check_digit(first_eight),
                name=f"Organisme du banc d'essai n° {number + 1}",
                legal_status=LegalStatus.ASSOCIATION,
            )
        )
    rows = []
    for index, category in enumerate(CATEGORIES):
        population = generate_population(
            contracts,
            [2021],
            seed=90 + index,
            departments=["44", "49"],
            categories=[category],
            finess_offset=500000 + 1000 * index,
        ).establishments
        rows += [(number, row) for number, row in enumerate(population.iter_rows(named=True))]
    Establishment.objects.bulk_create(
        [
            Establishment(
                finess=row["finess"],
                name=row["name"],
                category=row["category"],
                sector=row["sector"],
                audience=row["audience"],
                authorised_places=row["authorised_places"],
                installed_places=row["installed_places"],
                opening_days=row["opening_days"],
                department=row["department"],
                managing_body=bodies[number],
            )
            for number, row in rows
        ],
        batch_size=500,
    )
    load_demo_indicators(list(Establishment.objects.filter(managing_body__in=bodies)), 5)
    return bodies


def _catalogue_indicators(count: int):
    from cpom.indicators.models import Indicator, IndicatorValue

    computed = IndicatorValue.objects.filter(value__isnull=False).values_list("indicator", flat=True).distinct()
    return [i for i in Indicator.objects.filter(pk__in=list(computed)).order_by("pk") if not i.categories][:count]


def _contracts(bodies) -> list:
    """A contract per body with its objectives and an open campaign (written directly: nothing here is timed)."""
    from cpom.contracts.models import Contract, ContractParty
    from cpom.followup.models import Campaign, CampaignStatus
    from cpom.objectives.models import FollowUpIndicator, Level, Milestone, Objective, Status, Target
    from cpom.registry.models import Authority, AuthorityKind

    ars = Authority.objects.create(kind=AuthorityKind.ARS, territory="52", name="ARS du banc d'essai")
    catalogue = _catalogue_indicators(12)
    campaigns = []
    for number, body in enumerate(bodies):
        contract = Contract.objects.create(
            reference=f"CPOM-BANC-{number + 1:03d}",
            title=f"CPOM de {body.name}",
            managing_body=body,
            legal_basis="L313-12-2",
            duration_years=5,
            start_date=START,
            end_date=date(START.year + 4, 12, 31),
        )
        contract.establishments.set(body.establishments.all())
        ContractParty.objects.create(contract=contract, authority=ars, is_lead=True)
        for s in range(3):
            strategic = Objective.objects.create(
                contract=contract, level=Level.STRATEGIC, number=f"{s + 1}", title=f"Axe {s + 1}", status=Status.AGREED
            )
            for o in range(2):
                operational = Objective.objects.create(
                    contract=contract,
                    level=Level.OPERATIONAL,
                    parent=strategic,
                    number=f"{s + 1}.{o + 1}",
                    title=f"Objectif {s + 1}.{o + 1}",
                    due_year=2 + o * 2,
                    status=Status.AGREED,
                )
                Milestone.objects.create(objective=operational, label="Étape", due_date=date(2024, 6, 30))
                for indicator in catalogue[(2 * s + o) * 2 : (2 * s + o) * 2 + 2]:
                    follow = FollowUpIndicator.objects.create(
                        objective=operational,
                        catalogue_indicator=indicator,
                        label=indicator.label,
                        kind=indicator.kind,
                        value_type=indicator.value_type,
                        unit=indicator.unit,
                        direction=indicator.direction,
                    )
                    Target.objects.create(indicator=follow, due_year=operational.due_year, value="50")
                declared = FollowUpIndicator.objects.create(
                    objective=operational, label="Plan d'actions adopté", kind="moyens", value_type="boolean"
                )
                Target.objects.create(indicator=declared, due_year=operational.due_year, value="oui")
        campaigns.append(
            Campaign.objects.create(
                contract=contract,
                year=2025,
                reviewed_year=2024,
                status=CampaignStatus.OPEN,
                opened_on=date(2025, 5, 5),
                report_deadline=date(2025, 6, 5),
            )
        )
    return campaigns


def _median_of_runs(work) -> tuple[float, list[float]]:
    walls = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        walls.append(time.perf_counter() - started)
    return statistics.median(walls), walls


def grids(campaigns) -> None:
    from cpom.followup.grid import grid_for

    lines = []
    median, walls = _median_of_runs(lambda: lines.append(sum(len(grid_for(c).lines) for c in campaigns)))
    print(f"{len(campaigns)} grilles, {lines[-1]} lignes ; essais : {', '.join(f'{w:.2f}' for w in walls)} s")
    print(f"bench: followup_grids_{len(campaigns)} {median:.2f} s", flush=True)


def recompute_all(campaigns) -> None:
    from cpom.followup.services import recompute

    median, walls = _median_of_runs(lambda: [recompute(c) for c in campaigns])
    print(f"essais : {', '.join(f'{w:.2f}' for w in walls)} s")
    print(f"bench: followup_recompute_{len(campaigns)} {median:.2f} s", flush=True)


def grid_export(campaigns) -> None:
    from cpom.followup.workbook import grid_workbook

    sizes = []
    median, walls = _median_of_runs(lambda: sizes.append(len(grid_workbook(campaigns[0]))))
    print(f"classeur de {sizes[-1] // 1024} ko ; essais : {', '.join(f'{w:.2f}' for w in walls)} s")
    print(f"bench: followup_grid_export {median:.2f} s", flush=True)


def grid_import(campaigns) -> None:
    from io import BytesIO

    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from cpom.access import Role
    from cpom.accounts.models import Membership
    from cpom.followup import sheet
    from cpom.followup.workbook import confirm_import, grid_workbook, preview_import

    campaign = campaigns[0]
    user = get_user_model().objects.create_user("banc-og", password=None)
    Membership.objects.create(user=user, managing_body=campaign.contract.managing_body, role=Role.VALIDATE)
    book = load_workbook(BytesIO(grid_workbook(campaign)))
    ws = book.active
    columns = {c.value: c.column for row in (sheet.GROUP_ROW, sheet.HEADER_ROW) for c in ws[row] if c.value}
    for row in range(sheet.FIRST_LINE_ROW, ws.max_row + 1):
        if ws.cell(row, columns[sheet.KEY]).value:
            ws.cell(row, columns[sheet.COMMENT]).value = f"Commentaire de la ligne {row}"
            if not ws.cell(row, columns[sheet.SITUATION]).protection.locked:
                ws.cell(row, columns[sheet.SITUATION]).value = "oui"
    out = BytesIO()
    book.save(out)
    started = time.perf_counter()
    preview = preview_import(campaign, user, out.getvalue(), "grille.xlsx")
    read = time.perf_counter() - started
    started = time.perf_counter()
    written = confirm_import(campaign, user, preview.token)
    confirmed = time.perf_counter() - started
    print(f"{written} cellules ; aperçu {read:.2f} s, confirmation {confirmed:.2f} s")
    print(f"bench: followup_grid_import {read + confirmed:.2f} s", flush=True)


def report_documents(campaigns) -> None:
    """The annual report of one campaign (18 indicators × 8 lines, a chart per line with values): Word, then PDF,
    each written from the grid as a download writes it (the grid, the report's facts and the file)."""
    from cpom.followup.report import report_file

    for extension, name in (("docx", "followup_report_docx"), ("pdf", "followup_report_pdf")):
        sizes: list[int] = []

        def write(extension=extension, sizes=sizes) -> None:
            sizes.append(len(report_file(campaigns[0], extension)[1]))

        median, walls = _median_of_runs(write)
        print(f"rapport {extension} : {sizes[-1] / 1e6:.2f} Mo ; essais : {', '.join(f'{w:.2f}' for w in walls)} s")
        print(f"bench: {name} {median:.2f} s", flush=True)


def alerts(campaigns) -> None:
    """The alerts of the campaigns' contracts (``cpom suivi alertes``): the first run raises them, the next ones find
    them again (none duplicated); the median of the three is reported, the first run beside it."""
    from cpom.alerts import services
    from cpom.contracts.models import Contract

    contracts = Contract.objects.filter(pk__in=[c.contract_id for c in campaigns]).prefetch_related(
        "parties__authority"
    )
    summaries = []
    median, walls = _median_of_runs(lambda: summaries.append(services.compute_all(contracts=contracts)))
    count, first = summaries[0]
    print(f"{services.summary_text(count, first)} ; essais : {', '.join(f'{w:.2f}' for w in walls)} s")
    print(f"bench: alerts_{len(campaigns)}_contracts {median:.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=100)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    folder = Path(tempfile.mkdtemp(prefix="cpom-bench-followup-"))
    try:
        _setup(folder)
        started = time.perf_counter()
        campaigns = _contracts(_population(options.contracts))
        print(f"données préparées en {time.perf_counter() - started:.1f} s (non chronométré)", flush=True)
        grids(campaigns)
        recompute_all(campaigns)
        grid_export(campaigns)
        grid_import(campaigns)
        report_documents(campaigns)
        alerts(campaigns)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
