"""HTTP routes: thin functions that validate, call a service, and shape the response."""
