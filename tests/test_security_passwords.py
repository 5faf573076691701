"""Passwords (ASVS V6.2, V11.4): length, no truncation, no composition rules, common passwords
refused, argon2id with the recommended parameters, and old hashes upgraded at login."""

from importlib import resources

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from assess.extensions import db
from assess.models import User
from assess.services import accounts
from assess.services.errors import ValidationError

from .conftest import TEST_PASSWORD, AuthActions

pytestmark = pytest.mark.real_password_hashing


def _login(client, email, password):
    return client.post_form("/auth/login", {"email": email, "password": password})


def test_hashes_use_argon2id_with_at_least_the_asvs_parameters(make_user):
    user = make_user()
    parameters = extract_parameters(user.password_hash)
    assert user.password_hash.startswith("$argon2id$")
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2
    assert parameters.parallelism == 1


def test_the_common_password_list_is_real_and_credited():
    text = resources.files("assess.data").joinpath("common-passwords.txt").read_text("utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "zxcvbn" in header
    assert "MIT" in header
    assert len(accounts.COMMON_PASSWORDS) >= 10_000
    for common in ("password", "123456", "qwerty", "letmein", "dragon"):
        assert common in accounts.COMMON_PASSWORDS
    assert not any(p.startswith("#") for p in accounts.COMMON_PASSWORDS)


@pytest.mark.parametrize("common", ["1qaz2wsx3edc", "123qweasdzxc", "qwerty123456", "QAZWSXEDCRFV"])
def test_common_passwords_are_refused(make_user, common):
    with pytest.raises(ValidationError, match="too common"):
        make_user(password=common)


@pytest.mark.parametrize(
    "password",
    [
        "only lower case letters here",
        "ALLUPPERCASEPASSPHRASE",
        "999999999999999999999990",
        "ünïcødé pässwörd ключ 鍵",
        "          spaces inside and out          ",
    ],
)
def test_no_composition_rules(client, make_user, password):
    user = make_user(password=password)
    response = _login(client, user.email, password)
    assert response.status_code == 302


def test_eleven_characters_are_too_few_and_twelve_enough(make_user):
    with pytest.raises(ValidationError, match="at least 12"):
        make_user(password="k" * 3 + "x7q-zr9w")
    make_user(password="k" * 4 + "x7q-zr9w")


def test_128_characters_are_accepted_and_used_whole(client, make_user):
    password = "correct horse battery staple " * 4 + "x" * 12
    assert len(password) == 128
    user = make_user(password=password)
    assert _login(client, user.email, password[:127]).status_code == 401
    assert _login(client, user.email, password[:72]).status_code == 401
    assert _login(client, user.email, password).status_code == 302


def test_129_characters_are_refused_when_set(client, auth, make_user):
    with pytest.raises(ValidationError, match="at most 128"):
        make_user(password="y" * 129)
    user = make_user()
    auth.login(user)
    too_long = "z" * 129
    page = client.post_form(
        "/auth/password", {"current": TEST_PASSWORD, "new": too_long, "confirm": too_long}
    )
    assert page.status_code == 200
    assert "128" in page.get_data(as_text=True)
    stored = db.session.get(User, user.id)
    assert PasswordHasher().verify(stored.password_hash, TEST_PASSWORD)


def test_the_password_is_verified_whole(make_user, monkeypatch):
    """No silent truncation, however long: what is typed is what argon2 sees."""
    password = "p" * 64 + "q" * 64
    user = make_user(password=password)
    seen = []
    real = accounts.hasher

    class Spy:
        def verify(self, hash, given):
            seen.append(given)
            return real.verify(hash, given)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "hasher", Spy())
    assert accounts.authenticate(user.email, password, "198.51.100.1")
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(user.email, password + "x" * 2000, "198.51.100.1")
    assert seen == [password, password + "x" * 2000]


def test_change_password_refuses_a_common_one(client, auth, make_user):
    user = make_user()
    auth.login(user)
    page = client.post_form(
        "/auth/password",
        {"current": TEST_PASSWORD, "new": "qwerty123456", "confirm": "qwerty123456"},
    )
    assert "too common" in page.get_data(as_text=True)
    stored = db.session.get(User, user.id)
    assert PasswordHasher().verify(stored.password_hash, TEST_PASSWORD)


def test_a_weaker_hash_is_upgraded_at_login(app, client, make_user):
    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=2)
    db.session.get(User, user.id).password_hash = weak.hash(TEST_PASSWORD)
    db.session.commit()
    old_hash = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert extract_parameters(old_hash).memory_cost == 8 * 1024

    AuthActions(client).login(user)

    new_hash = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert new_hash != old_hash
    parameters = extract_parameters(new_hash)
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)
    assert PasswordHasher().verify(new_hash, TEST_PASSWORD)


def test_a_current_hash_is_left_alone_at_login(client, make_user):
    user = make_user()
    before = user.password_hash
    AuthActions(client).login(user)
    assert db.session.scalar(select(User.password_hash).where(User.id == user.id)) == before
