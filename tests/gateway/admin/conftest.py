"""Fixtures of the admin-view tests: the app in demo mode (so the simulator is there too),
a privacy-checking client, and one login per role."""

import pytest

from tests.admin import CheckedClient, create_accounts
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url, redis_url):
    """Demo-mode settings (the simulator exists only there) with real random secrets."""
    return make_settings(database_url, redis_url, TINBAO_DEMO="1", USSD_SECRET="ussd-test-secret")


@pytest.fixture
def client(app):
    """A client whose every response is checked for reporter numbers."""
    app.test_client_class = CheckedClient
    return app.test_client()


@pytest.fixture
def accounts(app):
    """Logins for every role."""
    return create_accounts(app.extensions["tinbao"].engine)
