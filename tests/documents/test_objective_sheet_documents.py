"""The fiche objectif and the annex of every fiche, in Word and PDF, opened and read back."""

from django.utils import timezone

from cpom.documents.objective_sheet import sheet_docx, sheet_pdf, sheets_docx, sheets_pdf

TODAY = timezone.localdate().strftime("%d/%m/%Y")
KIND_HEADINGS = [
    "Indicateurs de moyens",
    "Indicateurs de résultats",
    "Indicateurs de processus",
    "Indicateurs d'alerte",
    "Indicateurs de satisfaction",
]
SECTIONS = [
    "Contexte",
    "État de la problématique",
    "Enjeux",
    "Constats du diagnostic auxquels répond l'objectif",
    "Priorités territoriales auxquelles répond l'objectif",
    "Actions",
    "Modalités de mise en œuvre des actions",
    "Calendrier de mise en œuvre",
    "Volet budgétaire",
    "Indicateurs de suivi de l'action",
]


def test_word_fiche_shows_every_field_of_the_model_annex(operational, establishment, read_docx):
    word = read_docx(sheet_docx(operational))
    assert word.lines[0] == ("Title", "Fiche objectif n° 1.1")
    for line in (
        "Thème : Parcours",
        "Objectif stratégique : 1 – Adapter l'accompagnement au vieillissement des personnes",
        "Objectif : Mettre en œuvre une unité pour personnes handicapées vieillissantes",
        "Mesure n° : 1.1",
        "Échéance : N+2",
        "Financement : Financé dans le contrat",
        "Statut : Accepté par toutes les parties",
        f"Établissements concernés : {establishment.name}",
    ):
        assert line in word.text
    assert "Fiche d'intention" not in word.text
    assert [text for style, text in word.lines if style == "Heading 1"] == SECTIONS
    assert word.under("Contexte") == ["Douze résidents ont plus de 60 ans : leur façon de vivre change « très » vite."]
    assert word.under("État de la problématique") == ["Soins croissants <non couverts>."]
    assert word.under("Enjeux") == ["Éviter les ruptures de parcours."]
    assert word.under("Constats du diagnostic auxquels répond l'objectif")[0].startswith(
        "Taux d'occupation < 80 % & liste d'attente non tenue\nDifficulté · thème « 1.1.1 – Adéquation de la population"
    )
    assert word.under("Priorités territoriales auxquelles répond l'objectif")[0].startswith(
        "PRS-3 – Fluidifier les parcours\n"
    )
    assert word.under("Actions") == ["1.1.1 – Recruter un infirmier coordinateur\nÉchéance : N+1 · Proposé"]
    assert word.under("Modalités de mise en œuvre des actions") == [
        "Un comité de suivi trimestriel.",
        "Pilotage : Directrice du foyer",
        "Partenaires associés : SSIAD & EHPAD voisins",
        "Résultats attendus : Aucune sortie non préparée",
    ]


def test_word_fiche_calendar_budget_and_indicators(operational, read_docx):
    word = read_docx(sheet_docx(operational))
    assert word.under("Calendrier de mise en œuvre") == [
        "Étape | Date",
        "Ouverture de l'unité | 15/03/2027",
        "Bilan avec les familles | date à fixer",
    ]
    assert word.under("Volet budgétaire") == [
        "Valorisation budgétaire de la mesure à moyens constants : 12 500,00 €\nRedéploiement de deux postes",
        "Dans l'hypothèse de moyens inscrits au contrat pour la réalisation de la mesure :",
        "Moyens apportés par l'organisme gestionnaire : 1 234 567,89 €",
        "Moyens apportés par l'autorité : Non renseigné",
    ]
    indicators = word.under("Indicateurs de suivi de l'action")
    assert [line for line in indicators if line.startswith("Indicateurs ")] == KIND_HEADINGS
    assert word.under("Indicateurs de suivi de l'action", "Indicateurs de moyens") == ["Non renseigné"]
    assert word.under("Indicateurs de suivi de l'action", "Indicateurs de résultats") == [
        "Part des résidents de plus de 60 ans accompagnés dans l'unité",
        "Origine : indicateur propre au contrat",
        "Méthode de calcul : Résidents de l'unité / résidents de plus de 60 ans",
        "Unité : %",
        "Source des données : Dossier de l'usager",
        "Situation actuelle : 10 % au 31/12/2025",
        "Échéance | N | N+1 | N+2 | N+3 | N+4",
        "Cible | 20 % | Non renseigné | 50 % | Non renseigné | 80 %",
    ]
    targets = word.tables()[-1]
    assert dict(zip(targets[0], targets[1], strict=True)) == {
        "Échéance": "Cible",
        "N": "20 %",
        "N+1": "Non renseigné",
        "N+2": "50 %",
        "N+3": "Non renseigné",
        "N+4": "80 %",
    }
    assert word.heading_level("Part des résidents de plus de 60 ans accompagnés dans l'unité") == 3


def test_word_fiche_without_a_sheet_says_non_renseigne_and_shows_the_intention(intention, read_docx):
    word = read_docx(sheet_docx(intention))
    assert word.lines[1] == (
        "Normal",
        "Fiche d'intention : objectif non financé par le contrat, présenté en annexe pour mémoire.",
    )
    assert "Financement : Fiche d'intention (non financé, en annexe)" in word.text
    assert "Statut : Gardé en fiche d'intention" in word.text
    for field in ("Thème", "Échéance", "Établissements concernés"):
        assert f"{field} : Non renseigné" in word.text
    for section in SECTIONS[:6] + ["Calendrier de mise en œuvre"]:
        assert word.under(section)[0] == "Non renseigné", section
    assert "Pilotage : Non renseigné" in word.under("Modalités de mise en œuvre des actions")
    assert (
        word.under("Volet budgétaire")[0] == "Valorisation budgétaire de la mesure à moyens constants : Non renseigné"
    )
    for kind in KIND_HEADINGS:
        assert word.under("Indicateurs de suivi de l'action", kind) == ["Non renseigné"]
    assert word.footer == f"{intention.contract.reference} – Fiche objectif n° 1.2 – édité le {TODAY} – page {{PAGE}}"


def flat(pages: list[str]) -> str:
    """The extracted text on one line: wrapped paragraphs and table cells read as a person reads them."""
    return " ".join("\n".join(pages).split())


def test_pdf_fiche_prints_amounts_dates_targets_and_french_characters(operational, read_pdf):
    pages = read_pdf(sheet_pdf(operational))
    text = flat(pages)
    assert pages[0].startswith(
        f"{operational.contract.reference} – Fiche objectif n° 1.1 – édité le {TODAY} – page 1\n"
    )
    assert pages[0].split("\n")[1] == "Fiche objectif n° 1.1"
    assert "Objectif : Mettre en œuvre une unité pour personnes handicapées vieillissantes" in text
    assert "Valorisation budgétaire de la mesure à moyens constants : 12 500,00 €" in text
    assert "Moyens apportés par l'organisme gestionnaire : 1 234 567,89 €" in text
    assert "Étape Date Ouverture de l'unité 15/03/2027 Bilan avec les familles date à fixer" in text
    assert "Échéance N N+1 N+2 N+3 N+4 Cible 20 % Non renseigné 50 % Non renseigné 80 %" in text
    assert "Situation actuelle : 10 % au 31/12/2025" in text
    # Escaped for reportlab, printed as written.
    assert "Soins croissants <non couverts>." in text
    assert "Partenaires associés : SSIAD & EHPAD voisins" in text
    assert "Douze résidents ont plus de 60 ans : leur façon de vivre change « très » vite." in text
    for word in ("État de la problématique", "Échéance : N+2", "Priorités territoriales", "Accepté", "œuvre", "€"):
        assert word in text
    assert "Fiche d'intention" not in text


def test_pdf_fiche_d_intention_is_shown(intention, read_pdf):
    text = flat(read_pdf(sheet_pdf(intention)))
    assert "Fiche d'intention : objectif non financé par le contrat, présenté en annexe pour mémoire." in text
    assert "Financement : Fiche d'intention (non financé, en annexe)" in text
    assert "Contexte Non renseigné" in text


def test_word_annex_puts_each_fiche_after_a_page_break(operational, intention, read_docx):
    word = read_docx(sheets_docx([operational, intention]))
    titles = [text for style, text in word.lines if style == "Title"]
    assert titles == ["Fiche objectif n° 1.1", "Fiche objectif n° 1.2"]
    body = word.document.element.body
    second = next(p for p in body.iterchildren() if p.xpath("string(.)") == "Fiche objectif n° 1.2")
    assert second.getprevious().xpath('.//w:br[@w:type="page"]')
    assert len(body.xpath('.//w:br[@w:type="page"]')) == 1
    assert (
        word.footer
        == f"{operational.contract.reference} – Annexe : fiches objectifs – édité le {TODAY} – page {{PAGE}}"
    )


def test_pdf_annex_starts_each_fiche_on_a_new_page(operational, intention, read_pdf):
    pages = read_pdf(sheets_pdf([operational, intention]))
    starts = [n for n, page in enumerate(pages) if page.split("\n")[1].startswith("Fiche objectif n° ")]
    assert [pages[n].split("\n")[1] for n in starts] == ["Fiche objectif n° 1.1", "Fiche objectif n° 1.2"]
    assert starts[0] == 0
    assert "Mettre en œuvre une unité" in "\n".join(pages[: starts[1]])
    assert "Créer un accueil de jour itinérant" in pages[starts[1]]
    assert "Fiche d'intention" in pages[starts[1]]
    assert "Fiche d'intention" not in "\n".join(pages[: starts[1]])


def test_an_annex_without_objective_says_so(read_docx, read_pdf):
    assert read_docx(sheets_docx([])).lines == [("Normal", "Aucune fiche objectif.")]
    assert "Aucune fiche objectif." in read_pdf(sheets_pdf([]))[0]


def test_a_strategic_objective_has_no_fiche_and_a_rejected_one_stays_out_of_the_annex(
    client_for, association_contract, read_docx
):
    from django.urls import reverse

    from cpom.objectives.models import Level, Status

    strategic = association_contract.objectives.get(level=Level.STRATEGIC)
    operational = association_contract.objectives.get(level=Level.OPERATIONAL)
    client = client_for("asso")
    refused = client.get(
        reverse(
            "documents:sheet",
            kwargs={"contract_id": association_contract.pk, "objective_id": strategic.pk, "extension": "docx"},
        )
    )
    assert refused.status_code == 404
    annex = reverse("documents:annex", kwargs={"contract_id": association_contract.pk, "extension": "docx"})
    assert f"Objectif : {operational.title}" in [text for _, text in read_docx(client.get(annex).content).lines]
    type(operational).objects.filter(pk=operational.pk).update(status=Status.REJECTED)
    assert read_docx(client.get(annex).content).lines == [("Normal", "Aucune fiche objectif.")]
