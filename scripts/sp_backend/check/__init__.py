"""`sp-backend check`: the contract against the generated app's OpenAPI, and a running server."""
