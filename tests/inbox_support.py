"""Helpers for inbox tests: accounts made with the real admin command, and a logged-in client.

The test stack's PUBLIC_BASE_URL is https, so session cookies are Secure; httpx (rightly)
would not send a Secure cookie over http to 127.0.0.1, so this client keeps the cookies
itself, as a browser on the https address would.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pyotp

from scripts.stack import APP_BIN, ROOT, Stack

PASSWORD = "a long test password 42"


@dataclass
class Account:
    username: str
    name: str
    role: str
    secret: str
    password: str = PASSWORD
    used: set[int] = field(default_factory=set)

    def code(self) -> str:
        """A code the server has not seen yet: a code works once, and the server accepts the
        previous and next 30-second steps too, so up to three logins fit in one step."""
        now = int(time.time() // 30)
        for step in (now, now + 1, now - 1, now + 1):
            if step not in self.used:
                self.used.add(step)
                return pyotp.TOTP(self.secret).at(step * 30)
        time.sleep(30 - time.time() % 30 + 0.1)
        return self.code()


def make_account(stack: Stack, role: str = "practitioner", name: str = "") -> Account:
    """An account made by `python -m api.admin create-user`, as an admin would."""
    username = f"{role}-{secrets.token_hex(4)}"
    name = name or f"Alex {secrets.token_hex(2).upper()}"
    done = subprocess.run(
        [
            str(APP_BIN / "python"),
            "-m",
            "api.admin",
            "create-user",
            "--username",
            username,
            "--name",
            name,
            "--role",
            role,
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    )
    secret = re.search(r"shown once\): (\w+)", done.stdout)
    assert secret, done.stdout
    return Account(username, name, role, secret.group(1))


@dataclass
class InboxClient:
    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def _keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Accept": "text/html", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, self.base_url + path, headers=headers, **kwargs)
        self._keep(response)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(
        self, path: str, data: dict[str, str] | None = None, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        return self.request("POST", path, data=form, **kwargs)

    def login_form(self) -> str:
        page = self.get("/inbox/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)

    def login(self, account: Account, code: str | None = None, password: str | None = None) -> httpx.Response:
        token = self.login_form()
        form = {
            "username": account.username,
            "password": account.password if password is None else password,
            "code": account.code() if code is None else code,
            "csrf_token": token,
        }
        response = self.request("POST", "/inbox/login", data=form)
        if response.status_code == 303:
            page = self.get("/inbox")
            found = re.search(r'data-csrf="([^"]+)"', page.text)
            assert found, page.text
            self.csrf = found.group(1)
        return response


def logged_in(base_url: str, account: Account) -> InboxClient:
    client = InboxClient(base_url)
    response = client.login(account)
    assert response.status_code == 303, response.text
    return client
