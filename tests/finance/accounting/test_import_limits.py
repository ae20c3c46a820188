"""Limits around the imports: an upload stops at the bound instead of being spooled whole, and only a few
imports read at once across the platform's processes, the others being told to try again in a moment."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.management import CommandError, call_command
from django.urls import reverse

from cpom.finance.accounting import fec
from cpom.indicators.models import ImportBatch

START = reverse("finance:import_start")
IME = "440005015"
HEADER = "|".join(fec.LEGAL_COLUMNS)
FEC = (
    "\n".join(
        [
            HEADER,
            "AC|Achats|1|20250115|606100|Électricité|||F1|20250115|EDF|1200,50|0,00|||20250120||EUR",
            "AC|Achats|1|20250115|401000|Fournisseurs|||F1|20250115|EDF|0,00|1200,50|||20250120||EUR",
        ]
    )
    + "\n"
)
STORED: list[int] = []


class StorageRecorder(FileUploadHandler):
    """Placed just before Django's storing handlers: counts the bytes they are handed."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        STORED.append(0)

    def receive_data_chunk(self, raw_data, start):
        STORED[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def recorded_storage(settings):
    handlers = list(settings.FILE_UPLOAD_HANDLERS)
    handlers.insert(
        handlers.index("django.core.files.uploadhandler.MemoryFileUploadHandler"), "test_import_limits.StorageRecorder"
    )
    settings.FILE_UPLOAD_HANDLERS = handlers
    STORED.clear()
    return STORED


def _upload(client, content: bytes, name="ecritures-2025.txt"):
    return client.post(
        START,
        {"kind": "FEC", "target": f"etablissement:{IME}", "year": 2025, "file": SimpleUploadedFile(name, content)},
    )


def test_an_upload_over_the_bound_is_cut_there_and_refused_naming_the_file(
    client_for, settings, var_dir, recorded_storage
):
    settings.CPOM_MAX_UPLOAD_BYTES = 2**20
    content = FEC.encode() * 20_000  # 4 MB
    response = _upload(client_for("asso"), content)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Le fichier ecritures-2025.txt dépasse 1 Mo : exportez un exercice ou un établissement à la fois." in body
    assert recorded_storage and max(recorded_storage) <= 2**20 + 64 * 1024  # at most one chunk past the bound
    assert not (var_dir / "imports").exists() or not any((var_dir / "imports").iterdir())


def test_an_upload_within_the_bound_is_stored_whole(client_for, settings, var_dir, recorded_storage):
    response = _upload(client_for("asso"), FEC.encode())
    assert response.status_code == 200 and "Aperçu" in response.content.decode()
    assert recorded_storage == [len(FEC.encode())]


def test_a_form_body_over_the_bound_is_refused_before_it_is_read(client):
    client.raise_request_exception = False
    response = client.post("/connexion/", {"username": "asso", "password": "x" * 3_000_000})
    assert response.status_code == 400


def _hold_every_slot(tmp_path: Path, slots: int) -> subprocess.Popen:
    """Another process holding each import slot until its standard input closes."""
    holder = textwrap.dedent(f"""
        import fcntl, sys
        from pathlib import Path
        folder = Path({str(tmp_path)!r}) / "import-slots"
        folder.mkdir(parents=True, exist_ok=True)
        handles = [(folder / f"slot-{{n}}").open("a+b") for n in range({slots})]
        for handle in handles:
            fcntl.flock(handle, fcntl.LOCK_EX)
        print("held", flush=True)
        sys.stdin.read()
    """)
    process = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def _release(process: subprocess.Popen) -> None:
    process.stdin.close()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture
def busy_platform(settings, var_dir):
    process = _hold_every_slot(var_dir, settings.CPOM_MAX_CONCURRENT_IMPORTS)
    yield
    _release(process)


def test_when_other_processes_hold_every_slot_an_upload_is_told_to_try_again(client_for, busy_platform, var_dir):
    response = _upload(client_for("asso"), FEC.encode())
    assert response.status_code == 503
    assert (
        "Fichier ecritures-2025.txt : trop d&#x27;imports en cours, réessayez dans un instant."
        in response.content.decode()
    )
    assert not any((var_dir / "imports").iterdir())  # the uploaded file is not kept


def test_a_confirmation_while_the_platform_is_busy_keeps_the_file_for_a_second_try(client_for, settings, var_dir):
    client = client_for("asso")
    assert _upload(client, FEC.encode()).status_code == 200
    holder = _hold_every_slot(var_dir, settings.CPOM_MAX_CONCURRENT_IMPORTS)
    try:
        busy = client.post(reverse("finance:import_confirm"))
    finally:
        _release(holder)
    assert busy.status_code == 503
    assert "trop d&#x27;imports en cours, réessayez dans un instant." in busy.content.decode()
    assert "Le fichier contrôlé vous attend : rien n'a encore été enregistré." in busy.content.decode()
    batches = ImportBatch.objects.count()
    again = client.post(reverse("finance:import_confirm"), follow=True)
    assert "soldes de comptes enregistrés pour l&#x27;IME Les Grands Chênes (2025)" in again.content.decode()
    assert ImportBatch.objects.count() == batches + 1


def test_the_command_line_is_refused_the_same_way(busy_platform, tmp_path, db):
    path = tmp_path / "ecritures-2025.txt"
    path.write_text(FEC)
    with pytest.raises(
        CommandError, match=r"Fichier ecritures-2025\.txt : trop d'imports en cours, réessayez dans un instant\."
    ):
        call_command("finance", "importer-fec", str(path), "--finess", IME, "--annee", "2025")
    data = tmp_path / "donnees.csv"
    data.write_text(f"finess;annee;element;valeur\n{IME};2025;etp_total;12\n")
    with pytest.raises(CommandError, match=r"Fichier donnees\.csv : trop d'imports en cours"):
        call_command("indicateurs", "importer-donnees", str(data))


def test_a_slot_is_free_again_once_its_import_is_over(settings, var_dir):
    from cpom.import_slots import import_slot

    for _ in range(3):
        with import_slot("a.txt"), import_slot("b.txt"):
            pass
    with (
        import_slot("a.txt"),
        import_slot("b.txt"),
        pytest.raises(Exception, match="c.txt : trop d'imports en cours"),
        import_slot("c.txt"),
    ):
        pass
