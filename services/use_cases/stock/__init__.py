"""Use cases of the stock: movements, the POS's stream of them, transfers between stores, goods brought back to a counter."""
