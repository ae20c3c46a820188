def contract_frame(request) -> dict:
    """The contract a page belongs to and its frame (cpom.contracts.pages.contract_page), on every contract page."""
    frame = getattr(request, "contract_frame", None)
    return {"contract_frame": frame, "contract": frame.contract} if frame is not None else {}
