"""The financial trajectory: scenarios projected over the contract years, compared, charted and exported."""
