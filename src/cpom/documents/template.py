"""The language of the contract models (``contract_models/*.toml``): read, checked, then rendered into pieces of text.

Pure: no Django, no database. A model file is a ``[model]`` table, its ``[[parameter]]`` list (what the drafter
fills in) and its ``[[clause]]`` list, in the order of the contract. A clause has an ``id``, a ``kind``:

- ``fixed``: text generated as it is;
- ``param``: text with named placeholders, filled from the contract's data or the drafting's parameters;
- ``choice``: exactly one of its ``[[clause.variant]]``, picked by the drafter (or, with ``bound``, by the data:
  the envelope's growth mode is the reference budget's, never typed twice);
- ``optional``: a clause of the methodological guide, in the contract only when the drafter keeps it;
- ``negotiated``: content the parties produced in cpom (``source``: the perimeter, the objectives, the budget…);
- ``instruction``: drafting advice, shown to the drafter and NEVER rendered into the contract;

and optionally a ``heading`` with its ``level`` (1 a Titre or annex, 2 an article, 3 a sub-article), a ``when``
(``{ choice = "evolution", in = ["zero_rate"] }``: the clause applies only under those variants;
``{ flag = "has_esat" }``: only when the contract's data says so) and a ``repeat``
(one paragraph per authority, per department, per signatory).

Placeholders: ``{name}`` is replaced by a text; ``{?name|first|second}`` is an agreement, the second form when the
flag ``name`` is set (feminine, plural): « {?og_rep_feminine|représenté|représentée} par ». A text is split into
paragraphs on blank lines; a line starting with « - » is a bullet.

Every error names the file, the clause and, when it can be found, the line.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

KINDS = ("fixed", "param", "choice", "optional", "negotiated", "instruction")
PARAMETER_KINDS = ("text", "long_text", "date", "civility")
CIVILITIES = ("M.", "Mme")
SCOPES = ("contract", "party")

# What the contract's data offers a model, besides its own parameters: the texts…
DATA_TEXTS = {
    "og_name",
    "og_address",
    "period",
    "start_year",
    "end_year",
    "duration_years",
    "region_name",
    "lead_name",
    "parties_count_words",  # « deux », « trois », « quatre »
    "departments_names",
    "health_insurance_envelope",
    "health_insurance_establishments",
    "health_insurance_places",
    "deliberation_date",
    "reference",
    "zero_rate_years",
    "places_total",
    "establishments_count",
    "base_year",
}
# … and the agreement flags (True picks the second form).
DATA_FLAGS = {"og_feminine", "several_departments", "several_authorities", "has_esat", "has_health_insurance"}
# What each repeated clause offers per item.
REPEATS = {
    "authorities": ({"authority_name"}, {"authority_feminine"}),
    "departments": ({"department_name", "department_code"}, set()),
    "signatories": ({"signatory_org", "signatory_title", "signatory_name", "signatory_role"}, {"signatory_feminine"}),
}
# What a negotiated clause may draw on (contract.py renders each from the snapshot).
SOURCES = {
    "perimeter",
    "salient_issues",
    "diagnostic_synthesis",
    "objectives_list",
    "objective_sheets",
    "intentions",
    "indicators",
    "reference_budget",
    "envelopes",
    "instalments",
    "daily_prices",
    "growth",
    "signatures",
}
# The data a ``bound`` choice is picked by.
BINDINGS = {"growth_mode"}

PLACEHOLDER = re.compile(r"\{(\?)?([a-z_][a-z0-9_]*)((?:\|[^{}|]*)*)\}")
STRAY = re.compile(r"[{}]")


class ModelError(ValueError):
    """A model file that cannot be loaded; the message names the file, the clause and the line."""

    def __init__(self, filename: str, message: str, clause: str = "", line: int | None = None):
        where = filename
        if clause:
            where += f", clause « {clause} »"
        if line:
            where += f" (ligne {line})"
        super().__init__(f"{where} : {message}")
        self.filename, self.clause, self.line = filename, clause, line


@dataclass(frozen=True)
class Parameter:
    id: str
    label: str
    kind: str = "text"
    scope: str = "contract"
    help: str = ""


@dataclass(frozen=True)
class Variant:
    id: str
    label: str
    text: str


@dataclass(frozen=True)
class Clause:
    id: str
    kind: str
    heading: str = ""
    level: int = 0
    text: str = ""
    label: str = ""  # how the drafting form names a choice or an optional clause
    variants: tuple[Variant, ...] = ()
    default: str = ""  # a choice's default variant; "oui" keeps an optional clause by default
    bound: str = ""
    source: str = ""
    repeat: str = ""
    # (choice id, variant ids): only under those variants; ("", flag): only when the data's flag is set.
    when: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class ContractModelSpec:
    code: str
    version: str
    title: str
    source: str
    parameters: tuple[Parameter, ...]
    clauses: tuple[Clause, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> "ContractModelSpec":
        clauses = []
        for raw in data["clauses"]:
            raw = dict(raw)
            raw["variants"] = tuple(Variant(**v) for v in raw["variants"])
            raw["when"] = (raw["when"][0], tuple(raw["when"][1])) if raw["when"] else None
            clauses.append(Clause(**raw))
        return cls(
            data["code"],
            data["version"],
            data["title"],
            data["source"],
            tuple(Parameter(**p) for p in data["parameters"]),
            tuple(clauses),
        )

    @property
    def choices(self) -> list[Clause]:
        """The choices the drafter makes (a bound choice follows the data)."""
        return [c for c in self.clauses if c.kind == "choice" and not c.bound]

    @property
    def options(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "optional"]

    @property
    def instructions(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "instruction"]

    def parameter(self, parameter_id: str) -> Parameter:
        return next(p for p in self.parameters if p.id == parameter_id)


# --- Reading --------------------------------------------------------------------------------------------------


def _line_of(text: str, clause_id: str) -> int | None:
    match = re.search(rf'^\s*id\s*=\s*"{re.escape(clause_id)}"', text, flags=re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse(text: str, filename: str) -> ContractModelSpec:
    """The model written in ``text`` (the content of ``filename``), checked through; ModelError otherwise."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise ModelError(filename, f"fichier TOML invalide ({problem}).") from None
    head = data.get("model")
    if not isinstance(head, dict):
        raise ModelError(filename, "la table [model] (code, version, titre) manque.")
    for key in ("code", "version", "title"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise ModelError(filename, f"[model] : « {key} » manque ou est vide.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", head["code"]):
        raise ModelError(filename, "[model] : le code s'écrit en minuscules, chiffres et tirets.")
    parameters = _parameters(data.get("parameter", []), filename)
    raw_clauses = data.get("clause")
    if not isinstance(raw_clauses, list) or not raw_clauses:
        raise ModelError(filename, "le modèle ne contient aucune clause ([[clause]]).")
    clauses: list[Clause] = []
    for raw in raw_clauses:
        clause_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(clause_id, str) or not clause_id:
            raise ModelError(filename, "une clause n'a pas d'identifiant (id).")
        line = _line_of(text, clause_id)
        try:
            clauses.append(_clause(raw, parameters))
        except ValueError as problem:
            raise ModelError(filename, str(problem), clause_id, line) from None
        if sum(c.id == clause_id for c in clauses) > 1:
            raise ModelError(filename, "identifiant déjà utilisé par une autre clause.", clause_id, line)
    choices = {c.id: c for c in clauses if c.kind == "choice"}
    for clause in clauses:
        if clause.when and clause.when[0]:
            target = choices.get(clause.when[0])
            if target is None:
                raise ModelError(
                    filename,
                    f"« when » renvoie au choix inconnu « {clause.when[0]} ».",
                    clause.id,
                    _line_of(text, clause.id),
                )
            unknown = set(clause.when[1]) - {v.id for v in target.variants}
            if unknown:
                raise ModelError(
                    filename,
                    f"« when » cite des variantes que le choix « {target.id} » n'a pas : {', '.join(sorted(unknown))}.",
                    clause.id,
                    _line_of(text, clause.id),
                )
    return ContractModelSpec(
        head["code"], head["version"], head["title"], head.get("source", ""), tuple(parameters.values()), tuple(clauses)
    )


def _parameters(raw_list, filename: str) -> dict[str, Parameter]:
    parameters: dict[str, Parameter] = {}
    for raw in raw_list:
        parameter_id = raw.get("id", "")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", parameter_id or ""):
            raise ModelError(filename, f"paramètre à l'identifiant invalide « {parameter_id} ».")
        if parameter_id in parameters or parameter_id in DATA_TEXTS | DATA_FLAGS:
            raise ModelError(filename, f"le paramètre « {parameter_id} » est déjà défini.")
        if not raw.get("label"):
            raise ModelError(filename, f"le paramètre « {parameter_id} » n'a pas de libellé (label).")
        kind, scope = raw.get("kind", "text"), raw.get("scope", "contract")
        if kind not in PARAMETER_KINDS:
            raise ModelError(filename, f"le paramètre « {parameter_id} » a un type inconnu « {kind} ».")
        if scope not in SCOPES:
            raise ModelError(filename, f"le paramètre « {parameter_id} » a une portée inconnue « {scope} ».")
        parameters[parameter_id] = Parameter(parameter_id, raw["label"], kind, scope, raw.get("help", ""))
    return parameters


def _clause(raw: dict, parameters: dict[str, Parameter]) -> Clause:
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"type de clause inconnu « {kind} » (types possibles : {', '.join(KINDS)}).")
    level = raw.get("level", 1 if raw.get("heading") else 0)
    if not isinstance(level, int) or not 0 <= level <= 3:
        raise ValueError("« level » va de 1 (titre) à 3 (sous-article).")
    repeat = raw.get("repeat", "")
    if repeat and repeat not in REPEATS:
        raise ValueError(f"« repeat » inconnu « {repeat} » (possibles : {', '.join(sorted(REPEATS))}).")
    texts, flags = _vocabulary(parameters, repeat)
    variants = tuple(
        Variant(v.get("id", ""), v.get("label", v.get("id", "")), v.get("text", "")) for v in raw.get("variant", [])
    )
    when = None
    if "when" in raw:
        condition = raw["when"]
        if isinstance(condition, dict) and condition.get("flag") in DATA_FLAGS:
            when = ("", (condition["flag"],))
        elif isinstance(condition, dict) and isinstance(condition.get("choice"), str) and condition.get("in"):
            when = (condition["choice"], tuple(condition["in"]))
        else:
            raise ValueError(
                '« when » s\'écrit { choice = "…", in = ["…"] } ou { flag = "…" } '
                f"(indicateurs possibles : {', '.join(sorted(DATA_FLAGS))})."
            )
    clause = Clause(
        id=raw["id"],
        kind=kind,
        heading=raw.get("heading", ""),
        level=level,
        text=raw.get("text", ""),
        label=raw.get("label", ""),
        variants=variants,
        default=raw.get("default", ""),
        bound=raw.get("bound", ""),
        source=raw.get("source", ""),
        repeat=repeat,
        when=when,
    )
    if kind == "choice":
        if len(variants) < 2:
            raise ValueError("un choix demande au moins deux variantes ([[clause.variant]]).")
        ids = [v.id for v in variants]
        if "" in ids or len(set(ids)) != len(ids):
            raise ValueError("chaque variante d'un choix a un identifiant, différent des autres.")
        if clause.bound and clause.bound not in BINDINGS:
            raise ValueError(f"« bound » inconnu « {clause.bound} ».")
        if not clause.bound and not clause.label:
            raise ValueError("un choix laissé au rédacteur a un libellé (label).")
        if clause.default and clause.default not in ids:
            raise ValueError(f"la variante par défaut « {clause.default} » n'existe pas.")
        for variant in variants:
            if not variant.text.strip():
                raise ValueError(f"la variante « {variant.id} » n'a pas de texte.")
            _check_text(variant.text, texts, flags, f"variante « {variant.id} » : ")
    elif variants:
        raise ValueError("seul un choix a des variantes.")
    if kind == "negotiated" and clause.source not in SOURCES:
        raise ValueError(f"source inconnue « {clause.source} » (possibles : {', '.join(sorted(SOURCES))}).")
    if kind == "optional" and not clause.label:
        raise ValueError("une clause facultative a un libellé (label) pour le formulaire.")
    if kind in ("fixed", "param", "optional", "instruction") and not clause.text.strip() and not clause.heading:
        raise ValueError("la clause n'a ni titre ni texte.")
    if kind == "fixed" and PLACEHOLDER.search(clause.text):
        raise ValueError("une clause « fixed » n'a pas de champ à remplir : déclarez-la « param ».")
    if kind != "instruction":
        _check_text(clause.text, texts, flags, "")
        _check_text(clause.heading, texts, flags, "titre : ")
    return clause


def _vocabulary(parameters: dict[str, Parameter], repeat: str) -> tuple[set[str], set[str]]:
    texts = set(DATA_TEXTS) | {p.id for p in parameters.values() if p.scope == "contract"}
    flags = set(DATA_FLAGS) | {f"{p.id}_feminine" for p in parameters.values() if p.kind == "civility"}
    if repeat:
        item_texts, item_flags = REPEATS[repeat]
        texts |= item_texts
        flags |= item_flags
        if repeat == "authorities":
            texts |= {p.id for p in parameters.values() if p.scope == "party"}
            flags |= {f"{p.id}_feminine" for p in parameters.values() if p.scope == "party" and p.kind == "civility"}
    return texts, flags


def _check_text(text: str, texts: set[str], flags: set[str], prefix: str) -> None:
    for match in PLACEHOLDER.finditer(text):
        agreement, name, forms = match.group(1), match.group(2), match.group(3)
        if agreement and forms.count("|") != 2:
            raise ValueError(f"{prefix}accord « {match.group(0)} » : il faut deux formes, {{?nom|forme 1|forme 2}}.")
        if agreement and name not in flags:
            raise ValueError(f"{prefix}accord sur une donnée inconnue « {name} ».")
        if not agreement and forms:
            raise ValueError(f"{prefix}« {match.group(0)} » : un accord commence par « ? ».")
        if not agreement and name not in texts:
            raise ValueError(f"{prefix}champ inconnu « {{{name}}} » (ni donnée du contrat, ni paramètre déclaré).")
    if STRAY.search(PLACEHOLDER.sub("", text)):
        raise ValueError(f"{prefix}accolade isolée : un champ s'écrit {{nom}}.")


# --- What applies ---------------------------------------------------------------------------------------------


def chosen(spec: ContractModelSpec, choices: Mapping[str, str], bound: Mapping[str, str]) -> dict[str, str]:
    """The variant of every choice: the data's for a bound one, else the drafter's, else the default."""
    result = {}
    for clause in spec.clauses:
        if clause.kind != "choice":
            continue
        ids = {v.id for v in clause.variants}
        value = bound.get(clause.bound, "") if clause.bound else choices.get(clause.id, "")
        result[clause.id] = value if value in ids else (clause.default if not clause.bound else "")
    return result


def active_clauses(
    spec: ContractModelSpec,
    choices: Mapping[str, str],
    options: Mapping[str, bool],
    bound: Mapping[str, str],
    flags: Mapping[str, bool],
) -> list[tuple[Clause, str]]:
    """The clauses of the contract with, for a choice, its variant (instructions left out)."""
    variants = chosen(spec, choices, bound)
    result = []
    for clause in spec.clauses:
        if clause.kind == "instruction":
            continue
        if clause.kind == "optional" and not options.get(clause.id, clause.default == "oui"):
            continue
        if clause.when and clause.when[0] and variants.get(clause.when[0]) not in clause.when[1]:
            continue
        if clause.when and not clause.when[0] and not flags.get(clause.when[1][0], False):
            continue
        result.append((clause, variants.get(clause.id, "")))
    return result


def _clause_texts(clause: Clause, variant: str) -> list[str]:
    texts = [clause.heading, clause.text]
    if clause.kind == "choice":
        texts += [v.text for v in clause.variants if v.id == variant]
    return texts


def used_names(
    spec: ContractModelSpec,
    choices: Mapping[str, str],
    options: Mapping[str, bool],
    bound: Mapping[str, str],
    flags: Mapping[str, bool],
) -> set[str]:
    """Every text the active clauses fill (data or parameter; an agreement counts for the parameter it follows)."""
    names = set()
    for clause, variant in active_clauses(spec, choices, options, bound, flags):
        for text in _clause_texts(clause, variant):
            for match in PLACEHOLDER.finditer(text):
                name = match.group(2)
                names.add(name.removesuffix("_feminine") if match.group(1) else name)
    return names


def used_parameters(
    spec: ContractModelSpec,
    choices: Mapping[str, str],
    options: Mapping[str, bool],
    bound: Mapping[str, str],
    flags: Mapping[str, bool],
) -> list[Parameter]:
    """The parameters the active clauses need, in the model's order: each one empty is a blocker."""
    names = used_names(spec, choices, options, bound, flags)
    return [p for p in spec.parameters if p.id in names]


# --- Rendering ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """What a clause becomes: a heading, a paragraph, a bullet, a signature block, or a negotiated content."""

    kind: str  # "heading", "text", "bullet", "signature", "source"
    text: str = ""
    level: int = 0
    source: str = ""
    clause: str = ""


@dataclass(frozen=True)
class Context:
    texts: Mapping[str, str]
    flags: Mapping[str, bool]
    items: Mapping[str, list[tuple[Mapping[str, str], Mapping[str, bool]]]]  # per repeat, each item's texts and flags
    missing: str = "[à compléter : {label}]"  # what an empty parameter reads in a draft
    labels: Mapping[str, str] = field(default_factory=dict)


def fill(text: str, texts: Mapping[str, str], flags: Mapping[str, bool], context: Context) -> str:
    def replace(match: re.Match) -> str:
        agreement, name, forms = match.group(1), match.group(2), match.group(3)
        if agreement:
            first, second = forms[1:].split("|")
            return second if flags.get(name, False) else first
        value = texts.get(name, "")
        return value if value.strip() else context.missing.format(label=context.labels.get(name, name))

    return PLACEHOLDER.sub(replace, text)


def _paragraphs(text: str, clause: str) -> list[Piece]:
    pieces = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        plain: list[str] = []
        for line in lines:
            if line.startswith("- "):
                if plain:
                    pieces.append(Piece("text", " ".join(plain), clause=clause))
                    plain = []
                pieces.append(Piece("bullet", line[2:].strip(), clause=clause))
            else:
                plain.append(line)
        if plain:
            pieces.append(Piece("text", " ".join(plain), clause=clause))
    return pieces


def render(
    spec: ContractModelSpec,
    choices: Mapping[str, str],
    options: Mapping[str, bool],
    bound: Mapping[str, str],
    context: Context,
) -> list[Piece]:
    """The contract's pieces, clause after clause, every placeholder filled; no instruction among them."""
    pieces: list[Piece] = []
    for clause, variant in active_clauses(spec, choices, options, bound, context.flags):
        text = clause.text
        if clause.kind == "choice":
            text = (
                "\n\n".join(filter(None, [clause.text, next(v.text for v in clause.variants if v.id == variant)]))
                if variant
                else clause.text
            )
        items = context.items.get(clause.repeat, []) if clause.repeat else [({}, {})]
        if clause.heading:
            pieces.append(
                Piece(
                    "heading",
                    fill(clause.heading, context.texts, context.flags, context),
                    clause.level,
                    clause=clause.id,
                )
            )
        if clause.kind == "negotiated":
            pieces.append(Piece("source", source=clause.source, clause=clause.id, text=clause.text))
            continue
        for item_texts, item_flags in items:
            texts = {**context.texts, **item_texts}
            flags = {**context.flags, **item_flags}
            filled = fill(text, texts, flags, context)
            pieces += _paragraphs(filled, clause.id) if filled.strip() else []
    return pieces
