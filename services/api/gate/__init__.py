"""What every call passes before its servicer: the access rules and authorization, rate, request and buyer limits."""
