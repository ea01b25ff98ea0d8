"""Reconciliation: the orders' payments and refunds beside the payment provider's bill rows, for matching them."""
