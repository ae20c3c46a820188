"""The ARS's five-year programming: twelve managing bodies over the region's five départements.

Ten of them are synthetic, and named so (« Association fictive … », « Fondation fictive … »), each with two to four
establishments whose FINESS numbers carry a valid key; the two demo bodies are programmed too: the association for
its contract being negotiated (linked), the EHPAD for the renewal of its contract in force, which ends in 2028. The
lines are written by the ARS through the real services, on the demo's dates; the council of Loire-Atlantique then
changes one line it shares, as the co-construction between ARS and council goes (seed 001 L260).
"""

from datetime import date

from cpom.demo.clock import fixed_clock, moment
from cpom.portfolios import services
from cpom.registry.identifiers import finess_with_key, luhn_check_digit
from cpom.registry.models import Contact, Establishment, ManagingBody

CITIES = {
    "44": ["Saint-Herblain", "Clisson", "Pornic", "Ancenis"],
    "49": ["Cholet", "Saumur", "Segré", "Doué-la-Fontaine"],
    "53": ["Laval", "Château-Gontier", "Mayenne", "Évron"],
    "72": ["Le Mans", "La Flèche", "Sablé-sur-Sarthe", "Mamers"],
    "85": ["La Roche-sur-Yon", "Les Sables-d'Olonne", "Fontenay-le-Comte", "Challans"],
}
# category, sector, audience, places, opening days, funded by the council too
SITES = {
    "IME": ("PH", "children", 48, 210, False),
    "SESSAD": ("PH", "children", 30, 210, False),
    "ESAT": ("PH", "adults", 70, 226, False),
    "FAM": ("PH", "adults", 36, 365, True),
    "MAS": ("PH", "adults", 42, 365, False),
    "EHPAD": ("PA", "adults", 80, 365, True),
    "SSIAD": ("PA", "adults", 35, 365, False),
}
# name, legal status, département, categories of its establishments, target year, priority, maturity, situation
SYNTHETIC_BODIES = [
    (
        "Association fictive Horizons Atlantique",
        "association",
        "44",
        ["IME", "SESSAD", "FAM"],
        2027,
        "haute",
        "moyenne",
        "request",
    ),
    (
        "Fondation fictive Estuaire Solidaire",
        "fondation",
        "44",
        ["EHPAD", "SSIAD"],
        2029,
        "moyenne",
        "elevee",
        "head_office",
    ),
    (
        "Association fictive Les Coteaux d'Anjou",
        "association",
        "49",
        ["ESAT", "FAM", "MAS"],
        2027,
        "haute",
        "faible",
        "deficit",
    ),
    (
        "Association fictive Val de Loire Autonomie",
        "association",
        "49",
        ["EHPAD", "SSIAD"],
        2030,
        "faible",
        "moyenne",
        "convergence",
    ),
    (
        "Association fictive Bocage Mayennais",
        "association",
        "53",
        ["IME", "ESAT"],
        2028,
        "moyenne",
        "faible",
        "identified",
    ),
    (
        "Groupement fictif Mayenne Grand Âge",
        "public",
        "53",
        ["EHPAD", "SSIAD", "EHPAD"],
        2030,
        "haute",
        "moyenne",
        "convergence",
    ),
    (
        "Association fictive Sarthe Avenir",
        "association",
        "72",
        ["IME", "SESSAD", "ESAT", "MAS"],
        2027,
        "moyenne",
        "elevee",
        "request",
    ),
    (
        "Fondation fictive du Perche Sarthois",
        "fondation",
        "72",
        ["EHPAD", "SSIAD"],
        2029,
        "faible",
        "moyenne",
        "deficit",
    ),
    (
        "Association fictive Vendée Inclusion",
        "association",
        "85",
        ["IME", "FAM", "ESAT"],
        2028,
        "haute",
        "moyenne",
        "head_office",
    ),
    (
        "Association fictive Littoral Vendéen",
        "association",
        "85",
        ["EHPAD", "SSIAD"],
        2030,
        "moyenne",
        "faible",
        "identified",
    ),
]
WRITTEN_ON = date(2026, 2, 2)
CHANGED_ON = date(2026, 3, 10)


def _synthetic_body(number: int, spec, councils: dict) -> tuple[ManagingBody, list[Establishment], list]:
    name, status, department, categories, *_ = spec
    first_eight = f"9980{number:04d}"
    body, _ = ManagingBody.objects.update_or_create(
        siren=first_eight + luhn_check_digit(first_eight),
        defaults={
            "name": name,
            "legal_status": status,
            "legal_finess": finess_with_key(f"{department}9{number:02d}000"),
            "city": CITIES[department][0],
        },
    )
    sites, funders_of_council = [], []
    for index, category in enumerate(categories):
        sector, audience, places, days, shared = SITES[category]
        site, _ = Establishment.objects.update_or_create(
            finess=finess_with_key(f"{department}9{number:02d}{index + 1:03d}"),
            defaults={
                "name": f"{category} fictif {CITIES[department][index % 4]}",
                "category": category,
                "sector": sector,
                "audience": audience,
                "authorised_places": places + 2 * index,
                "installed_places": places,
                "opening_days": days,
                "department": department,
                "city": CITIES[department][index % 4],
                "managing_body": body,
            },
        )
        sites.append(site)
        if shared and department in councils:
            funders_of_council.append(site)
    return body, sites, funders_of_council


def _line(user, authority, body, sites, year, priority, maturity, situation, authorities, referent, **more):
    return services.create_entry(
        user,
        authority,
        {
            "managing_body": body,
            "establishments": sites,
            "target_year": year,
            "authorities": authorities,
            "territorial_priority": priority,
            "maturity": maturity,
            "situation": situation,
            "referent": referent,
            "contract": more.get("contract"),
            "comment": more.get("comment", ""),
        },
    )


def load_demo_programming(context) -> None:
    users, bodies, authorities = context["users"], context["bodies"], context["authorities"]
    ars = authorities["ars"]
    councils = {"44": authorities["cd44"], "49": authorities["cd49"]}
    ars_referent = Contact.objects.get(authority=ars, last_name="Benali")
    council_referents = {code: Contact.objects.filter(authority=a).first() for code, a in councils.items()}
    shared_lines = []
    with fixed_clock(moment(WRITTEN_ON)):
        for number, spec in enumerate(SYNTHETIC_BODIES, start=1):
            body, sites, council_sites = _synthetic_body(number, spec, councils)
            department = spec[2]
            for site in sites:
                site.funders.set([ars, councils[department]] if site in council_sites else [ars])
            concerned = [ars] + ([councils[department]] if council_sites else [])
            referent = council_referents[department] if council_sites and number % 2 else ars_referent
            entry = _line(users["ars"], ars, body, sites, *spec[4:], concerned, referent)
            if council_sites:
                shared_lines.append((entry, department))
        association, ehpad = bodies["association"], bodies["ehpad"]
        association_contract = association.contracts.order_by("pk").first()
        _line(
            users["ars"],
            ars,
            association,
            list(association_contract.establishments.all()),
            2026,
            "haute",
            "elevee",
            "request",
            [ars, councils["44"]],
            ars_referent,
            contract=association_contract,
            comment="Contrat en négociation ; signature visée en décembre 2026.",
        )
        _line(
            users["ars"],
            ars,
            ehpad,
            list(ehpad.establishments.all()),
            2028,
            "moyenne",
            "elevee",
            "convergence",
            [ars, councils["49"]],
            ars_referent,
            comment="Renouvellement du CPOM en vigueur, qui prend fin le 31 décembre 2028.",
        )
    # The council of Loire-Atlantique revises the priority of a line it shares with the ARS.
    entry, department = next(item for item in shared_lines if item[1] == "44")
    with fixed_clock(moment(CHANGED_ON)):
        entry.refresh_from_db()
        data = {
            "managing_body": entry.managing_body,
            "establishments": list(entry.establishments.all()),
            "target_year": entry.target_year,
            "authorities": list(entry.authorities.all()),
            "territorial_priority": "moyenne",
            "maturity": entry.maturity,
            "situation": entry.situation,
            "referent": entry.referent,
            "contract": entry.contract,
            "comment": "Priorité revue avec le Département : schéma départemental de l'autonomie 2026-2030.",
        }
        services.update_entry(users["cd44"], councils[department], entry, data, entry.version)
