"""The demo's yearly follow-up of the EHPAD's contract, in its third year (2026): the campaigns of 2024 and 2025
closed with their conclusions signed by the three parties, the campaign of 2026 open with its deadline.

Nothing is typed for the catalogue indicators: their values are the engine's, computed from the demo's accounts and
activity data. The ARS confirms the levels the rule proposes; in 2025 it departs from two of them, with its reason:
an indicator already at the target of its due year is judged met (R), and one off its trajectory is judged not met
for the year (NR). Played through the real services at their dates, around the amendment of 2026: the campaigns of
2024 and 2025 read the contract as signed, the 2026 one as amended.
"""

from datetime import date

from cpom.contracts.models import Contract
from cpom.demo.clock import fixed_clock, moment
from cpom.followup import levels, services
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign

THEMES = {
    2024: "Prévention des chutes\nQualité de vie au travail",
    2025: "Activité des services à domicile\nPrévention des chutes",
    2026: "Efficience des organisations\nSorties d'hospitalisation",
}
OPENED = {2024: date(2024, 5, 6), 2025: date(2025, 5, 5), 2026: date(2026, 5, 4)}
SUBMITTED = {2024: date(2024, 6, 3), 2025: date(2025, 6, 2)}
CONCLUDED = {
    2024: "Première année du contrat : la situation de 2023 sert de point de départ ; les parties conviennent de "
    "suivre l'activité du SSIAD chaque trimestre.",
    2025: "L'occupation de l'EHPAD se maintient ; l'activité du SSIAD reste en deçà de sa trajectoire malgré "
    "l'extension de places préparée : un point d'étape est fixé à l'automne.",
}
SIGNED = {2024: date(2024, 10, 14), 2025: date(2025, 10, 13)}
SIGNATORIES = (
    ("ehpad", "Paul Lefèvre", "Directeur de l'EHPAD public Les Tilleuls"),
    ("cd49", "Sophie Garnier", "Vice-présidente du Conseil départemental"),
    ("ars", "Nadia Benali", "Directrice générale adjointe de l'ARS"),
)
MET_EARLY = "Cible de l'échéance déjà atteinte en {year} : l'objectif est tenu, les parties en prennent acte."
OFF_TRAJECTORY = "Cible de l'année non tenue en {year} : l'écart est examiné au dialogue de gestion."


def _confirm(campaign: Campaign, ars, year: int, departs: bool) -> None:
    for line in grid_for(campaign).lines:
        level, comment = line.assessment.level, ""
        if departs and line.assessment.track == levels.ON_TRACK and "déjà atteinte" in line.assessment.explanation:
            level, comment = levels.REALISED, MET_EARLY.format(year=campaign.reviewed_year)
        elif departs and line.assessment.track == levels.OFF_TRACK:
            level, comment = levels.NOT_REALISED, OFF_TRAJECTORY.format(year=campaign.reviewed_year)
        services.confirm_level(campaign, ars, line.entry.pk, level, comment, line.entry.version)


def _campaign(contract: Contract, users: dict, year: int) -> Campaign:
    ars = users["ars"]
    with fixed_clock(moment(date(year, 3, 2))):
        services.save_framing_note(ars, {"year": year, "themes": THEMES[year], "text": ""})
    with fixed_clock(moment(OPENED[year])):
        campaign = services.open_campaign(contract, ars, {"year": year}, today=OPENED[year])
    if year not in SUBMITTED:
        return campaign
    with fixed_clock(moment(SUBMITTED[year])):
        campaign.refresh_from_db()
        services.submit(campaign, users["ehpad"], campaign.version)
    with fixed_clock(moment(SUBMITTED[year], 15)):
        _confirm(campaign, ars, year, departs=year == 2025)
        campaign.refresh_from_db()
        services.save_conclusions(campaign, ars, CONCLUDED[year], campaign.version)
        campaign.refresh_from_db()
        services.send_conclusions(campaign, ars, campaign.version)
    for offset, (name, signatory, title) in enumerate(SIGNATORIES):
        day = date.fromordinal(SIGNED[year].toordinal() + offset)
        with fixed_clock(moment(day)):
            campaign.refresh_from_db()
            services.sign_conclusions(
                campaign,
                users[name],
                {"signatory_name": signatory, "signatory_title": title},
                campaign.version,
                today=day,
            )
    return campaign


BEFORE_AMENDMENT = (2024, 2025)
AFTER_AMENDMENT = (2026,)


def load_demo_follow_up(contract: Contract, users: dict, years: tuple[int, ...]) -> list[Campaign]:
    """The campaigns of ``years``, at their dates (those before the amendment read the contract as signed, the 2026
    one as amended); ``users``: the demo users by name (« ehpad », « cd49 », « ars »)."""
    return [_campaign(contract, users, year) for year in years]
