"""Loading contract models, and each contract's drafting (its model, choices, optional clauses and parameters).

Loading is all or nothing: the file is read and checked through (template.parse) before anything is written, and
a version already loaded with another text is refused (a signed contract may rest on it). The drafting is the lead
authority's, before signature; every write checks the version the user read and is journaled.
"""

import hashlib
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction

from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.core.locking import StaleWrite, check_version
from cpom.core.numbers import grouped
from cpom.registry.models import Authority
from cpom.web.inputs import LONG_TEXT

from . import template
from .models import ContractModel, Drafting

SHIPPED_FOLDER = Path(__file__).parent / "contract_models"
SHIPPED_FILES = ("pdl-2011.toml", "national-2017.toml")
# Since the arrêté of 3 March 2017 the national model is the rule; an authority may adapt it (its own model).
DEFAULT_CODE = "national-2017"
NOT_LEAD = "Seule l'autorité cheffe de file rédige le contrat (modèle, choix et paramètres)."
READ_ONLY = "Votre rôle (lecture) ne permet pas de modifier la rédaction du contrat."
NOT_OPEN = "Le contrat n'est plus en négociation : sa rédaction est figée."


class DraftingRefused(Exception):
    """The drafting cannot be saved; the message, in French, names the field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class StaleDrafting(StaleWrite, DraftingRefused):
    def __init__(self):
        StaleWrite.__init__(self)
        self.field = ""


# --- Loading --------------------------------------------------------------------------------------------------


def read_model(text: str, filename: str) -> template.ContractModelSpec:
    return template.parse(text, filename)


@transaction.atomic
def load_model(path: Path, authority: Authority | None = None, user=None) -> tuple[ContractModel, bool]:
    """Loads the model file at ``path`` for ``authority`` (None: shipped with cpom). Returns (model, created).
    The same file loaded again changes nothing; a known version with another text is refused."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise template.ModelError(path.name, "fichier introuvable ou illisible.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise template.ModelError(path.name, "le fichier n'est pas en UTF-8.") from None
    spec = read_model(text, path.name)
    digest = hashlib.sha256(raw).hexdigest()
    existing = ContractModel.objects.filter(authority=authority, code=spec.code, version=spec.version).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise template.ModelError(
                path.name,
                f"la version {spec.version} du modèle « {spec.code} » est déjà chargée avec un autre texte : "
                "donnez une nouvelle version au fichier modifié.",
            )
        return existing, False
    try:
        with transaction.atomic():
            model = ContractModel.objects.create(
                authority=authority,
                code=spec.code,
                version=spec.version,
                title=spec.title,
                source=spec.source,
                filename=path.name,
                text=text,
                sha256=digest,
                clauses=spec.as_json(),
                loaded_by=user,
            )
    except IntegrityError:
        raise template.ModelError(path.name, "cette version du modèle vient d'être chargée par ailleurs.") from None
    if user is not None:
        record(user, model, f"Modèle de contrat chargé : {model}", None, {"fichier": path.name, "sha256": digest})
    return model, True


def load_shipped() -> list[ContractModel]:
    return [load_model(SHIPPED_FOLDER / name)[0] for name in SHIPPED_FILES]


def models_for(contract: Contract) -> list[ContractModel]:
    """The models the contract may use: those shipped with cpom and those of its lead authority."""
    lead = contract.lead_authority_id
    return list(ContractModel.objects.filter(authority__isnull=True).order_by("code", "-loaded_at")) + list(
        ContractModel.objects.filter(authority_id=lead).order_by("code", "-loaded_at") if lead else []
    )


def default_model(contract: Contract) -> ContractModel | None:
    """The lead authority's latest model if it loaded one, else the national model shipped with cpom."""
    lead = contract.lead_authority_id
    own = ContractModel.objects.filter(authority_id=lead).order_by("-loaded_at", "-pk").first() if lead else None
    return (
        own
        or ContractModel.objects.filter(authority__isnull=True, code=DEFAULT_CODE).order_by("-loaded_at", "-pk").first()
    )


def drafting_of(contract: Contract) -> Drafting | None:
    """The contract's drafting; an unsaved one on the default model when nobody drafted yet (reading never writes)."""
    drafting = Drafting.objects.filter(contract=contract).select_related("model__authority").first()
    if drafting is not None:
        return drafting
    model = default_model(contract)
    return Drafting(contract=contract, model=model) if model else None


# --- Saving ---------------------------------------------------------------------------------------------------


def _check_values(
    spec: template.ContractModelSpec, choices: dict, options: dict, parameters: dict, party_codes
) -> None:
    for clause in spec.choices:
        value = choices.get(clause.id, "")
        if value and value not in {v.id for v in clause.variants}:
            raise DraftingRefused(f"« {clause.label} » : choix inconnu « {value} ».", f"choice_{clause.id}")
    for parameter in spec.parameters:
        values = parameters.get(parameter.id, {} if parameter.scope == "party" else "")
        values = values if parameter.scope == "party" else {"": values}
        for code, value in values.items():
            if code and code not in party_codes:
                raise DraftingRefused(f"« {parameter.label} » : partie inconnue « {code} ».", parameter.id)
            field = f"{parameter.id}__{code}" if code else parameter.id
            if not isinstance(value, str):
                raise DraftingRefused(f"« {parameter.label} » : texte attendu.", field)
            if parameter.kind == "civility" and value and value not in template.CIVILITIES:
                raise DraftingRefused(f"« {parameter.label} » : « M. » ou « Mme ».", field)
            if parameter.kind == "date" and value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise DraftingRefused(f"« {parameter.label} » : date invalide.", field) from None
            if len(value) > LONG_TEXT:
                raise DraftingRefused(f"« {parameter.label} » : {grouped(LONG_TEXT, 0)} caractères au plus.", field)


def _audit_view(drafting: Drafting) -> dict:
    return {
        "modèle": str(drafting.model) if drafting.model_id else "",
        "choix": drafting.choices,
        "clauses facultatives": drafting.options,
        "paramètres": drafting.parameters,
    }


@transaction.atomic
def save_drafting(
    contract: Contract,
    user,
    *,
    model: ContractModel,
    choices: dict,
    options: dict,
    parameters: dict,
    expected_version: int | None,
) -> Drafting:
    """Saves the whole drafting at once; refused (DraftingRefused, nothing saved) by the rules or a stale copy."""
    from cpom.access import Role, membership_of

    current = Contract.objects.select_for_update().get(pk=contract.pk)
    if not current.is_open:
        raise DraftingRefused(NOT_OPEN)
    membership = membership_of(user)
    if membership is None or membership.authority_id is None or membership.authority_id != current.lead_authority_id:
        raise DraftingRefused(NOT_LEAD)
    if not membership.has_role(Role.CONTRIBUTE):
        raise DraftingRefused(READ_ONLY)
    if model.authority_id not in (None, current.lead_authority_id):
        raise DraftingRefused("Ce modèle appartient à une autre autorité.", "model")
    spec = template.ContractModelSpec.from_json(model.clauses)
    codes = {
        f"{p.authority.kind}-{p.authority.territory}" for p in current.parties.admitted().select_related("authority")
    }
    _check_values(spec, choices, options, parameters, codes)
    drafting = Drafting.objects.select_for_update().filter(contract=current).first()
    before = _audit_view(drafting) if drafting else None
    if drafting is None:
        if expected_version not in (None, 0):
            raise StaleDrafting
        drafting = Drafting(contract=current)
    else:
        try:
            check_version(drafting.version, expected_version)
        except StaleWrite:
            raise StaleDrafting from None
        drafting.version += 1
    drafting.model = model
    drafting.choices = {c.id: choices[c.id] for c in spec.choices if choices.get(c.id)}
    drafting.options = {c.id: bool(options.get(c.id, False)) for c in spec.options}
    drafting.parameters = _kept_parameters(spec, parameters)
    drafting.save()
    record(user, current, "Rédaction du contrat enregistrée", before, _audit_view(drafting))
    return drafting


def _kept_parameters(spec: template.ContractModelSpec, parameters: dict) -> dict:
    kept: dict = {}
    for parameter in spec.parameters:
        value = parameters.get(parameter.id)
        if parameter.scope == "party":
            values = {code: text.strip() for code, text in (value or {}).items() if text.strip()}
            if values:
                kept[parameter.id] = dict(sorted(values.items()))
        elif isinstance(value, str) and value.strip():
            kept[parameter.id] = value.strip()
    return kept
