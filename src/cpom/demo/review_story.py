"""The EHPAD's year-3 management review, held, with its signed relevé of four decisions (one opening an amendment)."""


def load_demo_review(contract, context) -> None:
    """Written by the work on this part (issue 13); the loader already calls it in the story's order."""
