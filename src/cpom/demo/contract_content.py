"""The demo contracts' content: shared diagnostic, findings, territorial priorities and negotiated objectives.

The association's contract (in negotiation) tells the method end to end: findings with their
causes and evidence, objectives answering them, eight objectives agreed by the parties they
concern (the council of Loire-Atlantique where it funds an establishment), two still discussed, one just proposed by the ARS, one kept as a fiche d'intention, and exactly
one content problem left for the readiness check (a target « à préciser »). The EHPAD's
contract (in force since 2024) is short and complete.

The content is an input written with the ORM: the diagnostic, its findings, each objective as first proposed
with its fiche, milestones and indicators (baselines taken from the indicator engine). The negotiation is played
through cpom.objectives.negotiation, as each party's demo user and under a clock fixed at the event's moment: every
later version, message and agreement, and every status, is the one the rules give, and an event they refuse stops
the demo (:class:`StoryError`, naming the objective and the day). The content is written once, into a database
that does not hold the demo yet, while both contracts are in negotiation: the EHPAD's is declared ready and signed
afterwards (demo/stories/ehpad.toml), and from then on the database freezes it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.contracts.rules import contract_side
from cpom.demo.clock import fixed_clock
from cpom.diagnostic.models import (
    AxisPerspective,
    Diagnostic,
    DiagnosticTemplate,
    Finding,
    FindingLevel,
    Nature,
    Priority,
)
from cpom.diagnostic.services import DiagnosticRefused, add_remark, save_analysis
from cpom.indicators.models import Direction, Indicator, IndicatorValue, Kind, ValueType
from cpom.indicators.services import consolidated_for
from cpom.objectives import negotiation
from cpom.objectives.models import (
    FollowUpIndicator,
    Funding,
    Level,
    Milestone,
    Objective,
    ObjectiveSheet,
    RegionalPriority,
    Status,
    Target,
)
from cpom.objectives.services import Baseline, _catalogue_fields, engine_baseline
from cpom.objectives.snapshots import objective_snapshot
from cpom.objectives.values import normalise

PARIS = ZoneInfo("Europe/Paris")
TEMPLATE_CODE = "diagnostic-cpom-pdl-anap"
ENTERED = "Saisie par l'organisme gestionnaire"
ENTERED_BY_ARS = "Saisie par l'ARS d'après le diagnostic partagé"

# =====================================================================================================
# Territorial priorities: authority key, code, label, reference document
# =====================================================================================================

PRS = "Projet régional de santé Pays de la Loire 2023-2028 – schéma régional de santé"
SCHEMA_44 = "Schéma départemental de l'autonomie de Loire-Atlantique"
SCHEMA_49 = "Schéma départemental de l'autonomie de Maine-et-Loire"
PRIORITIES = [
    ("ars", "PRS-1", "Transformer l'offre médico-sociale vers l'inclusion et le milieu ordinaire", PRS),
    ("ars", "PRS-2", "Prévenir les ruptures de parcours des jeunes adultes (amendement Creton)", PRS),
    ("ars", "PRS-3", "Adapter l'accompagnement au vieillissement des personnes handicapées", PRS),
    ("ars", "PRS-4", "Améliorer la qualité de vie au travail et l'attractivité des métiers du médico-social", PRS),
    (
        "ars",
        "PRS-5",
        "Garantir la qualité et la sécurité des accompagnements (évaluation, gestion des risques, numérique)",
        PRS,
    ),
    (
        "cd44",
        "SD44-1",
        "Diversifier les réponses d'hébergement pour les personnes handicapées vieillissantes",
        SCHEMA_44,
    ),
    (
        "cd44",
        "SD44-2",
        "Favoriser la vie à domicile et l'accompagnement en milieu ordinaire des adultes handicapés",
        SCHEMA_44,
    ),
    ("cd49", "SD49-1", "Moderniser et adapter le bâti des EHPAD à la perte d'autonomie", SCHEMA_49),
    (
        "cd49",
        "SD49-2",
        "Soutenir le maintien à domicile par des services coordonnés avec les établissements",
        SCHEMA_49,
    ),
]


# =====================================================================================================
# The shapes of the story
# =====================================================================================================


@dataclass(frozen=True)
class FindingSpec:
    key: str
    section: str
    nature: str
    level: str
    category: str | None  # the establishment's category, for an establishment-level finding
    text: str
    causes: str
    consequences: str
    evidence: str
    indicators: tuple[str, ...]
    priority: int
    on: date
    author: str = ""  # "" for the managing body, else the authority key
    lever_exists: bool = True


@dataclass(frozen=True)
class FollowUp:
    """A follow-up indicator: from the catalogue (code) or specific (label, method, source...)."""

    targets: dict[int, str]
    code: str = ""
    # For a catalogue indicator, the baseline used when the engine has no value; for a specific one, the baseline.
    baseline: str = ""
    note: str = ""
    label: str = ""
    kind: str = ""
    value_type: str = ValueType.NUMBER
    unit: str = ""
    method: str = ""
    source: str = ""
    direction: str = Direction.NONE


@dataclass(frozen=True)
class Edit:
    """A past version of a proposal: the day, who edited, what (as the journal says) and the values before."""

    on: date
    by: str
    what: str
    before: dict  # snapshot key (or "sheet:<field>", "indicator:<label>") → value before, None when absent


@dataclass(frozen=True)
class ObjectiveSpec:
    number: str
    title: str
    theme: str
    proposed_on: date
    status: str
    proposer: str = ""  # "" for the managing body, else the authority key
    due_year: int | None = None
    stakes: int | None = None
    feasibility: int | None = None
    funding: str = Funding.FUNDED
    categories: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    priorities: tuple[tuple[str, str], ...] = ()
    sheet: dict = field(default_factory=dict)
    milestones: tuple[tuple[date, str], ...] = ()
    indicators: tuple[FollowUp, ...] = ()
    edits: tuple[Edit, ...] = ()
    # (party key, day, version or None for the current one)
    agreements: tuple[tuple[str, date, int | None], ...] = ()
    # (party key, day, objective version, text)
    thread: tuple[tuple[str, date, int, str], ...] = ()

    @property
    def version(self) -> int:
        return 1 + len(self.edits)


@dataclass(frozen=True)
class Story:
    contract: str  # the contract key given by the loader
    body: str  # the managing body's user key
    authorities: tuple[str, ...]
    baseline_year: int | None  # None: the engine's latest year (engine_baseline)
    fallback_day: date
    diagnostic_version: int
    entries: tuple[tuple[str, str | None, date, str], ...]  # section, category or None, day, text
    remarks: tuple[tuple[str, str | None, str, date, str], ...]  # section, category, authority key, day, text
    salient_issues: str
    perspectives: dict[str, str]
    findings: tuple[FindingSpec, ...]
    strategic: tuple[tuple[str, str, str], ...]  # number, title, theme
    strategic_on: date
    strategic_agreements: tuple[tuple[str, date], ...]
    objectives: tuple[ObjectiveSpec, ...]
    actions: tuple[tuple[str, str, str], ...]  # operational number, number, title


def _sheet(context, problem, stakes, implementation, pilot, partners, results, constant, managing, authority) -> dict:
    """A fiche objectif; each means is (amount in euros, what it is)."""
    return {
        "context": context,
        "problem_state": problem,
        "stakes_text": stakes,
        "implementation": implementation,
        "pilot": pilot,
        "partners": partners,
        "expected_results": results,
        "constant_means_value": Decimal(constant[0]).quantize(Decimal("0.01")),
        "constant_means_note": constant[1],
        "managing_body_means": Decimal(managing[0]).quantize(Decimal("0.01")),
        "managing_body_means_note": managing[1],
        "authority_means": Decimal(authority[0]).quantize(Decimal("0.01")),
        "authority_means_note": authority[1],
    }


D = date
OG, EST, TER = FindingLevel.MANAGING_BODY, FindingLevel.ESTABLISHMENT, FindingLevel.TERRITORY
HIGH, MEDIUM, LOW = Priority.HIGH, Priority.MEDIUM, Priority.LOW
AGREED, DISCUSSED, PROPOSED, INTENTION = Status.AGREED, Status.UNDER_DISCUSSION, Status.PROPOSED, Status.INTENTION

# =====================================================================================================
# Association Les Chemins de Loire – CPOM-PDL-2027-044-01 (in negotiation, 2027-2031)
# =====================================================================================================

ASSOCIATION_ENTRIES = (
    (
        "1.1.1",
        None,
        D(2026, 4, 14),
        """\
Les sept établissements accueillent une population globalement conforme à leurs autorisations ; l'écart \
entre population accueillie et population agréée reste inférieur à 6 % au SESSAD, à l'ESAT, au FAM, à la \
MAS, au foyer de vie et au SAVS. Deux points d'inadéquation ressortent toutefois. À l'IME Les Grands \
Chênes, 6 enfants sur 58 (10,3 %) présentent un trouble du spectre de l'autisme avec troubles sévères du \
comportement, que l'agrément (déficience intellectuelle) ne couvre pas, et 2 jeunes adultes y sont \
maintenus au titre de l'amendement Creton faute de place en ESAT ou en foyer de vie ; 9 jeunes auront \
20 ans d'ici 2029. À l'ESAT, la part des travailleurs de plus de 45 ans atteint 49 % (31,6 % en 2021), ce \
qui interroge l'adaptation des postes de travail.""",
    ),
    (
        "1.1.2",
        None,
        D(2026, 4, 14),
        """\
Le panier de prestations de chaque établissement est décrit dans les projets d'établissement 2023-2027, \
selon la nomenclature SERAFIN-PH. L'amplitude d'ouverture est de 210 jours à l'IME et au SESSAD, \
226 jours à l'ESAT, 251 jours au SAVS et 365 jours dans les trois établissements d'hébergement. L'IME \
propose un accueil séquentiel (4 places) et le FAM un accueil temporaire (2 places) ; la MAS ne dispose \
d'aucune place de répit alors que 11 demandes des familles n'ont pu être satisfaites en 2025. Les outils \
de la loi 2002-2 sont en place partout ; le contrat de séjour du foyer de vie, qui date de 2016, doit \
être actualisé.""",
    ),
    (
        "1.1.3",
        None,
        D(2026, 4, 21),
        """\
Le temps de transport est un point de vigilance pour les deux services de l'enfance. À l'IME, 13 enfants \
sur 58 (22,4 %) ont un trajet quotidien aller-retour de plus d'une heure, contre 13,6 % en 2021 : \
l'établissement recrute sur tout le Sud-Loire et le Pays de Retz avec un circuit de ramassage unique. Au \
SESSAD, 15,5 % des enfants sont concernés, du fait des interventions sur les lieux de scolarisation de la \
presqu'île guérandaise. Pour les adultes, la part reste inférieure à 12 % (ESAT 7,3 %, FAM 11,4 %). Le \
coût des transports de l'IME atteint 212 000 € en 2025, en hausse de 18 % depuis 2022.""",
    ),
    (
        "1.1.4",
        None,
        D(2026, 4, 21),
        """\
L'inclusion en milieu ordinaire progresse. À l'IME, 23 enfants (39,7 %) sont scolarisés à temps partiel \
en milieu ordinaire grâce à l'unité d'enseignement externalisée ouverte en 2022 dans un collège de Rezé. \
L'ESAT a accompagné 5 travailleurs vers l'emploi en milieu ordinaire en 2025 (5,2 %), avec le dispositif \
d'emploi accompagné porté avec Cap emploi et 9 mises à disposition en entreprise. Le SAVS accompagne en \
moyenne 12 personnes par an vers un logement autonome. Ces parcours s'appuient sur 23 conventions avec \
les dispositifs de droit commun.""",
    ),
    (
        "1.1.5",
        None,
        D(2026, 4, 28),
        """\
Le vieillissement des personnes accompagnées est la principale évolution des cinq dernières années. À \
l'ESAT, 49 % des travailleurs ont plus de 45 ans et 15,6 % travaillent à temps partiel, souvent pour \
raison de fatigabilité. Au FAM, l'âge moyen des résidents est de 54 ans et 9 résidents ont plus de \
60 ans ; le taux d'hospitalisation complète (2,58 % des journées) est parmi les plus élevés des FAM \
comparables. Au foyer de vie, 32 % des personnes accueillies ont plus de 45 ans. Les rythmes de vie ont \
été adaptés au FAM (lever et coucher échelonnés, activités de l'après-midi allégées), mais \
l'organisation des soins, notamment la nuit, reste celle d'un établissement pour adultes jeunes.""",
    ),
    (
        "1.2.1",
        None,
        D(2026, 5, 5),
        """\
Les évaluations de la qualité selon le référentiel de la HAS ont été réalisées en 2024 (IME, ESAT, MAS) \
et en 2025 (FAM, SAVS) ; le SESSAD et le foyer de vie seront évalués en 2027. Les cinq rapports \
concluent à un niveau élevé sur le respect des droits des personnes et plus contrasté sur la \
co-construction du projet personnalisé. L'association dispose d'un plan d'amélioration continue de la \
qualité unique, décliné par établissement et suivi par un comité qualité trimestriel animé par la \
responsable qualité du siège. Sur l'échelle de maturité de l'ANAP, la démarche se situe au niveau 4 : \
les actions sont suivies et analysées en équipe pluridisciplinaire, leur impact n'est pas encore mesuré.""",
    ),
    (
        "1.2.2",
        None,
        D(2026, 5, 5),
        """\
Les outils de la loi 2002-2 (livret d'accueil, contrat de séjour ou document individuel de prise en \
charge, règlement de fonctionnement, charte des droits et libertés) sont en place dans les sept \
établissements et existent en version « facile à lire et à comprendre » depuis 2024. Chaque \
établissement d'hébergement dispose d'un conseil de la vie sociale réuni trois fois par an ; le SESSAD \
et le SAVS recourent à des groupes d'expression et à des enquêtes. L'enquête de satisfaction associative \
de 2025 a obtenu 61 % de réponses et 87 % de personnes satisfaites. La participation des familles est \
plus faible au foyer de vie, éloigné de Nantes.""",
    ),
    (
        "1.2.3",
        None,
        D(2026, 5, 12),
        """\
Chaque établissement dispose d'un document unique d'évaluation des risques professionnels mis à jour en \
2025 et d'un plan bleu. La déclaration des événements indésirables est informatisée depuis 2023 : \
89 événements ont été déclarés en 2025, dont 25 à l'ESAT et 27 au SAVS, ce qui traduit une culture du \
signalement plus qu'une dégradation de la sécurité. Un comité associatif de bientraitance analyse les \
situations de violence ; trois événements indésirables graves ont été déclarés à l'ARS en 2025. La \
cartographie des risques n'est pas encore formalisée au niveau associatif.""",
    ),
    (
        "1.2.4",
        None,
        D(2026, 5, 12),
        """\
La part des personnes disposant d'un projet personnalisé actualisé depuis moins d'un an varie de 77 % à \
95 % : 94,3 % au FAM et 95,3 % à la MAS, mais 79,3 % à l'IME et 77,1 % à l'ESAT. À l'IME, seuls 4 des \
7 projets des jeunes de 16 ans et plus ont été révisés en 2025 en vue du passage à l'âge adulte. La \
co-construction avec la personne et sa famille est effective mais inégale ; les supports de \
communication adaptée (pictogrammes, FALC) sont utilisés au FAM et à la MAS. Un référentiel associatif \
d'appropriation des recommandations de bonnes pratiques de la HAS est en cours de rédaction.""",
    ),
    (
        "1.3.1",
        None,
        D(2026, 5, 19),
        """\
L'activité est conforme aux capacités financées dans les établissements d'hébergement et à l'IME (MAS \
98,4 %, IME 97,0 %, FAM 96,1 %, foyer de vie 90,1 %) mais nettement inférieure dans trois établissements \
et services : SESSAD Estuaire (59,6 %), SAVS Nantes Métropole (64,4 %) et ESAT (80,5 %). Au SESSAD, la \
sous-activité est ancienne (62,3 % en 2021) et tient d'abord aux postes vacants de rééducateurs. Au \
SAVS, le nombre d'interventions ne suit pas la file active, du fait de la rotation des professionnels. \
À l'ESAT, 4 places autorisées ne sont pas installées et les temps partiels progressent.""",
    ),
    (
        "1.3.2",
        None,
        D(2026, 5, 19),
        """\
La gouvernance repose sur un conseil d'administration de 14 membres et un bureau mensuel. Depuis 2021, \
la direction générale s'appuie sur trois pôles (enfance, travail et insertion, hébergement adulte), \
chacun dirigé par un directeur de pôle, avec un document unique de délégation adopté en 2022. Le \
contrôle de gestion et la qualité sont portés par le siège. Aucun projet de fusion n'est envisagé ; \
l'association est membre d'un groupement de coopération sociale et médico-sociale pour les achats et la \
formation.""",
    ),
    (
        "1.3.3",
        None,
        D(2026, 5, 26),
        """\
Le siège, autorisé par l'ARS et le Département depuis 2019, assure la paie, la comptabilité, la gestion \
des ressources humaines, la qualité, le contrôle de gestion et les systèmes d'information des sept \
établissements, avec 11,4 ETP. Le taux de frais de siège autorisé est de 2,9 % des charges brutes \
(arrêté 2022-2026). Les ratios d'encadrement auprès des personnes sont inférieurs à ceux des \
établissements comparables à la MAS (0,74 ETP par place) et à l'IME (0,42 ETP par place), ce que la \
mutualisation des fonctions administratives n'explique qu'en partie.""",
    ),
    (
        "1.3.4",
        None,
        D(2026, 5, 26),
        """\
L'association emploie 412 salariés. L'absentéisme hors formation atteint 10,2 % à l'ESAT, 9,8 % au FAM et \
10,0 % au SAVS, au-dessus du troisième quartile des établissements comparables, contre 5,0 % au foyer de \
vie. La rotation des personnels est élevée à la MAS (17 %) et au SAVS (20 %). Le taux de personnels \
diplômés est faible au SESSAD (41,3 %) et l'IME forme peu (1,3 jour par salarié en 2025). Un accord de \
gestion des emplois et des parcours professionnels a été signé en 2023, sans volet spécifique pour les \
salariés de plus de 45 ans. Le schéma directeur des systèmes d'information, prévu en 2024, n'a pas été \
adopté.""",
    ),
    (
        "1.3.5",
        None,
        D(2026, 6, 2),
        """\
Les comptes 2025 sont excédentaires au global (résultat cumulé de 268 000 €), portés par l'IME \
(+130 900 €) et la MAS (+84 700 €). Deux établissements financés par le Département sont fragiles : le \
foyer de vie (résultat de −420 €, capacité d'autofinancement de −1,9 %, coût à la place supérieur de \
12 % au coût moyen national) et le SAVS, déficitaire chaque année depuis 2021. Au SESSAD, la capacité \
d'autofinancement est négative (−2,1 %) et le fonds de roulement ne couvre plus les charges courantes. \
Le patrimoine vieillit : le taux de vétusté des constructions atteint 74 % à la MAS et 61 % à l'ESAT, \
alors que la MAS est déjà endettée à 58 %. Le plan pluriannuel d'investissement 2027-2031 devra arbitrer \
entre la restructuration de la MAS et la mise aux normes de l'ESAT.""",
    ),
    (
        "1.4.1",
        None,
        D(2026, 6, 9),
        """\
Les établissements sont implantés dans six communes de Loire-Atlantique, de Saint-Nazaire à \
Châteaubriant, avec un ancrage fort dans la métropole nantaise (IME, ESAT, FAM, MAS, SAVS). Le foyer de \
vie de Châteaubriant est la seule réponse d'hébergement non médicalisé pour adultes handicapés dans un \
rayon de 40 km, dans un bassin où la démographie médicale est très faible. Les projets d'établissement \
s'inscrivent dans le projet régional de santé et dans le schéma départemental de l'autonomie, notamment \
sur l'inclusion et le vieillissement. L'association participe à la communauté 360 de Loire-Atlantique et \
aux groupes opérationnels de synthèse de la MDPH (14 situations en 2025).""",
    ),
    (
        "1.4.2",
        None,
        D(2026, 6, 9),
        """\
L'association a signé 23 conventions de partenariat : Éducation nationale (unité d'enseignement \
externalisée, interventions du SESSAD), CHU de Nantes (pédopsychiatrie, consultations dédiées aux \
personnes handicapées), hospitalisation à domicile, Cap emploi, entreprises adaptées, bailleurs sociaux \
pour le SAVS. Les achats et la formation sont mutualisés au sein d'un GCSMS de quatre associations. La \
mutualisation de compétences rares (ergothérapeute, orthophoniste) avec d'autres gestionnaires reste à \
construire, en particulier pour le SESSAD du bassin nazairien.""",
    ),
    (
        "1.4.3",
        None,
        D(2026, 6, 16),
        """\
Le diagnostic d'accessibilité a été réalisé pour tous les sites ; l'agenda d'accessibilité programmée est \
achevé pour l'IME, le FAM et le SAVS. À la MAS, les salles de bains des unités de vie ne sont pas \
adaptées aux personnes à mobilité très réduite (bâtiment de 1992) ; à l'ESAT, l'atelier de \
conditionnement reste inaccessible en fauteuil. Les activités sportives et culturelles s'appuient sur les \
équipements des communes (piscine, médiathèque, club handisport), sur des plages d'ouverture grand \
public.""",
    ),
    (
        "anap-1",
        None,
        D(2026, 6, 23),
        """\
Trois moments de rupture de parcours ont été analysés : le passage de l'IME à l'âge adulte (2 jeunes en \
amendement Creton, 9 jeunes de 17 à 19 ans sans solution d'aval identifiée), la fin d'activité des \
travailleurs d'ESAT vieillissants (47 travailleurs de plus de 45 ans) et l'entrée en FAM ou en EHPAD des \
résidents âgés du foyer de vie. Les allers-retours entre l'établissement et l'hôpital concernent surtout \
le FAM (2,58 % des journées en hospitalisation complète). La communauté 360 et le dispositif d'emploi \
accompagné sont des leviers, mais aucune passerelle formalisée n'existe entre l'IME et les établissements \
pour adultes de l'association.""",
    ),
    (
        "anap-3",
        None,
        D(2026, 6, 23),
        """\
La structure des emplois reste adaptée aux publics accueillis, avec deux tensions. Au SESSAD, 0,76 ETP \
de rééducateurs (orthophoniste, psychomotricien) sont vacants, soit 4,2 % des ETP, et le taux de \
personnels diplômés est de 41,3 %. À la MAS et au FAM, le vieillissement des résidents alourdit la \
charge en soins sans que le ratio de personnel ait évolué (0,74 ETP par place à la MAS). Le plan \
prévisionnel des départs à la retraite prévoit 38 départs d'ici 2031, dont 11 aides médico-psychologiques \
et accompagnants éducatifs et sociaux.""",
    ),
    (
        "anap-4",
        None,
        D(2026, 6, 30),
        """\
Le climat social est marqué par un absentéisme élevé dans trois établissements (ESAT, FAM, SAVS) et une \
rotation forte à la MAS (17 %) et au SAVS (20 %). Le baromètre social 2025 (54 % de réponses) fait \
ressortir la charge physique au FAM et à la MAS, l'isolement des professionnels du SAVS et une attente \
de reconnaissance. Les troubles musculo-squelettiques expliquent 41 % des arrêts de plus de 30 jours. Une \
démarche de qualité de vie et des conditions de travail a été engagée en 2025 avec l'ARACT ; le dialogue \
social est régulier (accord sur le temps de travail de 2024).""",
    ),
    (
        "anap-5",
        None,
        D(2026, 6, 30),
        """\
Le système d'information repose sur des logiciels communs de paie, de gestion des temps et de \
comptabilité, et sur un dossier usager informatisé déployé dans trois établissements seulement (IME, \
SESSAD, SAVS) ; les autres tiennent des dossiers papier et des tableurs. Le budget des systèmes \
d'information représente 1,1 % des charges. L'association a été retenue en 2025 pour la vague 2 du \
programme ESMS numérique mais n'a pas encore choisi de solution ; l'hébergement des données est confié à \
un prestataire sans plan de continuité formalisé.""",
    ),
    (
        "anap-6",
        None,
        D(2026, 7, 7),
        """\
La trajectoire financière d'ensemble est soutenable (résultat 2025 de 268 000 €) mais recouvre des \
situations contrastées. Les établissements financés par l'ARS dégagent des excédents, tandis que le \
foyer de vie et le SAVS, financés par le Département, sont structurellement fragiles : la capacité \
d'autofinancement du foyer de vie est négative en 2025 et son coût à la place dépasse de 12 % le coût \
moyen national, du fait d'un effet de taille (28 places autorisées, dont 2 non installées). Au SESSAD, la \
sous-activité pèse sur les produits et le fonds de roulement est négatif (−6,7 jours de charges \
courantes).""",
    ),
    (
        "anap-7",
        None,
        D(2026, 7, 7),
        """\
Six établissements sur sept sont propriétaires de leurs locaux (le SAVS est locataire). Le taux de \
vétusté des constructions est de 74 % à la MAS (63 % en 2021), bâtiment de 1992 conçu pour des adultes \
jeunes : chambres de 14 m², salles de bains non adaptées, pas d'espace d'apaisement. L'ESAT (61 %) doit \
mettre aux normes son atelier de conditionnement. L'endettement de la MAS (58 %) limite le recours à \
l'emprunt : sa restructuration, estimée à 4,8 M€ TTC, suppose une aide à l'investissement et \
l'affectation d'excédents.""",
    ),
    (
        "anap-8",
        None,
        D(2026, 7, 7),
        """\
Les dépenses de personnel représentent 73 % des charges. Le glissement vieillesse technicité est estimé à \
1,1 % par an. L'intérim et les CDD de remplacement ont coûté 612 000 € en 2025, dont 60 % au FAM et à la \
MAS, pour remplacer des absences et des postes vacants d'infirmiers et d'aides-soignants. L'écart de \
rémunération avec la fonction publique hospitalière pour ces métiers pèse sur les recrutements, sans \
levier dans le champ du contrat.""",
    ),
    (
        "1.1.1",
        "IME",
        D(2026, 4, 10),
        """\
Au 31 décembre 2025, l'IME accompagne 58 enfants et adolescents de 6 à 20 ans. 6 d'entre eux (10,3 %) \
présentent un trouble du spectre de l'autisme associé à des troubles sévères du comportement, hors \
agrément ; ils ont été admis à la demande de la MDPH faute de place en unité spécialisée sur le \
Sud-Loire. 2 jeunes adultes sont maintenus au titre de l'amendement Creton, l'un orienté en ESAT, l'autre \
en foyer de vie, tous deux en liste d'attente depuis plus de 18 mois. 9 jeunes auront 20 ans d'ici 2029 : \
sans anticipation, le nombre de jeunes maintenus pourrait atteindre 6. 14 enfants sont en attente \
d'admission.""",
    ),
    (
        "1.1.4",
        "ESAT",
        D(2026, 4, 17),
        """\
L'ESAT a accompagné 5 travailleurs vers un emploi en milieu ordinaire en 2025 (CDI ou CDD de plus de \
6 mois), contre un seul en 2021 et en 2022. Ce résultat repose sur le dispositif d'emploi accompagné \
porté avec Cap emploi, sur 9 mises à disposition en entreprise (d'une durée moyenne de 14 mois) et sur la \
reconnaissance des acquis de l'expérience (12 travailleurs en 2025). Le droit au retour à l'ESAT pendant \
trois ans sécurise ces parcours.""",
    ),
    (
        "1.1.5",
        "FAM",
        D(2026, 4, 24),
        """\
L'âge moyen des résidents est passé de 47 à 54 ans depuis l'ouverture du FAM en 2008. 9 résidents ont \
plus de 60 ans et 4 présentent des troubles cognitifs évolutifs. Les hospitalisations complètes ont \
représenté 290 journées en 2025 (2,58 % des journées), principalement pour des chutes et des \
décompensations somatiques. L'équipe a adapté les rythmes (lever échelonné, sieste, activités courtes), \
mais la présence infirmière s'arrête à 21 h et aucune convention ne lie le FAM à une équipe mobile de \
gériatrie.""",
    ),
    (
        "1.1.5",
        "MAS",
        D(2026, 4, 24),
        """\
Les résidents de la MAS ont en moyenne 46 ans ; le vieillissement y est moins marqué qu'au FAM mais la \
dépendance physique s'accroît : 28 résidents sur 40 se déplacent en fauteuil roulant, contre 19 en 2018. \
Les salles de bains et les couloirs du bâtiment de 1992 ne permettent plus d'utiliser les équipements de \
transfert dans de bonnes conditions.""",
    ),
    (
        "1.3.1",
        "SESSAD",
        D(2026, 5, 15),
        """\
Le SESSAD a réalisé 5 635 journées en 2025 pour 9 450 journées théoriques (45 places sur 210 jours), soit \
un taux d'occupation de 59,6 %, entre 58 % et 62 % depuis 2021. Les postes vacants d'orthophoniste et de \
psychomotricien (0,76 ETP) privent 12 enfants des rééducations prévues à leur projet. 23 enfants ont une \
notification de la MDPH et attendent leur admission.""",
    ),
    (
        "anap-7",
        "MAS",
        D(2026, 7, 3),
        """\
Bâtiment de plain-pied de 3 100 m² construit en 1992 : 40 chambres individuelles de 14 m² réparties en \
quatre unités de vie. Taux de vétusté des constructions de 74 % (63 % en 2021). L'étude de programmation \
conduite en 2025 chiffre la restructuration en site occupé à 4,8 M€ TTC (chambres portées à 20 m², \
salles de bains adaptées, espace d'apaisement), en deux tranches de 2028 à 2031.""",
    ),
)

ASSOCIATION_REMARKS = (
    (
        "1.1.1",
        None,
        "ars",
        D(2026, 5, 6),
        """\
Merci de compléter l'analyse par une projection à trois ans des jeunes de 16 ans et plus de l'IME \
(orientations notifiées, solutions identifiées), établie avec la MDPH et la communauté 360 de \
Loire-Atlantique.""",
    ),
    (
        "1.3.1",
        "SESSAD",
        "ars",
        D(2026, 6, 4),
        """\
Le taux d'occupation est inférieur à 65 % depuis 2021 alors que 23 enfants sont en attente. L'ARS \
souhaite connaître le plan de recrutement engagé et les solutions alternatives étudiées (conventions avec \
des professionnels libéraux, interventions collectives).""",
    ),
    (
        "1.3.5",
        None,
        "cd44",
        D(2026, 6, 17),
        """\
Le Département relève le déficit récurrent du SAVS et le résultat négatif du foyer de vie en 2025. Il \
demande une analyse par groupe fonctionnel et un calendrier d'installation des deux places non \
installées du foyer de vie.""",
    ),
    (
        "1.1.5",
        "FAM",
        "cd44",
        D(2026, 5, 20),
        """\
Le Département partage ce constat, qu'il observe aussi au foyer de vie. Il souhaite connaître le nombre \
de résidents de plus de 60 ans des deux établissements qui demandent à rester dans leur lieu de vie.""",
    ),
    (
        "anap-7",
        None,
        "ars",
        D(2026, 7, 15),
        """\
La restructuration de la MAS devra figurer au plan pluriannuel d'investissement annexé au contrat, avec \
son plan de financement. Une demande d'aide à l'investissement pourra être instruite au titre du plan \
d'aide à l'investissement 2028, sans engagement à ce stade.""",
    ),
)

ASSOCIATION_SALIENT = """\
1. Les ruptures de parcours aux âges charnières : jeunes adultes maintenus à l'IME au titre de \
l'amendement Creton, travailleurs d'ESAT vieillissants, résidents du FAM dont les besoins de soins \
augmentent.
2. La sous-activité durable du SESSAD Estuaire et du SAVS Nantes Métropole, alors que des demandes \
restent sans réponse.
3. Les tensions sur les ressources humaines : absentéisme élevé à l'ESAT, au FAM et au SAVS, rotation à \
la MAS, postes de rééducateurs vacants au SESSAD.
4. Le besoin d'investissement de la MAS Les Hauts de Sèvre, dans un bâti vétuste et déjà endetté.
5. La fragilité financière des établissements financés par le Département (foyer de vie, SAVS)."""

ASSOCIATION_PERSPECTIVES = {
    "1.1": """\
Anticiper les transitions dès 16 ans à l'IME avec la MDPH et les établissements pour adultes ; consolider \
les sorties de l'ESAT vers le milieu ordinaire ; adapter l'accompagnement au vieillissement des \
travailleurs d'ESAT et des résidents du FAM, et étudier une unité pour personnes handicapées \
vieillissantes.""",
    "1.2": """\
Porter à 100 % la part des projets personnalisés à jour ; formaliser la cartographie des risques \
associative ; préparer les évaluations 2027 du SESSAD et du foyer de vie et mesurer l'impact du plan \
d'amélioration continue.""",
    "1.3": """\
Réduire l'absentéisme et fidéliser les équipes par une démarche de qualité de vie au travail ; rétablir \
l'activité du SESSAD et du SAVS et l'équilibre du foyer de vie ; inscrire la restructuration de la MAS \
au plan pluriannuel d'investissement ; déployer le dossier usager informatisé.""",
    "1.4": """\
Développer les passerelles avec les établissements pour adultes du territoire et mutualiser les \
compétences rares avec d'autres gestionnaires, notamment sur le bassin nazairien.""",
}

ASSOCIATION_FINDINGS = (
    FindingSpec(
        "ime-adequation",
        "1.1.1",
        Nature.PROBLEM,
        EST,
        "IME",
        "IME Les Grands Chênes : 10,3 % des enfants relèvent d'un autre agrément (troubles du spectre de l'autisme "
        "avec troubles sévères du comportement) et 2 jeunes adultes sont maintenus au titre de l'amendement Creton",
        causes="Absence d'unité spécialisée pour les enfants avec autisme sur le Sud-Loire ; orientations vers le secteur "
        "adulte préparées après 18 ans ; places d'ESAT et de foyer de vie saturées dans la métropole.",
        consequences="Accompagnement inadapté pour les enfants concernés et pour les jeunes adultes ; 14 enfants en attente "
        "d'admission ; risque de rupture de parcours à 20 ans.",
        evidence="Liste nominative des jeunes de 16 ans et plus au 31/12/2025 ; suivi des orientations de la MDPH.",
        indicators=("i-1", "i-2"),
        priority=HIGH,
        on=D(2026, 4, 10),
    ),
    FindingSpec(
        "territoire-creton",
        "anap-1",
        Nature.PROBLEM,
        TER,
        None,
        "Loire-Atlantique : les solutions d'aval pour jeunes adultes (ESAT, foyers de vie, FAM) sont saturées et les "
        "maintiens au titre de l'amendement Creton progressent dans les IME du département",
        causes="Créations de places adultes inférieures aux sorties d'IME ; faible rotation des places en ESAT et en foyer ; "
        "anticipation insuffisante des orientations.",
        consequences="Places d'IME occupées par de jeunes adultes ; allongement des listes d'attente des enfants ; risque de "
        "ruptures de parcours à la sortie de l'IME.",
        evidence="Données de la MDPH de Loire-Atlantique sur les orientations non satisfaites (suivi ViaTrajectoire, 2025).",
        indicators=("i-2",),
        priority=HIGH,
        on=D(2026, 6, 19),
        author="ars",
    ),
    FindingSpec(
        "ime-transport",
        "1.1.3",
        Nature.DIFFICULTY,
        EST,
        "IME",
        "IME Les Grands Chênes : 22,4 % des enfants ont un temps de transport quotidien de plus d'une heure aller-retour "
        "(13,6 % en 2021)",
        causes="Recrutement sur tout le Sud-Loire et le Pays de Retz ; circuit de ramassage unique organisé par le transporteur.",
        consequences="Fatigue des enfants, journées d'accompagnement raccourcies ; coût des transports en hausse de 18 % depuis 2022.",
        evidence="Relevé des temps de trajet du transporteur (octobre 2025).",
        indicators=("i-9",),
        priority=MEDIUM,
        on=D(2026, 4, 21),
    ),
    FindingSpec(
        "esat-insertion",
        "1.1.4",
        Nature.STRENGTH,
        EST,
        "ESAT",
        "ESAT Les Ateliers de l'Erdre : 5 travailleurs ont accédé à l'emploi en milieu ordinaire en 2025 (5,2 %), au-dessus "
        "des ESAT comparables",
        causes="Dispositif d'emploi accompagné porté avec Cap emploi ; 9 mises à disposition en entreprise ; reconnaissance "
        "des acquis de l'expérience.",
        consequences="Parcours d'inclusion professionnelle sécurisés par le droit au retour ; places libérées pour de nouvelles "
        "admissions.",
        evidence="Registre des sorties et des mises à disposition de l'ESAT (2021-2025).",
        indicators=("i-10",),
        priority=LOW,
        on=D(2026, 4, 17),
    ),
    FindingSpec(
        "esat-vieillissement",
        "1.1.5",
        Nature.PROBLEM,
        EST,
        "ESAT",
        "ESAT Les Ateliers de l'Erdre : 49 % des travailleurs ont plus de 45 ans (31,6 % en 2021) et la fatigabilité "
        "conduit à des temps partiels plus nombreux (15,6 %)",
        causes="Entrées en ESAT tardives et très faible rotation ; postes de conditionnement physiquement exigeants ; absence "
        "de préparation de la fin d'activité.",
        consequences="Baisse de l'activité de production ; risque de fins d'activité subies sans solution d'hébergement ou "
        "d'accompagnement.",
        evidence="Pyramide des âges des travailleurs au 31/12/2025 ; avis du médecin du travail (rapport annuel 2025).",
        indicators=("i-15", "i-13"),
        priority=HIGH,
        on=D(2026, 4, 28),
    ),
    FindingSpec(
        "fam-vieillissement",
        "1.1.5",
        Nature.PROBLEM,
        EST,
        "FAM",
        "FAM Le Clos Fleuri : résidents vieillissants (âge moyen de 54 ans, 9 résidents de plus de 60 ans) et hospitalisations "
        "complètes fréquentes (2,58 % des journées)",
        causes="Vieillissement de la population accueillie depuis l'ouverture en 2008 ; présence infirmière jusqu'à 21 h "
        "seulement ; pas de convention avec une équipe mobile de gériatrie.",
        consequences="Hospitalisations en urgence la nuit et le week-end ; risque de réorientation par défaut vers un EHPAD.",
        evidence="Registre des hospitalisations 2025 ; projet de soins du FAM.",
        indicators=("tdb-hospitalisation",),
        priority=HIGH,
        on=D(2026, 4, 24),
    ),
    FindingSpec(
        "qualite",
        "1.2.1",
        Nature.STRENGTH,
        OG,
        None,
        "Démarche qualité structurée à l'échelle associative : évaluations HAS réalisées pour 5 établissements sur 7, plan "
        "d'amélioration continue unique, comité qualité trimestriel",
        causes="Poste de responsable qualité au siège depuis 2020 ; culture du signalement des événements indésirables.",
        consequences="Suivi partagé des actions d'amélioration ; appui aux établissements pour les évaluations de 2027.",
        evidence="Rapports d'évaluation 2024 et 2025 ; plan d'amélioration continue de la qualité 2025.",
        indicators=(),
        priority=LOW,
        on=D(2026, 5, 5),
    ),
    FindingSpec(
        "projets-personnalises",
        "1.2.4",
        Nature.DIFFICULTY,
        OG,
        None,
        "Projets personnalisés : 79,3 % des enfants de l'IME et 77,1 % des travailleurs de l'ESAT ont un projet actualisé "
        "depuis moins d'un an, contre plus de 94 % au FAM et à la MAS",
        causes="Calendrier de révision non piloté ; réunions de projet annulées en cas d'absence de professionnels.",
        consequences="Droit à un accompagnement individualisé imparfaitement garanti ; passages à l'âge adulte mal préparés.",
        evidence="Rapport d'évaluation de l'IME (2024), recommandation n° 3 ; tableau de bord qualité de l'association.",
        indicators=("i-23", "i-14"),
        priority=MEDIUM,
        on=D(2026, 6, 24),
        author="ars",
    ),
    FindingSpec(
        "sessad-activite",
        "1.3.1",
        Nature.DIFFICULTY,
        EST,
        "SESSAD",
        "SESSAD Estuaire : taux d'occupation de 59,6 % en 2025, inférieur au premier quartile des SESSAD comparables depuis "
        "2021, alors que 23 enfants sont en attente",
        causes="Postes de rééducateurs vacants ; interventions individuelles peu mutualisées sur un territoire étendu.",
        consequences="Enfants notifiés sans accompagnement ; dotation sous-employée ; capacité autorisée susceptible d'être revue.",
        evidence="Rapports d'activité 2021 à 2025 ; liste d'attente transmise à l'ARS en mai 2026.",
        indicators=("tdb-occupation", "i-25"),
        priority=HIGH,
        on=D(2026, 6, 19),
        author="ars",
    ),
    FindingSpec(
        "savs-activite",
        "1.3.1",
        Nature.DIFFICULTY,
        EST,
        "SAVS",
        "SAVS Nantes Métropole : activité réalisée à 64,4 % de la capacité en 2025, sans amélioration depuis 2021",
        causes="Rotation des professionnels (20 %) et délais de remplacement ; activité suivie une fois par an seulement.",
        consequences="Personnes orientées sans accompagnement ; déficit chaque année depuis 2021.",
        evidence="Rapports d'activité du SAVS 2021-2025.",
        indicators=("tdb-occupation",),
        priority=MEDIUM,
        on=D(2026, 5, 19),
    ),
    FindingSpec(
        "siege",
        "1.3.3",
        Nature.SPECIFICITY,
        OG,
        None,
        "Siège autorisé depuis 2019 assurant la paie, la comptabilité, les ressources humaines, la qualité, le contrôle de "
        "gestion et les systèmes d'information des sept établissements",
        causes="Choix associatif de mutualiser les fonctions support dès 2019.",
        consequences="Directions d'établissement recentrées sur l'accompagnement ; frais de siège de 2,9 % des charges brutes.",
        evidence="Arrêté d'autorisation des frais de siège 2022-2026.",
        indicators=(),
        priority=LOW,
        on=D(2026, 5, 26),
    ),
    FindingSpec(
        "absenteisme",
        "1.3.4",
        Nature.DIFFICULTY,
        OG,
        None,
        "Absentéisme hors formation élevé à l'ESAT (10,2 %), au FAM (9,8 %) et au SAVS (10,0 %), au-dessus du troisième "
        "quartile des établissements comparables",
        causes="Troubles musculo-squelettiques (41 % des arrêts de plus de 30 jours) ; charge physique au FAM ; isolement des "
        "professionnels du SAVS ; deux postes de chef de service vacants en 2025.",
        consequences="Discontinuité des accompagnements ; 612 000 € d'intérim et de CDD de remplacement en 2025 ; usure des "
        "équipes présentes.",
        evidence="Bilan social 2025 ; baromètre social 2025 ; document unique d'évaluation des risques professionnels.",
        indicators=("tdb-absenteisme", "i-30"),
        priority=HIGH,
        on=D(2026, 5, 26),
    ),
    FindingSpec(
        "sessad-vacants",
        "anap-3",
        Nature.DIFFICULTY,
        EST,
        "SESSAD",
        "SESSAD Estuaire : 0,76 ETP d'orthophoniste et de psychomotricien vacants depuis plus d'un an (4,2 % des ETP)",
        causes="Pénurie de rééducateurs sur le bassin nazairien ; concurrence de l'exercice libéral ; grille de la convention "
        "collective peu attractive pour ces métiers.",
        consequences="12 enfants privés des rééducations prévues à leur projet ; sous-activité du service.",
        evidence="Quatre campagnes de recrutement infructueuses entre 2024 et 2026.",
        indicators=("tdb-etp-vacants", "i-39"),
        priority=HIGH,
        on=D(2026, 6, 23),
    ),
    FindingSpec(
        "mas-rotation",
        "anap-4",
        Nature.DIFFICULTY,
        EST,
        "MAS",
        "MAS Les Hauts de Sèvre : rotation des personnels de 17 % en 2025 (10,6 % en 2024)",
        causes="Charge physique liée à la dépendance des résidents et à l'inadaptation du bâti ; difficultés de recrutement "
        "d'aides-soignants et d'accompagnants éducatifs et sociaux.",
        consequences="Perte de repères pour les résidents ; formation répétée des nouveaux arrivants.",
        evidence="Bilan social 2025 ; entretiens de départ.",
        indicators=("tdb-rotation-personnel", "i-29"),
        priority=MEDIUM,
        on=D(2026, 6, 30),
    ),
    FindingSpec(
        "si",
        "anap-5",
        Nature.DIFFICULTY,
        OG,
        None,
        "Dossier usager informatisé déployé dans 3 établissements sur 7, sans schéma directeur des systèmes d'information",
        causes="Choix d'outils établissement par établissement avant 2021 ; pas de responsable des systèmes d'information "
        "avant 2025.",
        consequences="Partage d'information difficile avec les partenaires de santé ; indicateurs produits à la main ; "
        "sécurité des données insuffisante.",
        evidence="Inventaire du système d'information (2025) ; dossier de candidature ESMS numérique.",
        indicators=(),
        priority=MEDIUM,
        on=D(2026, 6, 30),
    ),
    FindingSpec(
        "fv-finances",
        "anap-6",
        Nature.DIFFICULTY,
        EST,
        "FV",
        "Foyer de vie La Roselière : résultat 2025 négatif (−420 €), capacité d'autofinancement de −1,9 % et coût à la place "
        "supérieur de 12 % au coût moyen national",
        causes="Effet de taille (28 places) ; 2 places non installées ; restauration et veille de nuit non mutualisées ; "
        "recours à l'intérim de nuit.",
        consequences="Fonds propres entamés ; investissements de mise aux normes différés.",
        evidence="ERRD 2025 du foyer de vie ; analyse par groupe fonctionnel du contrôleur de gestion.",
        indicators=("i-43", "i-41", "i-47"),
        priority=MEDIUM,
        on=D(2026, 7, 7),
    ),
    FindingSpec(
        "mas-vetuste",
        "anap-7",
        Nature.PROBLEM,
        EST,
        "MAS",
        "MAS Les Hauts de Sèvre : bâti de 1992 inadapté à la dépendance des résidents, taux de vétusté de 74 % et endettement "
        "de 58 % qui limite l'emprunt",
        causes="Bâtiment conçu pour des adultes jeunes et peu dépendants ; investissements reportés depuis 2015.",
        consequences="Conditions de sécurité et de dignité dégradées (salles de bains, transferts) ; pénibilité pour les "
        "professionnels.",
        evidence="Étude de programmation 2025 ; plan pluriannuel d'investissement en préparation.",
        indicators=("tdb-vetuste", "i-44", "tdb-endettement"),
        priority=HIGH,
        on=D(2026, 7, 3),
    ),
    FindingSpec(
        "salaires",
        "anap-8",
        Nature.PROBLEM,
        OG,
        None,
        "Écart de rémunération persistant avec la fonction publique hospitalière pour les infirmiers et aides-soignants, qui "
        "freine les recrutements au FAM et à la MAS",
        causes="Grilles de la convention collective nationale du 15 mars 1966 ; revalorisations nationales appliquées de façon "
        "différenciée selon les métiers. Relève de la négociation de branche et de la réglementation nationale.",
        consequences="Postes d'infirmiers vacants ; recours accru à l'intérim.",
        evidence="Comparaison des grilles réalisée par la direction des ressources humaines (janvier 2026).",
        indicators=(),
        priority=MEDIUM,
        on=D(2026, 7, 7),
        lever_exists=False,
    ),
    FindingSpec(
        "nord-territoire",
        "1.4.1",
        Nature.SPECIFICITY,
        TER,
        None,
        "Pays de Châteaubriant : territoire rural à faible démographie médicale, où le foyer de vie est la seule réponse "
        "d'hébergement pour adultes handicapés à 40 km à la ronde",
        causes="Éloignement de la métropole ; offre médico-sociale concentrée autour de Nantes et de Saint-Nazaire.",
        consequences="Accès difficile aux soins des résidents ; recrutements plus difficiles ; rôle de proximité du foyer.",
        evidence="Cartographie de l'offre du schéma départemental ; données de démographie médicale.",
        indicators=(),
        priority=MEDIUM,
        on=D(2026, 6, 9),
    ),
    FindingSpec(
        "partenariats",
        "1.4.2",
        Nature.STRENGTH,
        OG,
        None,
        "23 conventions de partenariat actives, dont une unité d'enseignement externalisée qui scolarise 39,7 % des enfants "
        "de l'IME en milieu ordinaire",
        causes="Politique associative d'ouverture ; participation à la communauté 360 et à un GCSMS.",
        consequences="Accès au droit commun facilité ; appuis mobilisables pour les objectifs de parcours.",
        evidence="Tableau des conventions à jour au 31/03/2026.",
        indicators=("i-12",),
        priority=LOW,
        on=D(2026, 6, 9),
    ),
)

ASSOCIATION_STRATEGIC = (
    ("1", "Fluidifier les parcours et favoriser l'inclusion des personnes accompagnées", "Parcours et inclusion"),
    ("2", "Adapter l'accompagnement à l'évolution des besoins, notamment au vieillissement", "Adaptation de l'offre"),
    (
        "3",
        "Garantir la qualité des accompagnements et la qualité de vie au travail des professionnels",
        "Qualité et ressources humaines",
    ),
    ("4", "Assurer l'efficience et la soutenabilité financière et patrimoniale", "Efficience et patrimoine"),
)

PROJET_TRANSITION = "Part des jeunes de 16 ans et plus disposant d'un projet de transition formalisé"
EVAL_GERIATRIQUE = "Part des résidents de 55 ans et plus ayant bénéficié d'une évaluation gériatrique dans l'année"

ASSOCIATION_OPERATIONAL = (
    ObjectiveSpec(
        "1.1",
        "Mettre fin aux maintiens au titre de l'amendement Creton à l'IME en anticipant les transitions dès 16 ans",
        "Parcours – passage à l'âge adulte",
        D(2026, 9, 22),
        AGREED,
        proposer="ars",
        due_year=3,
        stakes=4,
        feasibility=2,
        categories=("IME",),
        findings=("ime-adequation", "territoire-creton"),
        priorities=(("ars", "PRS-2"),),
        sheet=_sheet(
            "2 jeunes adultes sont maintenus à l'IME au titre de l'amendement Creton au 31 décembre 2025 et 9 jeunes auront "
            "20 ans d'ici 2029, alors que l'offre d'aval du territoire (ESAT, foyers de vie, FAM) est saturée.",
            "Les orientations vers le secteur adulte sont préparées après 18 ans, sans stage ni période d'essai systématique "
            "et sans lien formalisé avec les établissements pour adultes, y compris ceux de l'association. Les places occupées "
            "par les jeunes adultes manquent aux 14 enfants en attente.",
            "Éviter les ruptures de parcours des jeunes adultes, libérer des places d'IME pour les enfants en attente et "
            "répondre à la priorité régionale de prévention des situations relevant de l'amendement Creton.",
            "Commission de transition réunie chaque trimestre pour tout jeune de 16 ans et plus, avec la MDPH ; projet de "
            "transition inscrit au projet personnalisé ; stages d'immersion dans les ESAT, foyers de vie et FAM de "
            "l'association et du territoire ; examen prioritaire des candidatures des jeunes de l'IME sur les places libérées "
            "dans les établissements pour adultes de l'association, dans le respect des orientations de la MDPH.",
            "Directrice du pôle enfance, avec la chargée de parcours de l'IME",
            "MDPH de Loire-Atlantique, communauté 360, ESAT et foyers de vie du territoire, familles",
            "Plus aucun jeune maintenu au titre de l'amendement Creton en N+3 ; tous les jeunes de 16 ans et plus dotés d'un "
            "projet de transition.",
            (21000, "Redéploiement de 0,3 ETP d'éducateur spécialisé sur la fonction de chargé de parcours."),
            (8000, "Transport et accompagnement des stages d'immersion."),
            (
                0,
                "Sans moyens nouveaux : l'ARS mobilise la MDPH et les établissements d'aval dans le cadre de la réponse "
                "accompagnée pour tous.",
            ),
        ),
        milestones=(
            (D(2027, 3, 31), "Installation de la commission de transition avec la MDPH"),
            (
                D(2027, 9, 30),
                "Convention de stages passerelles signée avec trois ESAT et deux foyers de vie du territoire",
            ),
            (D(2028, 12, 31), "Bilan intermédiaire présenté au dialogue de gestion"),
            (D(2030, 12, 31), "Plus aucun jeune maintenu au titre de l'amendement Creton"),
        ),
        indicators=(
            FollowUp({0: "3,45", 1: "1,72", 2: "1,72", 3: "0"}, code="i-2", baseline="3,45"),
            FollowUp(
                {0: "50", 1: "70", 2: "85", 3: "100"},
                label=PROJET_TRANSITION,
                kind=Kind.PROCESS,
                value_type=ValueType.PERCENTAGE,
                unit="%",
                direction=Direction.HIGHER,
                baseline="38",
                method="Jeunes de 16 ans et plus dont le projet personnalisé comporte un projet de transition avec une orientation "
                "et une solution d'aval identifiées ÷ jeunes de 16 ans et plus accompagnés au 31 décembre × 100",
                source="Dossier usager informatisé de l'IME ; relevés de la commission de transition",
            ),
        ),
        edits=(Edit(D(2026, 10, 6), "ars", "objectif et fiche", {"Échéance": "N+2"}),),
        thread=(
            (
                "association",
                D(2026, 9, 28),
                1,
                """\
Nous partageons l'objectif, mais l'échéance N+2 nous paraît hors d'atteinte : les créations de places en ESAT et en \
foyer de vie annoncées sur le territoire n'ouvriront pas avant 2029. Nous proposons N+3, avec une cible intermédiaire \
d'un seul jeune maintenu en N+1 et N+2.""",
            ),
            (
                "ars",
                D(2026, 10, 6),
                2,
                """\
Échéance portée à N+3 dans la version 2, avec les cibles intermédiaires proposées. L'ARS demande un bilan nominatif des \
jeunes de 16 ans et plus à chaque dialogue de gestion.""",
            ),
        ),
        agreements=(
            ("ars", D(2026, 10, 6), None),
            ("association", D(2026, 10, 15), None),
        ),
    ),
    ObjectiveSpec(
        "1.2",
        "Consolider les sorties des travailleurs de l'ESAT vers l'emploi en milieu ordinaire",
        "Inclusion professionnelle",
        D(2026, 9, 18),
        AGREED,
        due_year=4,
        stakes=2,
        feasibility=4,
        categories=("ESAT",),
        findings=("esat-insertion",),
        priorities=(("ars", "PRS-1"),),
        sheet=_sheet(
            "L'ESAT a accompagné 5 travailleurs vers l'emploi en milieu ordinaire en 2025 (5,2 %), au-dessus des ESAT "
            "comparables, grâce au dispositif d'emploi accompagné et aux mises à disposition.",
            "Les résultats reposent sur deux moniteurs et sur un réseau de 11 entreprises partenaires ; ils restent fragiles "
            "d'une année sur l'autre (2,2 % en 2024).",
            "Inscrire durablement l'ESAT dans la transformation de l'offre vers l'inclusion et sécuriser les parcours grâce au "
            "droit au retour.",
            "Élargir le réseau d'entreprises partenaires (club d'entreprises inclusives de Carquefou) ; développer les mises à "
            "disposition individuelles ; proposer à chaque travailleur volontaire une reconnaissance des acquis de "
            "l'expérience ; suivre les parcours sortis pendant trois ans.",
            "Directeur du pôle travail et insertion",
            "Cap emploi, France Travail, entreprises du bassin nantais, dispositif d'emploi accompagné",
            "7 % des travailleurs accédant à l'emploi en milieu ordinaire en N+4 ; 15 mises à disposition actives.",
            (46000, "0,8 ETP de moniteur d'atelier redéployé sur l'accompagnement vers l'emploi."),
            (12000, "Formation des moniteurs au job coaching et prospection des entreprises."),
            (0, "Sans moyens nouveaux."),
        ),
        milestones=(
            (D(2027, 6, 30), "Charte de partenariat signée avec le club d'entreprises de Carquefou"),
            (D(2028, 12, 31), "12 mises à disposition individuelles actives"),
            (D(2031, 6, 30), "Bilan des parcours des travailleurs sortis depuis 2027"),
        ),
        indicators=(
            FollowUp({1: "5,5", 2: "6", 3: "6,5", 4: "7"}, code="i-10", baseline="5,21"),
            FollowUp(
                {2: "12", 4: "15"},
                label="Nombre de mises à disposition individuelles en entreprise en cours au 31 décembre",
                kind=Kind.RESULTS,
                unit="mises à disposition",
                direction=Direction.HIGHER,
                baseline="9",
                method="Contrats de mise à disposition individuelle d'un travailleur en entreprise actifs au 31 décembre",
                source="Registre des mises à disposition de l'ESAT",
            ),
        ),
        agreements=(
            ("association", D(2026, 10, 1), None),
            ("ars", D(2026, 10, 7), None),
        ),
    ),
    ObjectiveSpec(
        "1.3",
        "Porter l'activité du SESSAD Estuaire au niveau de sa capacité financée",
        "Activité",
        D(2026, 9, 24),
        DISCUSSED,
        proposer="ars",
        due_year=2,
        stakes=3,
        feasibility=2,
        categories=("SESSAD",),
        findings=("sessad-activite", "sessad-vacants"),
        priorities=(("ars", "PRS-1"),),
        sheet=_sheet(
            "Le SESSAD réalise 59,6 % de son activité théorique en 2025 (5 635 journées pour 9 450), sous le premier quartile "
            "des SESSAD comparables depuis 2021, alors que 23 enfants attendent une admission sur le bassin nazairien.",
            "La sous-activité tient aux postes vacants de rééducateurs (0,76 ETP d'orthophoniste et de psychomotricien) et à des "
            "interventions peu mutualisées, individuelles et sur les lieux de scolarisation.",
            "Répondre aux enfants en attente, justifier la dotation allouée et éviter une révision de la capacité autorisée.",
            "Conventions avec des orthophonistes et psychomotriciens libéraux rémunérés sur les crédits du SESSAD ; "
            "interventions collectives dans les établissements scolaires ; circuit d'admission revu avec la MDPH ; suivi "
            "mensuel de l'activité.",
            "Directrice du pôle enfance, avec la cheffe de service du SESSAD",
            "MDPH de Loire-Atlantique, Éducation nationale (pôles inclusifs d'accompagnement localisés), professionnels "
            "libéraux du bassin nazairien",
            "Taux d'occupation de 95 % en N+2 ; délai d'attente ramené sous six mois.",
            (
                38000,
                "Crédits des postes vacants mobilisés pour rémunérer les interventions de professionnels libéraux.",
            ),
            (6000, "Campagne de recrutement et prime d'attractivité ponctuelle."),
            (0, "Sans moyens nouveaux : l'activité est financée par la dotation existante."),
        ),
        milestones=(
            (D(2027, 3, 31), "Conventions signées avec les professionnels libéraux"),
            (D(2027, 12, 31), "Taux d'occupation de 75 %"),
            (D(2028, 12, 31), "Point d'étape au dialogue de gestion"),
            (D(2029, 12, 31), "Taux d'occupation de 95 %"),
        ),
        indicators=(
            FollowUp({0: "75", 1: "85", 2: "95"}, code="tdb-occupation", baseline="59,63"),
            FollowUp(
                {1: "15", 2: "10"},
                label="Nombre d'enfants en attente d'admission au 31 décembre",
                kind=Kind.ALERT,
                unit="enfants",
                direction=Direction.LOWER,
                baseline="23",
                note=ENTERED,
                method="Enfants disposant d'une notification de la MDPH vers le SESSAD et non encore admis au 31 décembre",
                source="Liste d'attente du SESSAD rapprochée du suivi des orientations de la MDPH (ViaTrajectoire)",
            ),
        ),
        edits=(Edit(D(2026, 10, 13), "ars", "objectif et fiche", {"Échéance": "N+1"}),),
        thread=(
            (
                "association",
                D(2026, 10, 2),
                1,
                """\
La cible de 95 % dès N+1 n'est pas atteignable : 0,76 ETP d'orthophonie et de psychomotricité sont vacants depuis \
18 mois malgré quatre campagnes de recrutement. Nous proposons une montée en charge progressive (75 % en N, 85 % en \
N+1, 95 % en N+2), adossée à des conventions avec des libéraux du bassin nazairien.""",
            ),
            (
                "ars",
                D(2026, 10, 9),
                1,
                """\
L'ARS entend la difficulté de recrutement mais rappelle que 23 enfants attendent une admission. Elle accepte \
l'échelonnement, à condition d'un point d'étape au dialogue de gestion 2028 et d'interventions libérales financées sur \
les crédits du SESSAD. Une version 2 suit en ce sens.""",
            ),
            (
                "association",
                D(2026, 10, 20),
                2,
                """\
L'échelonnement nous convient. Reste l'indicateur des enfants en attente, qui dépend aussi des notifications de la MDPH : \
nous souhaitons le suivre sans cible chiffrée. Notre conseil d'administration se prononcera le 26 novembre.""",
            ),
            (
                "cd44",
                D(2026, 10, 23),
                2,
                """\
Le Département n'est pas financeur du SESSAD ; il n'a pas d'objection et donnera son accord dès que l'association et \
l'ARS auront arrêté la rédaction.""",
            ),
        ),
        agreements=(("ars", D(2026, 10, 13), None),),
    ),
    ObjectiveSpec(
        "2.1",
        "Adapter l'organisation de l'ESAT à l'avancée en âge des travailleurs et préparer leur fin d'activité",
        "Vieillissement",
        D(2026, 9, 18),
        AGREED,
        due_year=2,
        stakes=3,
        feasibility=3,
        categories=("ESAT",),
        findings=("esat-vieillissement",),
        priorities=(("ars", "PRS-3"),),
        sheet=_sheet(
            "47 des 96 travailleurs de l'ESAT (49 %) ont plus de 45 ans, contre 31,6 % en 2021 ; 15,6 % travaillent à temps "
            "partiel, le plus souvent pour raison de fatigabilité.",
            "Les postes de travail et les horaires sont restés ceux d'une population jeune ; les départs en retraite ne sont pas "
            "préparés et certains travailleurs âgés n'ont pas de solution de logement ou d'accompagnement après l'ESAT.",
            "Préserver la santé des travailleurs, éviter des fins d'activité subies et maintenir l'équilibre économique des "
            "ateliers.",
            "Bilan de fatigabilité de chaque travailleur de plus de 50 ans avec le médecin du travail ; temps partiel choisi et "
            "activités de soutien renforcées ; ergonomie des postes de conditionnement ; projet de fin d'activité formalisé à "
            "55 ans avec le SAVS et le foyer de vie.",
            "Directeur du pôle travail et insertion",
            "Service de prévention et de santé au travail, MDPH, SAVS et foyer de vie de l'association, caisses de retraite",
            "Tous les travailleurs de 55 ans et plus disposent d'un projet de fin d'activité ; temps partiel accordé à chaque "
            "travailleur qui le demande.",
            (
                15000,
                "Temps de la psychologue et de la chargée d'insertion consacré aux bilans et aux projets de fin d'activité.",
            ),
            (
                42000,
                "Aménagement ergonomique de deux lignes de conditionnement sur le budget annexe de production et de "
                "commercialisation.",
            ),
            (0, "Sans moyens nouveaux."),
        ),
        milestones=(
            (D(2027, 6, 30), "Bilans de fatigabilité réalisés pour les travailleurs de plus de 50 ans"),
            (D(2028, 3, 31), "Postes de conditionnement réaménagés"),
            (D(2029, 12, 31), "Projet de fin d'activité formalisé pour chaque travailleur de 55 ans et plus"),
        ),
        indicators=(
            FollowUp({1: "18", 2: "20"}, code="i-13", baseline="15,62"),
            FollowUp(
                {0: "40", 1: "70", 2: "100"},
                label="Part des travailleurs de 55 ans et plus disposant d'un projet de fin d'activité formalisé",
                kind=Kind.PROCESS,
                value_type=ValueType.PERCENTAGE,
                unit="%",
                direction=Direction.HIGHER,
                baseline="20",
                method="Travailleurs de 55 ans et plus dont le projet personnalisé comporte un projet de fin d'activité ÷ "
                "travailleurs de 55 ans et plus au 31 décembre × 100",
                source="Dossiers des travailleurs ; revue annuelle des projets personnalisés",
            ),
        ),
        agreements=(
            ("association", D(2026, 10, 1), None),
            ("ars", D(2026, 10, 7), None),
        ),
    ),
    ObjectiveSpec(
        "2.2",
        "Sécuriser le suivi médical et soignant des résidents vieillissants du FAM et de la MAS",
        "Vieillissement – soins",
        D(2026, 9, 21),
        AGREED,
        due_year=3,
        stakes=4,
        feasibility=3,
        categories=("FAM", "MAS"),
        findings=("fam-vieillissement",),
        priorities=(("ars", "PRS-3"), ("cd44", "SD44-1")),
        sheet=_sheet(
            "Au FAM, 9 résidents ont plus de 60 ans et les hospitalisations complètes représentent 2,58 % des journées ; à la "
            "MAS, la dépendance physique s'accroît (28 résidents en fauteuil roulant sur 40).",
            "La présence infirmière s'arrête à 21 h au FAM ; il n'existe ni évaluation gériatrique systématique ni convention "
            "avec une équipe mobile de gériatrie ; les hospitalisations en urgence surviennent surtout la nuit et le week-end.",
            "Éviter les hospitalisations évitables et les ruptures de prise en charge ; permettre aux résidents de rester dans "
            "leur lieu de vie aussi longtemps que possible.",
            "Astreinte infirmière de nuit commune au FAM et à la MAS ; convention avec l'équipe mobile de gériatrie et "
            "l'hospitalisation à domicile ; évaluation gériatrique annuelle des résidents de 55 ans et plus ; téléconsultation "
            "avec le CHU de Nantes ; formation des équipes au repérage des fragilités.",
            "Directrice du pôle hébergement adulte, avec les médecins coordonnateurs du FAM et de la MAS",
            "CHU de Nantes (équipe mobile de gériatrie, consultations dédiées), hospitalisation à domicile, médecins traitants",
            "Taux d'hospitalisation complète ramené à 1,8 % en N+3 ; évaluation gériatrique annuelle pour tous les résidents "
            "de 55 ans et plus.",
            (24000, "Réorganisation des plannings infirmiers du FAM et de la MAS."),
            (18000, "Équipement de téléconsultation et formation au repérage des fragilités."),
            (
                65000,
                "Crédits non reconductibles de l'ARS pour la première année de l'astreinte infirmière de nuit, puis "
                "intégration dans la dotation de soins.",
            ),
        ),
        milestones=(
            (D(2027, 3, 31), "Convention signée avec l'équipe mobile de gériatrie du CHU"),
            (D(2027, 9, 30), "Astreinte infirmière de nuit commune opérationnelle"),
            (D(2028, 12, 31), "Évaluation gériatrique réalisée pour tous les résidents de 55 ans et plus"),
            (D(2030, 6, 30), "Bilan des hospitalisations évitées présenté au dialogue de gestion"),
        ),
        indicators=(
            FollowUp({1: "2,2", 2: "2", 3: "1,8"}, code="tdb-hospitalisation", baseline="2,31"),
            FollowUp(
                {0: "50", 1: "80", 2: "100", 3: "100"},
                label=EVAL_GERIATRIQUE,
                kind=Kind.PROCESS,
                value_type=ValueType.PERCENTAGE,
                unit="%",
                direction=Direction.HIGHER,
                baseline="25",
                method="Résidents de 55 ans et plus ayant eu une évaluation gériatrique standardisée dans l'année ÷ résidents de "
                "55 ans et plus au 31 décembre × 100",
                source="Dossier de soins ; comptes rendus de l'équipe mobile de gériatrie",
            ),
        ),
        edits=(
            Edit(
                D(2026, 10, 12),
                "association",
                f"indicateur « {EVAL_GERIATRIQUE} »",
                {f"indicator:{EVAL_GERIATRIQUE}": None},
            ),
            Edit(
                D(2026, 10, 19),
                "association",
                "objectif et fiche",
                {"sheet:authority_means": None, "sheet:authority_means_note": ""},
            ),
        ),
        thread=(
            (
                "cd44",
                D(2026, 10, 8),
                1,
                """\
Le Département cofinance le FAM : il souhaite qu'un indicateur mesure le suivi gériatrique des résidents vieillissants, \
en plus du taux d'hospitalisation.""",
            ),
            (
                "ars",
                D(2026, 10, 15),
                2,
                """\
L'ARS peut mobiliser 65 000 € de crédits non reconductibles pour la première année de l'astreinte infirmière de nuit ; \
merci de l'inscrire dans les moyens de la fiche.""",
            ),
        ),
        agreements=(
            ("ars", D(2026, 10, 5), 1),
            ("association", D(2026, 10, 20), None),
            ("ars", D(2026, 10, 23), None),
            ("cd44", D(2026, 10, 27), None),
        ),
    ),
    ObjectiveSpec(
        "2.3",
        "Créer une unité de vie de 8 places pour personnes handicapées vieillissantes au FAM Le Clos Fleuri",
        "Vieillissement – offre nouvelle",
        D(2026, 9, 21),
        INTENTION,
        funding=Funding.INTENTION,
        due_year=4,
        stakes=3,
        feasibility=1,
        categories=("FAM",),
        findings=("fam-vieillissement",),
        priorities=(("ars", "PRS-3"), ("cd44", "SD44-1")),
        sheet=_sheet(
            "Le vieillissement des résidents du FAM et du foyer de vie appelle une réponse d'hébergement médicalisée adaptée ; "
            "6 résidents du foyer de vie de plus de 55 ans attendent une orientation en FAM.",
            "Le FAM ne peut créer cette unité à moyens constants : l'extension suppose une autorisation et des financements "
            "nouveaux de l'ARS (soins) et du Département (hébergement).",
            "Éviter les orientations par défaut vers un EHPAD et les ruptures de parcours des personnes handicapées "
            "vieillissantes.",
            "Fiche d'intention annexée au contrat : étude de besoins partagée avec la MDPH ; extension de capacité selon les "
            "crédits disponibles ; construction d'une aile de 8 chambres sur le terrain du FAM.",
            "Directrice générale",
            "ARS Pays de la Loire, Conseil départemental de Loire-Atlantique, MDPH, Ville d'Orvault",
            "Ouverture de 8 places en N+4 si les financements sont mobilisés.",
            (0, "Non réalisable à moyens constants."),
            (350000, "Apport en fonds propres à l'investissement (terrain et 20 % du coût de construction)."),
            (
                520000,
                "Financement non acquis : forfait soins (ARS) et prix de journée d'hébergement (Département) des 8 places, "
                "à mobiliser lors d'une campagne de transformation de l'offre.",
            ),
        ),
        milestones=(
            (D(2027, 12, 31), "Étude de besoins partagée avec la MDPH"),
            (D(2029, 6, 30), "Décision de financement des autorités"),
            (D(2031, 9, 30), "Ouverture de l'unité"),
        ),
        indicators=(
            FollowUp(
                {4: "8"},
                label="Nombre de places d'unité pour personnes handicapées vieillissantes installées",
                kind=Kind.MEANS,
                unit="places",
                direction=Direction.HIGHER,
                baseline="0",
                method="Places installées au 31 décembre dans l'unité dédiée aux personnes handicapées vieillissantes",
                source="Arrêté d'autorisation ; répertoire FINESS",
            ),
        ),
        thread=(
            (
                "ars",
                D(2026, 10, 14),
                1,
                """\
L'ARS ne peut pas financer cette unité sur la durée du contrat en l'état de ses crédits. Elle propose de la garder en \
fiche d'intention, à réexaminer lors d'une campagne de transformation de l'offre.""",
            ),
            (
                "cd44",
                D(2026, 10, 16),
                1,
                """\
Même position pour le Département, qui inscrit ce besoin dans la révision du schéma départemental de l'autonomie.""",
            ),
        ),
        agreements=(
            ("association", D(2026, 10, 9), None),
            ("ars", D(2026, 10, 16), None),
            ("cd44", D(2026, 10, 16), None),
        ),
    ),
    ObjectiveSpec(
        "3.1",
        "Réduire l'absentéisme et fidéliser les professionnels par une démarche de qualité de vie au travail",
        "Ressources humaines",
        D(2026, 9, 21),
        AGREED,
        due_year=3,
        stakes=4,
        feasibility=2,
        categories=("ESAT", "FAM", "MAS", "SAVS"),
        findings=("absenteisme", "mas-rotation"),
        priorities=(("ars", "PRS-4"),),
        sheet=_sheet(
            "L'absentéisme hors formation atteint 10,2 % à l'ESAT, 9,8 % au FAM et 10,0 % au SAVS, au-dessus du troisième "
            "quartile des établissements comparables ; la rotation des personnels est de 17 % à la MAS et de 20 % au SAVS.",
            "Les troubles musculo-squelettiques expliquent 41 % des arrêts de plus de 30 jours ; le baromètre social souligne la "
            "charge physique au FAM et à la MAS et l'isolement des professionnels du SAVS ; le management de proximité a été "
            "fragilisé par deux postes de chef de service vacants en 2025.",
            "Garantir la continuité et la qualité des accompagnements, réduire le coût des remplacements (612 000 € d'intérim "
            "et de CDD en 2025) et renforcer l'attractivité de l'association.",
            "Diagnostic de qualité de vie et des conditions de travail par établissement avec l'ARACT ; prévention des troubles "
            "musculo-squelettiques (rails de transfert au FAM et à la MAS, formation aux gestes et postures) ; formation des "
            "encadrants de proximité ; analyse des pratiques pour l'équipe du SAVS ; suivi trimestriel de l'absentéisme par "
            "motif avec le comité social et économique.",
            "Directrice des ressources humaines",
            "ARACT Pays de la Loire, service de prévention et de santé au travail, OPCO Santé, représentants du personnel",
            "Absentéisme ramené à 7,5 % en N+3 sur les quatre établissements ; rotation des personnels inférieure à 12 %.",
            (30000, "Temps de la directrice des ressources humaines et de la préventrice consacré à la démarche."),
            (95000, "Rails de transfert au FAM et à la MAS et formation des encadrants, sur fonds propres."),
            (40000, "Crédits non reconductibles de l'ARS au titre de la qualité de vie au travail (2027)."),
        ),
        milestones=(
            (D(2027, 6, 30), "Diagnostic de qualité de vie au travail restitué au comité social et économique"),
            (D(2027, 12, 31), "Rails de transfert installés au FAM et à la MAS"),
            (D(2028, 6, 30), "Tous les encadrants de proximité formés"),
            (D(2030, 12, 31), "Bilan de la démarche présenté au dialogue de gestion"),
        ),
        indicators=(
            FollowUp({0: "9", 1: "8,5", 2: "8", 3: "7,5"}, code="tdb-absenteisme", baseline="9,21"),
            FollowUp({1: "13,5", 3: "12"}, code="tdb-rotation-personnel", baseline="14,02"),
            FollowUp(
                {1: "4,2", 3: "3,5"},
                label="Part des dépenses d'intérim et de CDD de remplacement dans les dépenses de personnel",
                kind=Kind.ALERT,
                value_type=ValueType.PERCENTAGE,
                unit="%",
                direction=Direction.LOWER,
                baseline="4,9",
                method="Dépenses d'intérim (compte 6211) et de CDD de remplacement ÷ dépenses de personnel du groupe II × 100",
                source="Comptabilité et paie ; ERRD",
            ),
        ),
        edits=(
            Edit(
                D(2026, 10, 9),
                "association",
                "indicateur « Taux de rotation des personnels sur effectifs réels »",
                {"indicator:Taux de rotation des personnels sur effectifs réels": None},
            ),
        ),
        thread=(
            (
                "ars",
                D(2026, 10, 7),
                1,
                """\
L'ARS propose de suivre aussi le taux de rotation des personnels, qui dépasse le troisième quartile à la MAS et au SAVS.""",
            ),
        ),
        agreements=(
            ("cd44", D(2026, 10, 5), 1),
            ("association", D(2026, 10, 9), None),
            ("ars", D(2026, 10, 14), None),
            ("cd44", D(2026, 10, 16), None),
        ),
    ),
    ObjectiveSpec(
        "3.2",
        "Actualiser chaque année le projet personnalisé de tous les enfants de l'IME et des travailleurs de l'ESAT",
        "Qualité – personnalisation de l'accompagnement",
        D(2026, 9, 25),
        AGREED,
        due_year=1,
        stakes=3,
        feasibility=4,
        categories=("IME", "ESAT"),
        findings=("projets-personnalises",),
        priorities=(("ars", "PRS-5"),),
        sheet=_sheet(
            "79,3 % des enfants de l'IME et 77,1 % des travailleurs de l'ESAT ont un projet personnalisé actualisé depuis moins "
            "d'un an, contre plus de 94 % au FAM et à la MAS.",
            "Le calendrier de révision n'est pas piloté ; les réunions de projet sont annulées en cas d'absence ; la "
            "participation des personnes et des familles est inégale.",
            "Garantir à chaque personne un accompagnement individualisé et répondre à la recommandation de l'évaluation de "
            "l'IME de 2024.",
            "Échéancier annuel des révisions dans le dossier usager informatisé ; un référent de projet pour chaque personne ; "
            "supports en « facile à lire et à comprendre » ; revue mensuelle par les chefs de service.",
            "Responsable qualité du siège, avec les chefs de service de l'IME et de l'ESAT",
            "Personnes accompagnées et familles, conseils de la vie sociale",
            "100 % de projets personnalisés à jour en N+1.",
            (12000, "Temps de coordination des chefs de service."),
            (3000, "Conception des supports en « facile à lire et à comprendre »."),
            (0, "Sans moyens nouveaux."),
        ),
        milestones=(
            (D(2027, 3, 31), "Échéancier des révisions paramétré dans le dossier usager"),
            (D(2027, 12, 31), "90 % des projets personnalisés à jour"),
            (D(2028, 12, 31), "Tous les projets personnalisés à jour"),
        ),
        indicators=(
            FollowUp({0: "90", 1: "100"}, code="i-23", baseline="77,92"),
            FollowUp({0: "80", 1: "100"}, code="i-14", baseline="57,14"),
        ),
        agreements=(
            ("association", D(2026, 10, 2), None),
            ("ars", D(2026, 10, 7), None),
        ),
    ),
    ObjectiveSpec(
        "3.3",
        "Déployer un dossier usager informatisé dans les sept établissements (programme ESMS numérique)",
        "Systèmes d'information",
        D(2026, 11, 16),
        PROPOSED,
        proposer="ars",
        due_year=3,
        stakes=2,
        feasibility=2,
        categories=("IME", "SESSAD", "ESAT", "FAM", "MAS", "FV", "SAVS"),
        findings=("si",),
        priorities=(("ars", "PRS-5"),),
        sheet=_sheet(
            "Le dossier usager informatisé n'est déployé que dans trois établissements sur sept (IME, SESSAD, SAVS) ; "
            "l'association a été retenue en 2025 pour la vague 2 du programme ESMS numérique.",
            "Les autres établissements tiennent des dossiers papier et des tableurs ; l'information se partage mal avec les "
            "partenaires de santé et la sécurité des données n'est pas garantie.",
            "Partager l'information utile au parcours, sécuriser les données de santé et produire les indicateurs du contrat "
            "sans ressaisie.",
            "Schéma directeur des systèmes d'information ; choix d'une solution référencée au titre du Ségur du numérique ; "
            "déploiement par vagues (hébergement adulte en N+1, ESAT en N+2) ; raccordement à la messagerie sécurisée de santé "
            "et au dossier médical partagé.",
            "Directrice administrative et financière, avec le responsable des systèmes d'information",
            "GIP e-santé Pays de la Loire, éditeur retenu, ARS (programme ESMS numérique)",
            "Dossier usager informatisé utilisé dans les sept établissements en N+3.",
            (20000, "Temps du responsable des systèmes d'information et des référents métiers."),
            (60000, "Part de l'association dans l'acquisition et le déploiement de la solution."),
            (110000, "Financement ESMS numérique (vague 2), versé selon l'atteinte des cibles d'usage."),
        ),
        milestones=(
            (D(2027, 6, 30), "Schéma directeur des systèmes d'information adopté en conseil d'administration"),
            (D(2028, 6, 30), "Dossier usager déployé au FAM, à la MAS et au foyer de vie"),
            (D(2029, 6, 30), "Dossier usager déployé à l'ESAT"),
            (D(2030, 12, 31), "Raccordement au dossier médical partagé"),
        ),
        indicators=(
            FollowUp({0: "oui", 3: "oui"}, code="i-40", baseline="non", note=ENTERED_BY_ARS),
            FollowUp(
                {1: "6", 2: "7", 3: "7"},
                label="Nombre d'établissements utilisant le dossier usager informatisé",
                kind=Kind.PROCESS,
                unit="établissements",
                direction=Direction.HIGHER,
                baseline="3",
                note=ENTERED_BY_ARS,
                method="Établissements dont au moins 80 % des dossiers des personnes accompagnées sont tenus dans le dossier "
                "usager informatisé au 31 décembre",
                source="Statistiques d'usage de l'éditeur ; tableau de bord du programme ESMS numérique",
            ),
        ),
    ),
    ObjectiveSpec(
        "4.1",
        "Restructurer la MAS Les Hauts de Sèvre pour adapter le bâti à la dépendance des résidents",
        "Patrimoine",
        D(2026, 9, 23),
        AGREED,
        due_year=4,
        stakes=4,
        feasibility=1,
        categories=("MAS",),
        findings=("mas-vetuste",),
        sheet=_sheet(
            "Le bâtiment de 1992 présente un taux de vétusté de 74 % (63 % en 2021) ; les chambres de 14 m² et les salles de "
            "bains ne permettent plus d'utiliser les équipements de transfert.",
            "La restructuration, chiffrée à 4,8 M€ TTC en site occupé, dépasse la capacité d'autofinancement de la MAS, dont "
            "le taux d'endettement atteint 58 %.",
            "Garantir la sécurité et la dignité des résidents et de bonnes conditions de travail aux professionnels.",
            "Programme technique détaillé en N ; permis de construire et consultation des entreprises en N+1 ; travaux en deux "
            "tranches en site occupé (unités Nord puis Sud) ; plan de financement associant excédents affectés à "
            "l'investissement, emprunt et aide à l'investissement sollicitée auprès de l'ARS.",
            "Directrice administrative et financière, avec le directeur de la MAS",
            "Maîtrise d'œuvre, CNSA (plan d'aide à l'investissement), établissements bancaires, Ville de Vertou",
            "40 chambres de 20 m² avec salle de bains adaptée et un espace d'apaisement livrés en N+4.",
            (0, "Sans objet à moyens constants."),
            (
                2600000,
                "Affectation des excédents de la MAS à l'investissement (800 000 €) et emprunt de 1,8 M€ sur 25 ans.",
            ),
            (
                2200000,
                "Aide à l'investissement sollicitée auprès de la CNSA par l'ARS (1,4 M€) et prise en charge des surcoûts "
                "d'amortissement et de frais financiers dans la dotation (0,8 M€ sur la durée du contrat).",
            ),
        ),
        milestones=(
            (D(2027, 10, 31), "Programme technique détaillé validé en conseil d'administration"),
            (D(2028, 6, 30), "Permis de construire obtenu"),
            (D(2028, 12, 31), "Décision sur l'aide à l'investissement de la CNSA"),
            (D(2030, 6, 30), "Livraison de la tranche 1 (unités Nord)"),
            (D(2031, 6, 30), "Livraison de la tranche 2 (unités Sud)"),
        ),
        indicators=(
            FollowUp({2: "75", 3: "60", 4: "45"}, code="tdb-vetuste", baseline="74,36"),
            # The one content problem the demo leaves for the readiness check: a target not decided yet.
            FollowUp(
                {
                    0: "Programme technique détaillé validé",
                    1: "Permis de construire obtenu et marchés attribués",
                    2: "à préciser",
                    3: "Tranche 1 livrée",
                    4: "Tranche 2 livrée et restructuration achevée",
                },
                label="Étape du programme de restructuration atteinte au 31 décembre",
                kind=Kind.PROCESS,
                value_type=ValueType.TEXT,
                baseline="Étude de programmation réalisée",
                method="Étape franchie au 31 décembre selon le calendrier du programme (programme technique, permis de "
                "construire, marchés, livraisons)",
                source="Délibérations du conseil d'administration, ordres de service et procès-verbaux de réception",
            ),
        ),
        thread=(
            (
                "ars",
                D(2026, 10, 28),
                1,
                """\
Accord de l'ARS sur le principe et le calendrier. Le démarrage de la tranche 1 dépendra de l'instruction du plan d'aide \
à l'investissement 2028 ; la cible N+2 devra être précisée à ce moment.""",
            ),
        ),
        agreements=(
            ("association", D(2026, 10, 21), None),
            ("ars", D(2026, 10, 29), None),
        ),
    ),
    ObjectiveSpec(
        "4.2",
        "Porter l'activité du SAVS Nantes Métropole au niveau de sa capacité autorisée",
        "Activité",
        D(2026, 9, 29),
        AGREED,
        proposer="cd44",
        due_year=2,
        stakes=2,
        feasibility=4,
        categories=("SAVS",),
        findings=("savs-activite",),
        priorities=(("cd44", "SD44-2"),),
        sheet=_sheet(
            "Le SAVS réalise 64,4 % de l'activité attendue de ses 50 places en 2025, un niveau stable depuis 2021 et inférieur "
            "au premier quartile des SAVS comparables.",
            "La file active est suffisante, mais le nombre d'interventions par personne a baissé avec la rotation des "
            "professionnels (20 %) et les délais de remplacement ; l'activité n'est pas suivie chaque mois.",
            "Répondre aux demandes d'accompagnement à domicile dans la métropole et justifier la dotation départementale.",
            "Tableau de bord mensuel de l'activité ; interventions collectives et permanences ; admission des personnes en "
            "attente ; stabilisation de l'équipe (voir l'objectif 3.1).",
            "Chef de service du SAVS",
            "MDPH, bailleurs sociaux de Nantes Métropole, centres communaux d'action sociale",
            "Taux d'occupation de 95 % en N+2.",
            (18000, "Réorganisation des plannings d'intervention."),
            (5000, "Paramétrage du tableau de bord d'activité."),
            (0, "Sans moyens nouveaux du Département."),
        ),
        milestones=(
            (D(2027, 3, 31), "Tableau de bord mensuel de l'activité en place"),
            (D(2027, 12, 31), "Taux d'occupation de 75 %"),
            (D(2029, 12, 31), "Taux d'occupation de 95 %"),
        ),
        indicators=(
            FollowUp({0: "75", 1: "85", 2: "95"}, code="tdb-occupation", baseline="64,42"),
            FollowUp(
                {1: "46", 2: "50"},
                label="Nombre de personnes accompagnées au 31 décembre",
                kind=Kind.RESULTS,
                unit="personnes",
                direction=Direction.HIGHER,
                baseline="41",
                method="Personnes ayant bénéficié d'au moins une intervention du service dans le mois de décembre",
                source="Dossier usager informatisé du SAVS",
            ),
        ),
        agreements=(
            ("cd44", D(2026, 10, 5), None),
            ("association", D(2026, 10, 12), None),
            ("ars", D(2026, 10, 13), None),
        ),
    ),
    ObjectiveSpec(
        "4.3",
        "Rétablir l'équilibre financier du foyer de vie La Roselière",
        "Efficience",
        D(2026, 10, 6),
        DISCUSSED,
        due_year=2,
        stakes=3,
        feasibility=3,
        categories=("FV",),
        findings=("fv-finances", "nord-territoire"),
        sheet=_sheet(
            "Le foyer de vie a dégagé un résultat de −420 € en 2025 après +25 000 € en 2024 ; sa capacité d'autofinancement est "
            "négative (−1,9 %) et son coût à la place dépasse de 12 % le coût moyen national.",
            "2 des 28 places autorisées ne sont pas installées ; le foyer assure seul sa restauration et sa veille de nuit ; le "
            "recours à l'intérim de nuit a doublé en deux ans.",
            "Pérenniser la seule réponse d'hébergement pour adultes handicapés du nord du département, sans hausse du prix de "
            "journée au-delà du taux directeur.",
            "Installation des 2 places au 1er septembre 2027 après l'aménagement de deux chambres ; restauration mutualisée "
            "avec un établissement voisin ; pool de remplaçants pour réduire l'intérim de nuit ; suivi trimestriel de "
            "l'exécution budgétaire.",
            "Directrice du pôle hébergement adulte, avec le contrôleur de gestion",
            "Conseil départemental de Loire-Atlantique, établissements médico-sociaux voisins de Châteaubriant",
            "Taux d'occupation de 95 % et capacité d'autofinancement positive dès N+1 ; résultat à l'équilibre.",
            (12000, "Réorganisation de la restauration et des plannings de nuit."),
            (48000, "Aménagement de deux chambres sur fonds propres."),
            (0, "Sans moyens nouveaux : prix de journée fixé selon le taux directeur départemental."),
        ),
        milestones=(
            (D(2027, 9, 1), "Installation des 2 places non installées"),
            (D(2028, 1, 31), "Convention de restauration mutualisée signée"),
            (D(2029, 12, 31), "Équilibre d'exploitation atteint"),
        ),
        indicators=(
            FollowUp({0: "0", 1: "1", 2: "2"}, code="i-43", baseline="-1,91"),
            FollowUp({0: "92", 1: "95", 2: "95"}, code="i-25", baseline="90,07"),
        ),
        thread=(
            (
                "cd44",
                D(2026, 10, 14),
                1,
                """\
Le Département partage l'objectif mais ne retiendra pas un retour à l'équilibre fondé sur une progression du prix de \
journée supérieure au taux directeur. Quelles économies de structure l'association envisage-t-elle, et quand les deux \
places non installées le seront-elles ?""",
            ),
            (
                "association",
                D(2026, 10, 21),
                1,
                """\
Les deux places seront installées au 1er septembre 2027, après l'aménagement de deux chambres financé sur fonds propres \
(48 000 €). Nous engageons aussi la mutualisation de la restauration avec un établissement voisin et la constitution \
d'un pool de remplaçants pour réduire l'intérim de nuit.""",
            ),
            (
                "ars",
                D(2026, 10, 28),
                1,
                """\
L'ARS n'est pas financeur du foyer de vie. Elle rappelle que ses résultats s'affectent dans le périmètre du Département, \
sans compensation par les excédents des établissements financés par l'assurance maladie.""",
            ),
            (
                "cd44",
                D(2026, 11, 5),
                1,
                """\
Nous demandons une capacité d'autofinancement positive dès N+1 et un point d'étape au dialogue de gestion 2028. En \
l'état, le Département ne donne pas son accord à cette version.""",
            ),
        ),
        agreements=(("association", D(2026, 10, 12), None),),
    ),
)

# (operational objective, number, title): each action is agreed with its objective.
ASSOCIATION_ACTIONS = (
    (
        "1.1",
        "1.1.1",
        "Réunir chaque trimestre une commission de transition pour les jeunes de 16 ans et plus, avec la MDPH",
    ),
    (
        "1.1",
        "1.1.2",
        "Organiser des stages d'immersion dans les établissements pour adultes de l'association et du territoire",
    ),
    ("2.2", "2.2.1", "Mettre en place une astreinte infirmière de nuit commune au FAM et à la MAS"),
    (
        "3.1",
        "3.1.1",
        "Conduire un diagnostic de qualité de vie et des conditions de travail dans chaque établissement avec l'ARACT",
    ),
    ("3.1", "3.1.2", "Équiper le FAM et la MAS de rails de transfert et former les équipes à la prévention des TMS"),
    (
        "4.1",
        "4.1.1",
        "Faire valider le programme technique détaillé et le plan de financement par le conseil d'administration",
    ),
    ("4.1", "4.1.2", "Déposer la demande d'aide à l'investissement auprès de l'ARS"),
)

ASSOCIATION = Story(
    contract="association",
    body="association",
    authorities=("ars", "cd44"),
    baseline_year=None,
    fallback_day=D(2025, 12, 31),
    diagnostic_version=4,
    entries=ASSOCIATION_ENTRIES,
    remarks=ASSOCIATION_REMARKS,
    salient_issues=ASSOCIATION_SALIENT,
    perspectives=ASSOCIATION_PERSPECTIVES,
    findings=ASSOCIATION_FINDINGS,
    strategic=ASSOCIATION_STRATEGIC,
    strategic_on=D(2026, 9, 15),
    strategic_agreements=(("association", D(2026, 9, 15)), ("ars", D(2026, 9, 29)), ("cd44", D(2026, 9, 30))),
    objectives=ASSOCIATION_OPERATIONAL,
    actions=ASSOCIATION_ACTIONS,
)

# =====================================================================================================
# EHPAD public Les Tilleuls – CPOM-PDL-2024-049-07 (in force since 2024, negotiated in 2023 on 2022 data)
# =====================================================================================================

EHPAD_ENTRIES = (
    (
        "1.1.1",
        None,
        D(2023, 4, 18),
        """\
L'EHPAD accueille 86 résidents, dont le GIR moyen pondéré est passé de 712 à 748 entre 2019 et 2022 ; \
35 % des résidents présentent une maladie neuro-évolutive. Le SSIAD accompagne 38 patients pour une \
capacité de 40 places. La population accueillie est conforme aux autorisations.""",
    ),
    (
        "1.2.4",
        None,
        D(2023, 4, 25),
        """\
94,6 % des résidents disposent d'un projet personnalisé actualisé dans l'année, élaboré avec eux et leurs \
proches. L'évaluation externe de 2021 a relevé la qualité de l'accompagnement en fin de vie.""",
    ),
    (
        "1.3.1",
        None,
        D(2023, 5, 2),
        """\
L'EHPAD a un taux d'occupation de 96,2 % en 2022. Le SSIAD ne réalise que 73,6 % de son activité \
théorique, sous le premier quartile des SSIAD comparables : les demandes de sortie d'hospitalisation lui \
parviennent tardivement et son secteur d'intervention ne couvre pas toutes les communes nouvelles du \
Baugeois.""",
    ),
    (
        "1.3.2",
        None,
        D(2023, 5, 2),
        """\
L'EHPAD est un établissement public autonome dont le conseil d'administration est présidé par le maire de \
Baugé-en-Anjou. L'équipe de direction (directeur, responsable des finances, cadre de santé, infirmière \
coordinatrice) est commune à l'EHPAD et au SSIAD ; la paie et les marchés publics sont assurés par \
convention avec le centre hospitalier de proximité.""",
    ),
    (
        "1.3.4",
        None,
        D(2023, 5, 2),
        """\
Les équipes sont stables : absentéisme de 4,4 %, rotation des personnels de 4,7 %, 4,6 jours de \
formation par salarié en 2022 et 62 % de personnels diplômés. Le recrutement d'infirmiers devient \
toutefois difficile et deux postes ont été pourvus par l'intérim pendant six mois.""",
    ),
    (
        "1.3.5",
        None,
        D(2023, 5, 9),
        """\
L'établissement est déficitaire (−24 700 € en 2022) et sa capacité d'autofinancement est négative \
(−1,8 %). Le coût à la place dépasse de 19 % le coût moyen national, du fait de charges de structure \
élevées dans l'aile historique. Le taux de vétusté des constructions atteint 68 % ; l'aile de 1974 \
compte 12 chambres doubles et des sanitaires partagés.""",
    ),
    (
        "1.4.1",
        None,
        D(2023, 5, 9),
        """\
L'EHPAD et son SSIAD sont les seuls services de ce type à 15 km à la ronde, sur un territoire rural au \
vieillissement marqué. Ils travaillent avec le centre hospitalier de proximité, le dispositif d'appui à \
la coordination et les services d'aide à domicile du Baugeois.""",
    ),
)

EHPAD_REMARKS = (
    (
        "1.3.5",
        None,
        "cd49",
        D(2023, 5, 24),
        """\
Le Département demande que le plan de financement de la réhabilitation distingue l'effet sur le tarif \
hébergement de celui sur le tarif dépendance.""",
    ),
)

EHPAD_SALIENT = """\
1. Un bâti vétuste (aile de 1974, 12 chambres doubles) qu'il faut réhabiliter.
2. Une situation financière déficitaire, avec un coût à la place élevé.
3. La sous-activité du SSIAD, alors que les besoins de soins à domicile augmentent sur le Baugeois."""

EHPAD_PERSPECTIVES = {
    "1.1": "Maintenir la qualité de l'accompagnement en adaptant le cadre de vie aux résidents plus dépendants.",
    "1.2": "Poursuivre la démarche qualité engagée ; préparer l'évaluation de 2026 selon le référentiel de la HAS.",
    "1.3": "Réhabiliter l'aile historique, rétablir l'équilibre financier et porter l'activité du SSIAD à sa capacité.",
    "1.4": "Conforter l'articulation avec le centre hospitalier de proximité pour les sorties d'hospitalisation.",
}

EHPAD_FINDINGS = (
    FindingSpec(
        "ehpad-vetuste",
        "anap-7",
        Nature.PROBLEM,
        EST,
        "EHPAD",
        "Aile historique de 1974 : taux de vétusté des constructions de 68,4 %, 12 chambres doubles et des sanitaires partagés",
        causes="Bâtiment non rénové depuis 1998 ; investissements différés faute de capacité d'autofinancement.",
        consequences="Intimité et dignité des résidents insuffisamment garanties ; charges d'entretien et d'énergie élevées.",
        evidence="Diagnostic technique du bâti (2022).",
        indicators=("tdb-vetuste", "i-44"),
        priority=HIGH,
        on=D(2023, 5, 9),
    ),
    FindingSpec(
        "ehpad-finances",
        "anap-6",
        Nature.DIFFICULTY,
        EST,
        "EHPAD",
        "Résultat déficitaire (−24 700 € en 2022) et capacité d'autofinancement négative (−1,8 %), pour un coût à la place "
        "supérieur de 19 % au coût moyen national",
        causes="Charges de structure de l'aile historique ; restauration non mutualisée ; recours à l'intérim infirmier.",
        consequences="Fonds propres entamés ; capacité à financer la réhabilitation limitée.",
        evidence="Comptes financiers 2021 et 2022.",
        indicators=("i-41", "tdb-caf", "i-47"),
        priority=HIGH,
        on=D(2023, 5, 9),
    ),
    FindingSpec(
        "ssiad-activite",
        "1.3.1",
        Nature.DIFFICULTY,
        EST,
        "SSIAD",
        "SSIAD du Baugeois : taux d'occupation de 73,6 % en 2022, sous le premier quartile des SSIAD comparables",
        causes="Demandes de sortie d'hospitalisation transmises tardivement ; secteur d'intervention incomplet.",
        consequences="Patients du territoire sans soins infirmiers à domicile ; dotation sous-employée.",
        evidence="Rapports d'activité 2021 et 2022.",
        indicators=("i-25", "tdb-occupation"),
        priority=HIGH,
        on=D(2023, 5, 2),
    ),
    FindingSpec(
        "ehpad-equipes",
        "anap-4",
        Nature.STRENGTH,
        EST,
        "EHPAD",
        "Équipes stables et formées : absentéisme de 4,4 %, rotation de 4,7 % et 4,6 jours de formation par salarié en 2022",
        causes="Management de proximité reconnu ; plan de formation ambitieux (assistants de soins en gérontologie).",
        consequences="Continuité de l'accompagnement ; appui pour conduire la réhabilitation en site occupé.",
        evidence="Bilan social 2022.",
        indicators=("tdb-absenteisme", "tdb-rotation-personnel", "i-37"),
        priority=LOW,
        on=D(2023, 5, 2),
    ),
    FindingSpec(
        "ehpad-projets",
        "1.2.4",
        Nature.STRENGTH,
        EST,
        "EHPAD",
        "94,6 % des résidents disposent d'un projet personnalisé actualisé dans l'année",
        causes="Référents de projet désignés pour chaque résident ; réunion hebdomadaire de projets.",
        consequences="Accompagnement individualisé, apprécié des familles (enquête de satisfaction 2022).",
        evidence="Rapport d'évaluation externe (2021) ; tableau de suivi des projets.",
        indicators=("i-23",),
        priority=LOW,
        on=D(2023, 4, 25),
    ),
    FindingSpec(
        "baugeois",
        "1.4.1",
        Nature.SPECIFICITY,
        TER,
        None,
        "Baugeois : territoire rural au vieillissement marqué, où l'EHPAD et le SSIAD sont les seuls services de ce type à "
        "15 km à la ronde",
        causes="Faible densité de population ; offre concentrée à Angers et à Saumur.",
        consequences="Rôle de pôle gérontologique de proximité ; attentes fortes des partenaires du territoire.",
        evidence="Diagnostic territorial de l'ARS (2022).",
        indicators=(),
        priority=MEDIUM,
        on=D(2023, 5, 16),
        author="ars",
    ),
)

EHPAD_STRATEGIC = (
    (
        "1",
        "Offrir aux personnes âgées du Baugeois un cadre de vie adapté et un parcours coordonné",
        "Accompagnement et cadre de vie",
    ),
    ("2", "Assurer la soutenabilité financière de l'établissement", "Efficience"),
)

EHPAD_OPERATIONAL = (
    ObjectiveSpec(
        "1.1",
        "Réhabiliter l'aile historique et supprimer les chambres doubles",
        "Patrimoine",
        D(2023, 6, 20),
        AGREED,
        due_year=4,
        stakes=4,
        feasibility=2,
        categories=("EHPAD",),
        findings=("ehpad-vetuste",),
        priorities=(("cd49", "SD49-1"),),
        sheet=_sheet(
            "L'aile de 1974 présente un taux de vétusté de 68 % ; elle compte 12 chambres doubles et des sanitaires partagés.",
            "Les travaux, estimés à 3,2 M€, doivent être conduits en site occupé sans réduire la capacité.",
            "Garantir à chaque résident une chambre individuelle avec salle d'eau et réduire les charges d'énergie.",
            "Réhabilitation en deux phases, par demi-aile ; relogement temporaire dans les chambres libérées par le turn-over ; "
            "plan de financement associant emprunt, aide à l'investissement et fonds propres.",
            "Directeur de l'EHPAD",
            "Conseil départemental de Maine-et-Loire, ARS (plan d'aide à l'investissement), maîtrise d'œuvre",
            "Plus aucune chambre double en N+4.",
            (0, "Sans objet à moyens constants."),
            (1900000, "Emprunt de 1,6 M€ et fonds propres (0,3 M€)."),
            (1300000, "Aide à l'investissement de l'ARS (0,9 M€) et du Département (0,4 M€)."),
        ),
        milestones=(
            (D(2024, 6, 30), "Programme de travaux validé par le conseil d'administration"),
            (D(2025, 3, 31), "Permis de construire obtenu"),
            (D(2026, 12, 31), "Livraison de la première demi-aile"),
            (D(2028, 6, 30), "Fin des travaux et suppression de la dernière chambre double"),
        ),
        indicators=(
            FollowUp({2: "72", 4: "45"}, code="tdb-vetuste", baseline="68,37"),
            FollowUp(
                {2: "6", 4: "0"},
                label="Nombre de chambres doubles",
                kind=Kind.RESULTS,
                unit="chambres",
                direction=Direction.LOWER,
                baseline="12",
                method="Chambres occupées ou destinées à deux résidents au 31 décembre",
                source="Plan des locaux ; registre des admissions",
            ),
        ),
        agreements=(("ehpad", D(2023, 9, 12), None), ("ars", D(2023, 9, 26), None), ("cd49", D(2023, 10, 3), None)),
    ),
    ObjectiveSpec(
        "1.2",
        "Porter l'activité du SSIAD du Baugeois au niveau de sa capacité",
        "Activité",
        D(2023, 6, 27),
        AGREED,
        proposer="ars",
        due_year=2,
        stakes=3,
        feasibility=3,
        categories=("SSIAD",),
        findings=("ssiad-activite", "baugeois"),
        priorities=(("cd49", "SD49-2"),),
        sheet=_sheet(
            "Le SSIAD réalise 73,6 % de son activité théorique en 2022, sous le premier quartile des SSIAD comparables.",
            "Les demandes de sortie d'hospitalisation arrivent tardivement et le secteur d'intervention ne couvre pas toutes "
            "les communes nouvelles du Baugeois.",
            "Répondre aux besoins de soins à domicile d'un territoire vieillissant et éviter des hospitalisations prolongées.",
            "Convention de sortie d'hospitalisation avec le centre hospitalier de proximité ; extension du secteur "
            "d'intervention ; coordination avec le dispositif d'appui à la coordination et les services d'aide à domicile.",
            "Infirmière coordinatrice du SSIAD",
            "Centre hospitalier de proximité, dispositif d'appui à la coordination, services d'aide à domicile",
            "Taux d'occupation de 95 % en N+2 ; première intervention dans les trois jours suivant la demande.",
            (15000, "Réorganisation des tournées."),
            (8000, "Véhicule supplémentaire en location."),
            (0, "Sans moyens nouveaux."),
        ),
        milestones=(
            (D(2024, 3, 31), "Convention de sortie d'hospitalisation signée avec le centre hospitalier de proximité"),
            (D(2024, 9, 30), "Secteur d'intervention étendu aux communes nouvelles du Baugeois"),
            (D(2026, 12, 31), "Taux d'occupation de 95 %"),
        ),
        indicators=(
            FollowUp({0: "80", 1: "88", 2: "95"}, code="i-25", baseline="73,55"),
            FollowUp(
                {1: "5", 2: "3"},
                label="Délai moyen entre la demande de prise en charge et la première intervention",
                kind=Kind.RESULTS,
                unit="jours",
                direction=Direction.LOWER,
                baseline="9",
                method="Somme des délais en jours entre la réception de la prescription et la première intervention ÷ nombre "
                "d'admissions de l'année",
                source="Logiciel de planification du SSIAD",
            ),
        ),
        agreements=(("ars", D(2023, 9, 12), None), ("ehpad", D(2023, 9, 19), None)),
    ),
    ObjectiveSpec(
        "2.1",
        "Rétablir l'équilibre financier de l'établissement",
        "Efficience",
        D(2023, 7, 4),
        AGREED,
        due_year=3,
        stakes=4,
        feasibility=2,
        categories=("EHPAD",),
        findings=("ehpad-finances",),
        sheet=_sheet(
            "L'EHPAD est déficitaire (−24 700 € en 2022), sa capacité d'autofinancement est négative (−1,8 %) et son coût à la "
            "place dépasse de 19 % le coût moyen national.",
            "Les charges de structure de l'aile historique, une restauration non mutualisée et l'intérim infirmier pèsent sur "
            "l'exploitation.",
            "Préserver la capacité de l'établissement à financer sa réhabilitation et à maintenir ses prestations.",
            "Plan de retour à l'équilibre : mutualisation de la restauration avec le portage de repas de la commune, "
            "renégociation des contrats d'énergie, réduction de l'intérim par un pool de remplacement ; suivi trimestriel.",
            "Directeur de l'EHPAD, avec la responsable des finances",
            "Conseil départemental de Maine-et-Loire, ARS, commune de Baugé-en-Anjou",
            "Capacité d'autofinancement positive dès N+1 et résultat à l'équilibre en N+3.",
            (30000, "Économies de structure redéployées."),
            (0, "Sans apport du gestionnaire."),
            (0, "Sans moyens nouveaux."),
        ),
        milestones=(
            (D(2024, 6, 30), "Plan de retour à l'équilibre adopté par le conseil d'administration"),
            (D(2025, 1, 31), "Restauration mutualisée avec le portage de repas de la commune"),
            (D(2027, 12, 31), "Résultat à l'équilibre"),
        ),
        indicators=(
            FollowUp({0: "0", 1: "0,5", 2: "1", 3: "1,5"}, code="tdb-caf", baseline="-1,82"),
            FollowUp({1: "115", 3: "108"}, code="i-47", baseline="118,92"),
        ),
        agreements=(("ehpad", D(2023, 9, 19), None), ("cd49", D(2023, 10, 3), None), ("ars", D(2023, 10, 10), None)),
    ),
)

EHPAD = Story(
    contract="ehpad",
    body="ehpad",
    authorities=("ars", "cd49"),
    baseline_year=2022,
    fallback_day=D(2022, 12, 31),
    diagnostic_version=2,
    entries=EHPAD_ENTRIES,
    remarks=EHPAD_REMARKS,
    salient_issues=EHPAD_SALIENT,
    perspectives=EHPAD_PERSPECTIVES,
    findings=EHPAD_FINDINGS,
    strategic=EHPAD_STRATEGIC,
    strategic_on=D(2023, 6, 13),
    strategic_agreements=(("ehpad", D(2023, 9, 5)), ("ars", D(2023, 9, 12)), ("cd49", D(2023, 9, 19))),
    objectives=EHPAD_OPERATIONAL,
    actions=(),
)


# =====================================================================================================
# Building
# =====================================================================================================

# Event kinds, in the order they happen within one day.
EDIT, MESSAGE, AGREEMENT = 0, 1, 2
HOURS = {EDIT: 10, MESSAGE: 11, AGREEMENT: 15}


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def _stamp(model, pk: int, day_time: datetime, name: str = "at") -> None:
    """auto_now_add stamps today; the demo's story has its own dates (written before the contract is signed)."""
    model.objects.filter(pk=pk).update(**{name: day_time})


def _priorities(authorities: dict) -> dict[tuple[str, str], RegionalPriority]:
    return {
        (key, code): RegionalPriority.objects.update_or_create(
            authority=authorities[key], code=code, defaults={"label": label, "source": source}
        )[0]
        for key, code, label, source in PRIORITIES
    }


def load_contract_content(contracts: dict[str, Contract], users: dict, authorities: dict) -> None:
    """Rebuilds both demo contracts' diagnostic and objectives; ``contracts`` is keyed "association" and "ehpad",
    ``users`` and ``authorities`` by the loader's organisation keys."""
    template = DiagnosticTemplate.objects.get(code=TEMPLATE_CODE)
    catalogue = {i.code: i for i in Indicator.objects.filter(catalogue__authority=None)}
    priorities = _priorities(authorities)
    for story in (ASSOCIATION, EHPAD):
        _Builder(story, contracts[story.contract], template, catalogue, priorities, users, authorities).build()


def _first_version(spec: "ObjectiveSpec") -> dict:
    """The values of version 1 that the edits changed: each key's value before the first edit touching it."""
    first = {}
    for edit in spec.edits:
        for key, value in edit.before.items():
            _check(key not in first, f"{spec.number}: « {key} » is edited twice, the story cannot replay it")
            first[key] = int(value.removeprefix("N+")) if key == "Échéance" else value
    return first


class StoryError(ValueError):
    """The demo's story contradicts the negotiation rules (a mistake in this file, not in the database)."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise StoryError(what)


class _Builder:
    """Writes one story's diagnostic, findings and objectives for its contract."""

    def __init__(self, story: Story, contract, template, catalogue, priorities, users, authorities):
        self.story, self.contract, self.template = story, contract, template
        self.catalogue, self.priorities, self.users, self.authorities = catalogue, priorities, users, authorities
        self.sections = {s.code: s for s in template.sections.all()}
        self.sites = {e.category: e for e in contract.establishments.all()}
        self.parties = [story.body, *story.authorities]
        self.labels = {key: users[key].membership.organisation_label for key in self.parties}
        self.findings: dict[str, Finding] = {}

    # --- diagnostic ----------------------------------------------------------------------------------

    def build(self) -> None:
        self.diagnostic = Diagnostic.objects.create(
            contract=self.contract,
            template=self.template,
            salient_issues=self.story.salient_issues,
            version=self.story.diagnostic_version,
        )
        self._entries()
        for axis, text in self.story.perspectives.items():
            AxisPerspective.objects.create(diagnostic=self.diagnostic, axis=axis, text=text)
        for spec in self.story.findings:
            self._finding(spec)
        self._objectives()

    def _entries(self) -> None:
        """The managing body's analyses and the authorities' remarks, through the diagnostic's services, each as its
        author at its moment."""
        body_user = self.users[self.story.body]
        try:
            for code, category, day, text in self.story.entries:
                site = self.sites[category] if category else None
                with fixed_clock(_at(day, 17)):
                    save_analysis(self.diagnostic, self.sections[code], site, body_user, text, expected_version=1)
            for code, category, key, day, text in self.story.remarks:
                site = self.sites[category] if category else None
                with fixed_clock(_at(day, 14)):
                    add_remark(self.diagnostic, self.sections[code], site, self.users[key], text)
        except DiagnosticRefused as refused:
            raise StoryError(f"{code}{f' ({category})' if category else ''}, {day:%d/%m/%Y} : {refused}") from refused

    def _finding(self, spec: FindingSpec) -> None:
        finding = Finding.objects.create(
            diagnostic=self.diagnostic,
            section=self.sections[spec.section],
            text=spec.text,
            nature=spec.nature,
            level=spec.level,
            establishment=self.sites[spec.category] if spec.category else None,
            evidence=spec.evidence,
            causes=spec.causes,
            consequences=spec.consequences,
            lever_exists=spec.lever_exists,
            priority=spec.priority,
            authority=self.authorities[spec.author] if spec.author else None,
            organisation_label=self.labels[spec.author or self.story.body],
        )
        finding.evidence_indicators.set([self.catalogue[code] for code in spec.indicators])
        _stamp(Finding, finding.pk, _at(spec.on, 16), "created_at")
        self.findings[spec.key] = finding

    # --- objectives ----------------------------------------------------------------------------------

    def _objectives(self) -> None:
        story = self.story
        for number, title, theme in story.strategic:
            objective = self._objective(Level.STRATEGIC, None, number, title, theme, "", story.strategic_on)
            agreements = [(key, day, None) for key, day in story.strategic_agreements]
            self._negotiate(objective, "", story.strategic_on, [], agreements)
        operational = {}
        for spec in story.objectives:
            parent = Objective.objects.get(contract=self.contract, number=spec.number.split(".")[0])
            operational[spec.number] = self._operational(spec, parent)
        for parent_number, number, title in story.actions:
            parent, spec = operational[parent_number], next(s for s in story.objectives if s.number == parent_number)
            objective = self._objective(Level.ACTION, parent, number, title, parent.theme, "", spec.proposed_on)
            objective.establishments.set(parent.establishments.all())
            current = [(key, day, None) for key, day, version in spec.agreements if version is None]
            self._negotiate(objective, "", spec.proposed_on, [], current)

    def _objective(self, level, parent, number, title, theme, proposer, day, **fields) -> Objective:
        objective = Objective.objects.create(
            contract=self.contract,
            level=level,
            parent=parent,
            number=number,
            title=title,
            theme=theme,
            proposed_by_authority=self.authorities[proposer] if proposer else None,
            **fields,
        )
        _stamp(Objective, objective.pk, _at(day, 9), "created_at")
        return objective

    def _operational(self, spec: ObjectiveSpec, parent: Objective) -> Objective:
        """The objective as first proposed (version 1: the story's content before its edits), then its negotiation."""
        first = _first_version(spec)
        objective = self._objective(
            Level.OPERATIONAL,
            parent,
            spec.number,
            spec.title,
            spec.theme,
            spec.proposer,
            spec.proposed_on,
            funding=spec.funding,
            due_year=first.get("Échéance", spec.due_year),
            stakes=spec.stakes,
            feasibility=spec.feasibility,
        )
        establishments = [self.sites[c] for c in spec.categories]
        objective.establishments.set(establishments)
        objective.findings.set([self.findings[key] for key in spec.findings])
        objective.priorities.set([self.priorities[key] for key in spec.priorities])
        sheet = {**spec.sheet, **{k[6:]: v for k, v in first.items() if k.startswith("sheet:")}}
        ObjectiveSheet.objects.create(
            objective=objective, **{k: ("" if v is None and k.endswith("_note") else v) for k, v in sheet.items()}
        )
        for day, label in spec.milestones:
            Milestone.objects.create(objective=objective, label=label, due_date=day)
        added_later = {k[10:] for k in first if k.startswith("indicator:")}
        later = {}
        for follow_up in spec.indicators:
            if self._indicator_label(follow_up) in added_later:
                later[self._indicator_label(follow_up)] = follow_up
            else:
                self._indicator(objective, follow_up, establishments)
        changes = [self._change(spec, edit, later, establishments) for edit in spec.edits]
        self._negotiate(
            objective,
            spec.proposer,
            spec.proposed_on,
            list(zip(spec.edits, changes, strict=True)),
            list(spec.agreements),
            list(spec.thread),
            spec,
        )
        return objective

    def _indicator_label(self, spec: FollowUp) -> str:
        return self.catalogue[spec.code].label if spec.code else spec.label

    def _change(self, spec: ObjectiveSpec, edit: Edit, later: dict, establishments):
        """What the edit changes, from the version before it to the story's content (each key is edited once)."""

        def change(current: Objective) -> None:
            for key in edit.before:
                if key == "Échéance":
                    current.due_year = spec.due_year
                    current.save()
                elif key.startswith("sheet:"):
                    ObjectiveSheet.objects.filter(objective=current).update(**{key[6:]: spec.sheet[key[6:]]})
                elif key.startswith("indicator:"):
                    self._indicator(current, later[key[10:]], establishments)
                else:
                    raise StoryError(f"{spec.number}: the story cannot replay an edit of « {key} »")

        return change

    def _indicator(self, objective: Objective, spec: FollowUp, establishments) -> None:
        if spec.code:
            catalogue = self.catalogue[spec.code]
            fields = _catalogue_fields(catalogue)
            baseline = self._baseline(catalogue, establishments, spec)
        else:
            catalogue = None
            fields = {
                "label": spec.label,
                "kind": spec.kind,
                "value_type": spec.value_type,
                "unit": spec.unit,
                "method": spec.method,
                "data_source": spec.source,
                "direction": spec.direction,
            }
            baseline = Baseline(
                normalise(spec.value_type, spec.baseline), self.story.fallback_day, spec.note or ENTERED
            )
        indicator = FollowUpIndicator.objects.create(
            objective=objective,
            catalogue_indicator=catalogue,
            baseline_value=baseline.value,
            baseline_date=baseline.day,
            baseline_note=baseline.note,
            **fields,
        )
        Target.objects.bulk_create(
            Target(indicator=indicator, due_year=due_year, value=normalise(indicator.value_type, value))
            for due_year, value in sorted(spec.targets.items())
        )

    def _baseline(self, indicator: Indicator, establishments, spec: FollowUp) -> Baseline:
        """The engine's value (the latest year, or the story's year for a contract negotiated earlier); across
        several categories, Σ numerators ÷ Σ denominators as the parties would type it; else the story's figure."""
        year = self.story.baseline_year
        computed = IndicatorValue.objects.filter(indicator=indicator, establishment__in=establishments)
        if year is None:
            found = engine_baseline(indicator, establishments)
            if found.value:
                return found
            year = computed.order_by("-year").values_list("year", flat=True).first()
        else:
            rows = [r for r in consolidated_for(establishments, year) if r.indicator.pk == indicator.pk]
            if len(rows) == 1 and rows[0].value is not None:
                members = rows[0].members
                return Baseline(
                    normalise(indicator.value_type, f"{rows[0].value:.2f}"),
                    date(year, 12, 31),
                    f"Calculée par cpom sur les données {year} ({members} établissement{'s' if members > 1 else ''}).",
                )
        values = list(computed.filter(year=year))
        if values and all(v.value is not None and v.denominator for v in values):
            value = indicator.factor * sum(v.numerator for v in values) / sum(v.denominator for v in values)
            return Baseline(
                normalise(indicator.value_type, f"{value:.2f}"),
                date(year, 12, 31),
                f"{spec.note or ENTERED} : consolidation des {len(values)} établissements concernés "
                f"(somme des numérateurs ÷ somme des dénominateurs, données {year}).",
            )
        return Baseline(normalise(indicator.value_type, spec.baseline), self.story.fallback_day, spec.note or ENTERED)

    # --- negotiation ---------------------------------------------------------------------------------

    def _negotiate(self, objective, proposer, proposed_on, edits, agreements, thread=(), spec=None) -> None:
        """Plays the proposal, edits, messages and agreements in date order through cpom.objectives.negotiation, each
        as its party's demo user under a clock fixed at its moment; the final status and version must be the story's."""
        events = [(e.on, EDIT, n, (e, change)) for n, (e, change) in enumerate(edits)]
        events += [(day, MESSAGE, n, (key, version, text)) for n, (key, day, version, text) in enumerate(thread)]
        events += [(day, AGREEMENT, n, (key, version)) for n, (key, day, version) in enumerate(agreements)]
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        proposer = proposer or self.story.body
        with fixed_clock(_at(proposed_on, 9)):
            # As cpom.objectives.services.propose ends: the first version in the journal, the proposer's word on it.
            record(self.users[proposer], objective, "Version 1 : proposition", None, objective_snapshot(objective))
            negotiation.agree_as_proposer(objective, self.users[proposer])
        for day, kind, n, event in events:
            objective.refresh_from_db()
            with fixed_clock(_at(day, HOURS[kind], 5 * n)):
                try:
                    self._play(objective, kind, event, day)
                except negotiation.NegotiationRefused as refused:
                    raise StoryError(f"{objective.number}, {day:%d/%m/%Y} : {refused}") from refused
        objective.refresh_from_db()
        expected = (spec.status if spec else Status.AGREED, 1 + len(edits))
        reached = (objective.status, objective.version)
        _check(reached == expected, f"{objective.number}: the story ends at {reached}, not {expected}")

    def _play(self, objective: Objective, kind: int, event, day: date) -> None:
        if kind == EDIT:
            edit, change = event
            negotiation.edit(objective, self.users[edit.by], change, objective.version, edit.what)
            return
        if kind == MESSAGE:
            key, version, text = event
            _check(
                version == objective.version,
                f"{objective.number}: message written on version {version}, not {objective.version}",
            )
            negotiation.comment(objective, self.users[key], text)
            return
        key, version = event
        _check(version in (None, objective.version), f"{objective.number}: {key} agrees to version {version} on {day}")
        side = contract_side(self.users[key], self.contract)
        given = {(a.managing_body_id, a.authority_id) for a in objective.agreements.filter(version=objective.version)}
        if side is not None and (side.managing_body_id, side.authority_id) in given:
            return  # whoever put this version forward agreed to it then (proposing is agreeing)
        negotiation.agree(objective, self.users[key], objective.version)
