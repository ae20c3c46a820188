"""The data files cpom loads (indicator catalogues, the diagnostic's template, the chart of accounts, the examples):
TOML read one way, with French errors naming the file, and no control character left in any text they hold
(TOML lets « \\u001b » through, and the Word and Excel exports would then refuse the text)."""

import tomllib
from pathlib import Path

from cpom.core.text import clean_strings


def read_toml(path: Path, error: type[Exception]) -> dict:
    """The file's tables, its texts cleaned; ``error`` raised with a French message when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise error(f"{path.name} : fichier introuvable.") from None
    except OSError:
        raise error(f"{path.name} : fichier illisible (droits d'accès, ou c'est un dossier).") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path.name} : fichier TOML invalide ({problem}).") from None
    return clean_strings(data)
