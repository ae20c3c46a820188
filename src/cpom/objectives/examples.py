"""Example objectives (the follow-up grid's, ANAP's worked cases) offered to copy and adapt, never imposed."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cpom.core.datafiles import read_toml

EXAMPLES_FILE = Path(__file__).parent / "catalogue" / "exemples.toml"


@dataclass(frozen=True)
class Example:
    code: str
    source: str
    strategic: str
    title: str
    theme: str
    context: str
    actions: tuple[str, ...]
    indicators: tuple[tuple[str, str], ...]  # (catalogue code, the example's target, as a hint)
    specific_indicators: tuple[dict, ...]


@dataclass(frozen=True)
class Collection:
    label: str
    warning: str
    examples: tuple[Example, ...]

    def get(self, code: str) -> Example | None:
        return next((e for e in self.examples if e.code == code), None)


def _specific(raw: dict) -> dict:
    return {
        "label": raw["label"],
        "method": raw.get("method", ""),
        "unit": raw.get("unit", ""),
        "data_source": raw.get("source", ""),
        "kind": raw["kind"],
    }


@cache
def collection(path: Path = EXAMPLES_FILE) -> Collection:
    data = read_toml(path, ValueError)
    examples = tuple(
        Example(
            code=raw["code"],
            source=raw["source"],
            strategic=raw["strategic"],
            title=raw["title"],
            theme=raw.get("theme", ""),
            context=raw.get("context", ""),
            actions=tuple(raw.get("actions", [])),
            indicators=tuple((i["code"], i.get("target_hint", "")) for i in raw.get("indicators", [])),
            specific_indicators=tuple(_specific(s) for s in raw.get("specific_indicators", [])),
        )
        for raw in data["example"]
    )
    return Collection(data["collection"]["label"], data["collection"]["warning"], examples)
