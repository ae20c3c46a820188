"""A newcomer on the authority's side, who reads the contracts' history and the portfolio on their first day."""


def load_demo_newcomer(context) -> None:
    """Written by the work on this part (issue 13); the loader already calls it in the story's order."""
