"""Messages to the domain's values and back."""
