"""What a list answer can say about its page. Each resource's page model (app/schemas/) picks
the items its contract shows, under the contract's names, from these facts."""

from typing import Any


def page_facts(total: int, page: int, page_size: int, count: int) -> dict[str, Any]:
    return {
        "total": total,
        "count": count,
        "page": page,
        "page_size": page_size,
        "total_pages": (total + page_size - 1) // page_size,
        "has_next": page * page_size < total,
        "has_previous": page > 1,
    }
