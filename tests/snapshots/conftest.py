from __future__ import annotations

import pytest

from gridconsole.services.bundle import Services
from tests.ui.console import seed_cases


@pytest.fixture
def seeded(dispatcher: Services) -> list[str]:
    """Codes of the fixed seed cases, reported by the dispatcher."""
    return seed_cases(dispatcher)
