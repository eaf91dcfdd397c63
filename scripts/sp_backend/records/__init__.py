"""Spec-Kit Plus records: Prompt History Records (PHR) and ADR suggestions."""
