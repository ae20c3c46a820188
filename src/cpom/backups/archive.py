"""A backup archive: the database copy and the stored files, with a manifest of their SHA-256.

Pure file handling, no Django: writing an archive from a folder, and reading one back into a folder only after
every member has been checked (no path outside the folder, no link, nothing missing, nothing added, every
checksum right). A refused archive writes nothing where the restore would have gone.
"""

import hashlib
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORMAT = "cpom-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FOLDER = "base"
FILES_FOLDER = "fichiers"


class ArchiveRefused(Exception):
    """The archive cannot be restored; the message names the archive and the member, in French."""


@dataclass(frozen=True)
class Member:
    path: str  # inside the archive, with "/" separators
    size: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def members_of(folder: Path) -> list[Member]:
    """Every regular file under ``folder``, sorted, with its size and checksum."""
    return [
        Member(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_of(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    ]


def write(folder: Path, destination: Path, about: dict) -> dict:
    """Packs ``folder`` into ``destination`` (.tar.gz) with a manifest (``about`` plus the members); returns it."""
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        **about,
        "members": [m.__dict__ for m in members_of(folder)],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    partial = destination.with_name(destination.name + ".partiel")
    with tarfile.open(partial, "w:gz") as tar:
        tar.add(folder / MANIFEST, arcname=MANIFEST)
        for member in manifest["members"]:
            tar.add(folder / member["path"], arcname=member["path"])
    partial.chmod(0o600)  # the whole of the platform's data
    partial.replace(destination)
    return manifest


def _refuse(archive: Path, what: str) -> ArchiveRefused:
    return ArchiveRefused(f"Sauvegarde {archive.name} refusée : {what}. Rien n'a été restauré.")


def _safe_name(archive: Path, name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _refuse(archive, f"le fichier « {name} » sortirait du dossier de restauration")
    return path.as_posix()


def _read_manifest(archive: Path, tar: tarfile.TarFile) -> dict:
    try:
        stream = tar.extractfile(MANIFEST)
        manifest = json.loads(stream.read().decode("utf-8")) if stream else None
    except KeyError:
        raise _refuse(archive, f"elle ne contient pas de {MANIFEST}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse(archive, f"son {MANIFEST} n'est pas lisible") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(archive, "ce n'est pas une sauvegarde de cpom")
    if manifest.get("version") != FORMAT_VERSION:
        raise _refuse(archive, f"format {manifest.get('version')} inconnu de cette version de cpom")
    return manifest


def unpack(archive: Path, folder: Path) -> dict:
    """Checks ``archive`` whole, then unpacks it into the empty ``folder``; returns its manifest."""
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the `with tar` below, once opening is known to work
    except (tarfile.TarError, OSError) as error:
        raise _refuse(archive, f"ce n'est pas une archive .tar.gz lisible ({error})") from None
    with tar:
        manifest = _read_manifest(archive, tar)
        expected = {_safe_name(archive, m["path"]): m for m in manifest.get("members", [])}
        found = {}
        for info in tar.getmembers():
            if info.name == MANIFEST:
                continue
            name = _safe_name(archive, info.name)
            if not info.isfile():
                raise _refuse(archive, f"« {name} » n'est pas un fichier ordinaire")
            if name not in expected:
                raise _refuse(archive, f"« {name} » n'est pas dans le manifeste")
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(info) as source, target.open("wb") as copy:
                for block in iter(lambda: source.read(1 << 20), b""):
                    copy.write(block)
            found[name] = target
    for name, member in expected.items():
        if name not in found:
            raise _refuse(archive, f"« {name} » manque")
        if sha256_of(found[name]) != member["sha256"] or found[name].stat().st_size != member["size"]:
            raise _refuse(archive, f"« {name} » ne correspond pas à son empreinte SHA-256 (fichier altéré)")
    return manifest
