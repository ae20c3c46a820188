"""The reference budget of a contract and its envelope."""
