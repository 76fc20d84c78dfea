"""Every module test reads its listings one item a page (split_pages): a module that reads only a listing's first page
fails the test whose resources sit on a later one."""

import pytest


@pytest.fixture(autouse=True)
def listings_in_pages_of_one(split_pages):
    yield split_pages
