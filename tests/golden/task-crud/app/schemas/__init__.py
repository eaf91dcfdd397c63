"""Request and response schemas (Pydantic v2), separate from the table models."""
