"""What the mean costs page sends: one field per category (« cout-IME »…), read as typed; the services check it."""

from cpom.registry.categories import CATEGORIES

FIELD_PREFIX = "cout-"


def mean_cost_entries(post) -> dict[str, str]:
    """The fields sent; a category absent from the form keeps its value, an emptied field removes it."""
    return {c.code: post[f"{FIELD_PREFIX}{c.code}"] for c in CATEGORIES if f"{FIELD_PREFIX}{c.code}" in post}
