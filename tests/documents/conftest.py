"""Real diagnostics and objectives in the test database, and readers that open the produced files for real."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

import docx
import pytest
from docx.document import Document as WordDocument
from docx.table import Table
from pypdf import PdfReader

from cpom.diagnostic.frames import load_template
from cpom.diagnostic.models import AxisPerspective, Diagnostic, Finding, FindingLevel, Nature, Priority, TemplateSection
from cpom.diagnostic.services import diagnostic_for
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


def _plain(text: str) -> str:
    """The text as a reader sees it: non-breaking spaces are spaces."""
    return text.replace("\u00a0", " ")


@dataclass
class WordFile:
    document: WordDocument
    lines: list[tuple[str, str]]  # (style or "table", text), in the order of the body

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)

    @property
    def footer(self) -> str:
        """The footer's text, with the page number Word computes shown as « {PAGE} »."""
        paragraph = self.document.sections[0].footer.paragraphs[0]
        fields = paragraph._p.xpath("./w:fldSimple/@w:instr")
        return _plain(paragraph.text) + "".join(f"{{{field}}}" for field in fields)

    def heading_level(self, text: str) -> int | None:
        style = next(style for style, line in self.lines if line == text)
        return _level(style)

    def under(self, *path: str) -> list[str]:
        """The lines after the headings of path (each one searched after the previous), up to the next heading
        of the same or a higher level than the last one."""
        position = -1
        for heading in path:
            position = next(n for n, (style, line) in enumerate(self.lines) if n > position and line == heading)
        level = _level(self.lines[position][0])
        found = []
        for style, line in self.lines[position + 1 :]:
            if _level(style) is not None and _level(style) <= level:
                break
            found.append(line)
        return found

    def tables(self) -> list[list[list[str]]]:
        return [[[_plain(c.text) for c in row.cells] for row in t.rows] for t in self.document.tables]


def _level(style: str) -> int | None:
    if style == "Title":
        return 0
    return int(style.removeprefix("Heading ")) if style.startswith("Heading ") else None


@pytest.fixture
def read_docx():
    def read(data: bytes) -> WordFile:
        document = docx.Document(BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += [("table", " | ".join(_plain(c.text) for c in row.cells)) for row in block.rows]
            elif block.text:
                lines.append((block.style.name, _plain(block.text)))
        return WordFile(document, lines)

    return read


@pytest.fixture
def read_pdf():
    """The text of each page, as pypdf extracts it."""

    def read(data: bytes) -> list[str]:
        assert data.startswith(b"%PDF-")
        return [_plain(page.extract_text()) for page in PdfReader(BytesIO(data)).pages]

    return read


@pytest.fixture
def diagnostic(association_contract):
    # The demo's own diagnostic and objectives would mix with what each test writes and reads back.
    association_contract.objectives.all().delete()
    Diagnostic.objects.filter(contract=association_contract).delete()
    load_template()
    diagnostic = diagnostic_for(association_contract)
    diagnostic.salient_issues = "Vieillissement des personnes accueillies & manque de places en foyer."
    diagnostic.save()
    return diagnostic


@pytest.fixture
def establishment(association_contract):
    return association_contract.establishments.order_by("name").first()


@pytest.fixture
def findings(diagnostic, establishment):
    sections = {s.code: s for s in TemplateSection.objects.filter(template=diagnostic.template)}

    def finding(code, text, nature, **extra):
        extra.setdefault("level", FindingLevel.MANAGING_BODY)
        return Finding.objects.create(
            diagnostic=diagnostic,
            section=sections[code],
            text=text,
            nature=nature,
            organisation_label="Association gestionnaire",
            **extra,
        )

    return {
        "strength": finding("1.1.2", "Projets personnalisés actualisés chaque année", Nature.STRENGTH),
        "difficulty": finding(
            "1.1.1",
            "Taux d'occupation < 80 % & liste d'attente non tenue",
            Nature.DIFFICULTY,
            level=FindingLevel.ESTABLISHMENT,
            establishment=establishment,
            priority=Priority.HIGH,
            causes="Orientations MDPH tardives",
            consequences="Perte de recettes d'hébergement",
        ),
        "problem": finding(
            "1.2.2", "Conseil de la vie sociale réuni une fois par an", Nature.PROBLEM, priority=Priority.LOW
        ),
        "specificity": finding(
            "1.3.1",
            "Unité pour personnes handicapées vieillissantes",
            Nature.SPECIFICITY,
            level=FindingLevel.TERRITORY,
        ),
    }


@pytest.fixture
def perspectives(diagnostic):
    AxisPerspective.objects.create(
        diagnostic=diagnostic, axis="1.2", text="Élaborer une cartographie des risques et la mettre en œuvre."
    )


@pytest.fixture
def strategic(association_contract, diagnostic):
    return Objective.objects.create(
        contract=association_contract,
        level=Level.STRATEGIC,
        number="1",
        title="Adapter l'accompagnement au vieillissement des personnes",
    )


@pytest.fixture
def operational(association_contract, strategic, findings, establishment):
    objective = Objective.objects.create(
        contract=association_contract,
        level=Level.OPERATIONAL,
        parent=strategic,
        number="1.1",
        title="Mettre en œuvre une unité pour personnes handicapées vieillissantes",
        theme="Parcours",
        due_year=2,
        status=Status.AGREED,
        funding=Funding.FUNDED,
    )
    objective.establishments.add(establishment)
    objective.findings.add(findings["difficulty"])
    lead = association_contract.parties.get(is_lead=True).authority
    objective.priorities.add(
        RegionalPriority.objects.update_or_create(
            authority=lead, code="PRS-3", defaults={"label": "Fluidifier les parcours", "source": "PRS 2023-2028"}
        )[0]
    )
    Objective.objects.create(
        contract=association_contract,
        level=Level.ACTION,
        parent=objective,
        number="1.1.1",
        title="Recruter un infirmier coordinateur",
        due_year=1,
    )
    ObjectiveSheet.objects.create(
        objective=objective,
        context="Douze résidents ont plus de 60 ans : leur façon de vivre change « très » vite.",
        problem_state="Soins croissants <non couverts>.",
        stakes_text="Éviter les ruptures de parcours.",
        implementation="Un comité de suivi trimestriel.",
        pilot="Directrice du foyer",
        partners="SSIAD & EHPAD voisins",
        expected_results="Aucune sortie non préparée",
        constant_means_value=Decimal("12500"),
        constant_means_note="Redéploiement de deux postes",
        managing_body_means=Decimal("1234567.89"),
        authority_means=None,
    )
    Milestone.objects.create(objective=objective, label="Ouverture de l'unité", due_date=datetime.date(2027, 3, 15))
    Milestone.objects.create(objective=objective, label="Bilan avec les familles")
    indicator = FollowUpIndicator.objects.create(
        objective=objective,
        label="Part des résidents de plus de 60 ans accompagnés dans l'unité",
        kind="resultats",
        method="Résidents de l'unité / résidents de plus de 60 ans",
        unit="%",
        data_source="Dossier de l'usager",
        baseline_value="10 %",
        baseline_date=datetime.date(2025, 12, 31),
    )
    for due_year, value in ((0, "20 %"), (2, "50 %"), (4, "80 %")):
        Target.objects.create(indicator=indicator, due_year=due_year, value=value)
    return objective


@pytest.fixture
def intention(association_contract, strategic):
    """An operational objective kept as a fiche d'intention, whose fiche nobody wrote."""
    return Objective.objects.create(
        contract=association_contract,
        level=Level.OPERATIONAL,
        parent=strategic,
        number="1.2",
        title="Créer un accueil de jour itinérant",
        funding=Funding.INTENTION,
        status=Status.INTENTION,
    )
