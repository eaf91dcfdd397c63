"""Cross-cutting helpers: authentication, errors, logging."""
