"""The ARS's five-year programming: twelve managing bodies over the region's five départements."""


def load_demo_programming(context) -> None:
    """Written by the work on this part (issue 13); the loader already calls it in the story's order."""
