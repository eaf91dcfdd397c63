"""Data access, one service per resource; owned rows are filtered by owner here, only here."""
