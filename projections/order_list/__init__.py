"""The order list: every order with its customer, status, stores and promise, kept from the order and store events for ListOrders."""
