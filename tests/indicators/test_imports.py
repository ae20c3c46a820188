"""Data imports: CSV long and the Excel template; bad files are refused whole with line and column."""

import io

import pytest
from openpyxl import load_workbook

from cpom.core.importing import DataImportError
from cpom.indicators.catalogues import load_elements
from cpom.indicators.importers import import_file, read_csv, read_template, template_workbook
from cpom.indicators.models import DataValue
from cpom.registry.models import Establishment

IME = "440005015"
MAS = "440005056"


@pytest.fixture
def elements(db):
    load_elements()


def _csv(tmp_path, text, name="donnees.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _values(finess, year=2030):
    return {v.element: v.value for v in DataValue.objects.filter(establishment__finess=finess, year=year)}


def test_a_long_csv_is_imported_with_its_provenance(elements, tmp_path):
    path = _csv(
        tmp_path,
        f"finess;annee;element;valeur\n{IME};2030;journees_realisees;9 000,5\n{IME};2030;compte:6411;1500000.25\n{MAS};2030;places_installees;40\n",
    )
    report = import_file(path)
    assert (report.created, report.updated) == (3, 0)
    assert _values(IME) == {"journees_realisees": pytest.approx(9000.5), "compte:6411": pytest.approx(1500000.25)}
    value = DataValue.objects.get(establishment__finess=MAS, year=2030)
    assert value.batch.file_name == "donnees.csv" and value.batch.rows == 3


def test_a_second_import_replaces_values(elements, tmp_path):
    import_file(_csv(tmp_path, f"finess;annee;element;valeur\n{IME};2030;jours_ouverture;200\n"))
    report = import_file(_csv(tmp_path, f"finess;annee;element;valeur\n{IME};2030;jours_ouverture;210\n", "v2.csv"))
    assert (report.created, report.updated) == (0, 1)
    assert _values(IME)["jours_ouverture"] == 210


@pytest.mark.parametrize(
    "body,problem",
    [
        ("440000000;2030;jours_ouverture;200", "ligne 3, colonne finess : établissement inconnu « 440000000 »"),
        (f"{IME};2030;jours_feries;12", "ligne 3, colonne element : donnée inconnue « jours_feries »"),
        (f"{IME};2030;jours_ouverture;deux cents", "ligne 3, colonne valeur : valeur non numérique « deux cents »"),
        (f"{IME};30;jours_ouverture;200", "ligne 3, colonne annee : année invalide « 30 »"),
        (
            f"{IME};2030;places_installees;60",
            "ligne 3, colonne element : doublon : 440005015, 2030, places_installees figure déjà ligne 2",
        ),
        (f"{IME};2030;compte:64A1;12", "ligne 3, colonne element : donnée inconnue « compte:64A1 »"),
    ],
)
def test_a_bad_line_refuses_the_whole_file(elements, tmp_path, body, problem):
    path = _csv(tmp_path, f"finess;annee;element;valeur\n{IME};2030;places_installees;58\n{body}\n")
    with pytest.raises(DataImportError) as error:
        import_file(path)
    assert any(p.startswith(problem) for p in error.value.problems), error.value.problems
    assert str(error.value).startswith("Fichier donnees.csv refusé, rien n'a été importé")
    assert _values(IME) == {}


def test_a_missing_column_is_named(elements, tmp_path):
    with pytest.raises(DataImportError) as error:
        import_file(_csv(tmp_path, f"finess;annee;valeur\n{IME};2030;200\n"))
    assert error.value.problems == [
        "ligne 1 : colonne absente element ; en-tête attendu « finess;annee;element;valeur » "
        "(ou « siren;annee;element;valeur » pour le siège), trouvé « finess;annee;valeur »"
    ]


def test_a_file_that_is_not_utf8_is_refused(elements, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"finess;annee;element;valeur\n{IME};2030;jours_ouverture;200\n# é\n".encode("latin-1"))
    with pytest.raises(DataImportError, match="ligne 3 : le fichier n'est pas encodé en UTF-8"):
        import_file(path)


def test_excel_template_round_trip(elements, tmp_path):
    establishment = Establishment.objects.get(finess=IME)
    workbook = template_workbook(establishment, 2030)
    sheet = workbook.active
    labels = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=5)}
    assert labels["journees_realisees"].startswith("Nombre de journées")
    for row in sheet.iter_rows(min_row=5):
        if row[0].value == "journees_realisees":
            row[3].value = 9100
        if row[0].value == "jours_ouverture":
            row[3].value = "205"
    path = tmp_path / "modele.xlsx"
    workbook.save(path)
    reopened = load_workbook(path)
    assert reopened.active["B1"].value == IME and reopened.active["A4"].value == "code"
    import_file(path)
    assert _values(IME) == {"journees_realisees": 9100, "jours_ouverture": 205}


def test_excel_with_a_bad_value_or_missing_column_names_the_cell(elements, tmp_path):
    establishment = Establishment.objects.get(finess=IME)
    workbook = template_workbook(establishment, 2030)
    for row in workbook.active.iter_rows(min_row=5):
        if row[0].value == "etp_payes":
            row[3].value = "quarante"
            line = row[3].row
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(DataImportError) as error:
        read_template(buffer.getvalue(), "modele.xlsx")
    assert error.value.problems == [f"ligne {line}, colonne D : valeur non numérique « quarante »"]
    workbook.active.delete_cols(4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(DataImportError, match="ligne 4 : colonne absente valeur"):
        read_template(buffer.getvalue(), "modele.xlsx")


def test_a_hostile_or_empty_upload_is_refused_cleanly(elements):
    with pytest.raises(DataImportError, match=r"ce classeur Excel \(\.xlsx\) est illisible ou endommagé"):
        read_template(b"PK\x03\x04 not really a zip", "piege.xlsx")
    with pytest.raises(DataImportError, match="aucune ligne de données"):
        read_csv(b"finess;annee;element;valeur\n", "vide.csv")
    assert DataValue.objects.filter(year=2030).count() == 0


def test_head_office_data_is_imported_per_managing_body(elements, tmp_path):
    body = Establishment.objects.get(finess=IME).managing_body
    report = import_file(
        _csv(
            tmp_path,
            f"siren;annee;element;valeur\n{body.siren};2030;etp_siege;12,5\n{body.siren};2030;charges_siege;1150000\n",
            "siege.csv",
        )
    )
    assert report.created == 2 and report.batch.kind == "CSV siège"
    stored = {v.element: v.value for v in DataValue.objects.filter(managing_body=body, year=2030)}
    assert stored == {"etp_siege": pytest.approx(12.5), "charges_siege": 1150000}


def test_head_office_file_refuses_establishment_elements_and_unknown_siren(elements, tmp_path):
    body = Establishment.objects.get(finess=IME).managing_body
    with pytest.raises(DataImportError) as error:
        import_file(
            _csv(
                tmp_path,
                f"siren;annee;element;valeur\n{body.siren};2030;journees_realisees;10\n123456789;2030;etp_siege;3\n",
                "siege.csv",
            )
        )
    assert error.value.problems == [
        "ligne 2, colonne element : donnée inconnue au niveau du siège « journees_realisees » (voir cpom indicateurs donnees)",
        "ligne 3, colonne siren : organisme gestionnaire inconnu « 123456789 » (SIREN absent du référentiel)",
    ]
    assert not DataValue.objects.filter(managing_body=body).exists()


def test_the_template_writes_the_establishment_s_name_as_text(elements, tmp_path):
    establishment = Establishment.objects.get(finess=IME)
    establishment.name = '=HYPERLINK("http://exemple.fr","IME")'
    workbook = template_workbook(establishment, 2030)
    path = tmp_path / "modele.xlsx"
    workbook.save(path)
    sheet = load_workbook(path).active
    assert (sheet["C1"].value, sheet["C1"].data_type) == ('=HYPERLINK("http://exemple.fr","IME")', "s")
    assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
