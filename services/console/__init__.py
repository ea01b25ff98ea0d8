"""The web console (`omo console`): server-rendered pages for HQ operations, dealers and
stores, signed in with the API's own bearer tokens and held to the API's own access rules."""
