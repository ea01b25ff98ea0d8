"""The national stock count: one figure per SKU and its breakdowns, kept from the stock and store events."""
