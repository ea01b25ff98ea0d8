"""Use cases of the network: stores, dealers, cloud shops, callers' tokens, dealers' statements."""
