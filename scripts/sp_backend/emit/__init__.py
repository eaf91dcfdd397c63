"""Emitters: turn backend plans into files."""
