"""The dealer ledger: every order line's money split between sellers, fulfillers, assistants and HQ, as double entries."""
