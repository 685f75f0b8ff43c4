"""The page shell: sign-in is required, works through the throttled backend, and the home page renders."""

import pytest
from django.test import Client

from accord.users.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def member() -> User:
    return User.objects.create_user("rita", password=PASSWORD)


def test_pages_redirect_to_sign_in_when_signed_out(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_api_is_not_redirected_to_the_sign_in_page(client: Client) -> None:
    assert client.get("/api/v1/contacts").status_code == 401


def test_sign_in_then_home_then_sign_out(client: Client, member: User) -> None:
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content
    response = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"rita" in home.content
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_without_telling_whether_the_account_exists(
    client: Client, member: User
) -> None:
    wrong = client.post("/login/", {"username": "rita", "password": "nope"})
    unknown = client.post("/login/", {"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert b"Please enter a correct username and password" in wrong.content
    assert wrong.content.replace(b"rita", b"").count(b"field-error") == unknown.content.count(b"field-error")


def test_unknown_pages_answer_the_styled_404_page(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"<h1>Not found</h1>" in response.content
    assert b"Sign out" in response.content  # the page keeps the application's header
