"""Accounting: imports of FEC and trial balances, analytical sections, the chart of accounts (account grouping)."""
