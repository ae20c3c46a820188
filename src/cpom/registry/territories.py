"""French départements and regions (INSEE codes), read once from the data files."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    region: str
    finess_prefix: str


def _read(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@cache
def departments() -> dict[str, Department]:
    return {
        row["code"]: Department(row["code"], row["nom"], row["region"], row["prefixe_finess"])
        for row in _read("departements.csv")
    }


@cache
def regions() -> dict[str, str]:
    return {row["code"]: row["nom"] for row in _read("regions.csv")}


def department_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.code} – {d.name}") for d in departments().values()]


def region_choices() -> list[tuple[str, str]]:
    return sorted(regions().items(), key=lambda item: item[1])


def departments_of_region(region_code: str) -> list[str]:
    return [d.code for d in departments().values() if d.region == region_code]


def region_of(department_code: str) -> str | None:
    department = departments().get(department_code)
    return department.region if department else None


def region_name(code: str) -> str:
    """« Pays de la Loire » for 52; the code itself when it is not a region's."""
    return regions().get(code, code)


def department_label(code: str) -> str:
    """« Loire-Atlantique (44) »: the name a reader knows, with the number they also use."""
    department = departments().get(code)
    return f"{department.name} ({code})" if department else code


def territory_label(level: str, code: str) -> str:
    """A territory of comparison or of competence named for the reader: a department, a region or France."""
    if level == "nation":
        return "France"
    return region_name(code) if level == "region" else department_label(code)
