"""National list of establishment categories used by cpom.

Each category carries its usual sector and public so that forms can check
consistency; indicators are benchmarked within a category.
"""

from dataclasses import dataclass

from django.db import models


class Sector(models.TextChoices):
    PA = "PA", "Personnes âgées"
    PH = "PH", "Personnes handicapées"


class Audience(models.TextChoices):
    CHILDREN = "children", "Enfants"
    ADULTS = "adults", "Adultes"


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    label: str
    sector: str
    audience: str


CATEGORIES = [
    CategoryInfo("IME", "Institut médico-éducatif (IME)", Sector.PH, Audience.CHILDREN),
    CategoryInfo("ITEP", "Institut thérapeutique, éducatif et pédagogique (ITEP)", Sector.PH, Audience.CHILDREN),
    CategoryInfo("IEM", "Institut d'éducation motrice (IEM)", Sector.PH, Audience.CHILDREN),
    CategoryInfo("IES", "Institut pour déficients sensoriels", Sector.PH, Audience.CHILDREN),
    CategoryInfo("EEAP", "Établissement pour enfants polyhandicapés (EEAP)", Sector.PH, Audience.CHILDREN),
    CategoryInfo(
        "SESSAD", "Service d'éducation spéciale et de soins à domicile (SESSAD)", Sector.PH, Audience.CHILDREN
    ),
    CategoryInfo("CAMSP", "Centre d'action médico-sociale précoce (CAMSP)", Sector.PH, Audience.CHILDREN),
    CategoryInfo("CMPP", "Centre médico-psycho-pédagogique (CMPP)", Sector.PH, Audience.CHILDREN),
    CategoryInfo("MAS", "Maison d'accueil spécialisée (MAS)", Sector.PH, Audience.ADULTS),
    CategoryInfo("FAM", "Foyer d'accueil médicalisé (FAM / EAM)", Sector.PH, Audience.ADULTS),
    CategoryInfo("ESAT", "Établissement et service d'aide par le travail (ESAT)", Sector.PH, Audience.ADULTS),
    CategoryInfo("FV", "Foyer de vie (foyer occupationnel)", Sector.PH, Audience.ADULTS),
    CategoryInfo("FH", "Foyer d'hébergement pour travailleurs handicapés", Sector.PH, Audience.ADULTS),
    CategoryInfo("SAVS", "Service d'accompagnement à la vie sociale (SAVS)", Sector.PH, Audience.ADULTS),
    CategoryInfo(
        "SAMSAH", "Service d'accompagnement médico-social pour adultes handicapés (SAMSAH)", Sector.PH, Audience.ADULTS
    ),
    CategoryInfo("CRP", "Centre de rééducation professionnelle (CRP)", Sector.PH, Audience.ADULTS),
    CategoryInfo(
        "EHPAD", "Établissement d'hébergement pour personnes âgées dépendantes (EHPAD)", Sector.PA, Audience.ADULTS
    ),
    CategoryInfo("RA", "Résidence autonomie", Sector.PA, Audience.ADULTS),
    CategoryInfo("AJ", "Accueil de jour autonome", Sector.PA, Audience.ADULTS),
    CategoryInfo("SSIAD", "Service de soins infirmiers à domicile (SSIAD)", Sector.PA, Audience.ADULTS),
    CategoryInfo("SAD", "Service autonomie à domicile (SAD)", Sector.PA, Audience.ADULTS),
]

CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}
CATEGORY_CHOICES = [(c.code, c.label) for c in CATEGORIES]
