import pytest

from .factories import make_menu


@pytest.fixture
def menu(org):
    return make_menu()
