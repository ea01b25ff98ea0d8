"""On time: per store and store-local day, the shipments due, done on time and late."""
