"""Factories for the main objects of the tests: each makes one valid object, with what the rules ask of it.

Plain functions rather than factory_boy: the objects are few, and the ones whose rules matter are made through the
services (the lifecycle, the objectives) by the helpers of ``support`` and ``conftest``.
"""

from itertools import count

from django.contrib.auth import get_user_model

from cpom.access import Role
from cpom.accounts.models import Membership
from cpom.registry.categories import Audience, Sector
from cpom.registry.identifiers import finess_with_key, luhn_check_digit
from cpom.registry.models import Authority, AuthorityKind, Establishment, LegalStatus, ManagingBody

_numbers = count(1)


def _next() -> int:
    return next(_numbers)


def siren() -> str:
    """A SIREN nobody else holds in the test database, with its check digit."""
    first_eight = f"9{_next():07d}"
    return first_eight + luhn_check_digit(first_eight)


def finess(department: str = "44") -> str:
    """A valid FINESS of the department, with its check digit."""
    return finess_with_key(f"{department}{_next():06d}")


def managing_body(name: str | None = None, **fields) -> ManagingBody:
    number = _next()
    return ManagingBody.objects.create(
        name=name or f"Association de test {number}",
        legal_status=fields.pop("legal_status", LegalStatus.ASSOCIATION),
        siren=fields.pop("siren", None) or siren(),
        **fields,
    )


def authority(kind: str = AuthorityKind.CD, territory: str = "44", name: str | None = None) -> Authority:
    return Authority.objects.create(kind=kind, territory=territory, name=name or f"Autorité de test {_next()}")


def establishment(managing_body: ManagingBody, funders=(), department: str = "44", **fields) -> Establishment:
    places = fields.pop("authorised_places", 40)
    created = Establishment.objects.create(
        finess=fields.pop("finess", None) or finess(department),
        name=fields.pop("name", None) or f"Foyer de test {_next()}",
        category=fields.pop("category", "FAM"),
        sector=fields.pop("sector", Sector.PH),
        audience=fields.pop("audience", Audience.ADULTS),
        authorised_places=places,
        installed_places=fields.pop("installed_places", places),
        opening_days=fields.pop("opening_days", 365),
        department=department,
        managing_body=managing_body,
        **fields,
    )
    created.funders.set(funders)
    return created


def member(organisation, role: str = Role.CONTRIBUTE, username: str | None = None):
    """A user of ``organisation`` (a managing body or an authority) with ``role``."""
    username = username or f"personne{_next()}"
    user = get_user_model().objects.create_user(username, f"{username}@example.invalid", "mot-de-passe-de-test")
    side = {"managing_body": organisation} if isinstance(organisation, ManagingBody) else {"authority": organisation}
    Membership.objects.create(user=user, role=role, **side)
    return user
