"""HTTP client helpers shared by the load (locust) and crash tests."""

from __future__ import annotations

import random
import re

from requests.adapters import HTTPAdapter

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')
THEMES = ["legislation", "electronic_evidence", "digital_forensics", "international_cooperation",
          "child_protection"]


def send_secure_cookies_over_http(session) -> None:
    """Send the Secure session cookie over the loopback's HTTP, as the TLS proxy in front would.

    The production cookie is ``__Host-`` and ``Secure``; requests copies the
    session's cookies into a jar with the default policy for every request,
    so the flag is cleared on the stored cookies instead.
    """
    prepare = session.prepare_request

    def prepare_request(request):
        for cookie in session.cookies:
            cookie.secure = False
        return prepare(request)

    session.prepare_request = prepare_request


class SourceAddressAdapter(HTTPAdapter):
    """Connect from a given loopback address, as users on separate machines would.

    The per-address login limit then counts each simulated user apart; the
    platform's limits are unchanged.
    """

    def __init__(self, address: str, **kwargs):
        self._address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def form_fields(html: str) -> dict[str, str]:
    """The hidden CSRF and single-use submission tokens of the form on the page."""
    csrf = CSRF.search(html)
    token = TOKEN.search(html)
    fields = {"csrf_token": csrf.group(1) if csrf else ""}
    if token:
        fields["submission_token"] = token.group(1)
    return fields


def record_fields(rng: random.Random, kind: str, title: str | None = None, *,
                  draft: bool = False) -> dict:
    """What a person would type in the need or offer form (then Submit, or Save as draft)."""
    theme = rng.choice(THEMES)
    fields = {
        "title": title or f"Load test {kind}: {theme.replace('_', ' ')} {rng.randrange(10**6)}",
        "description": ("Training of investigators and prosecutors on electronic evidence, "
                        "expedited preservation of stored computer data and mutual legal "
                        f"assistance requests; a workshop for the 24/7 point of contact "
                        f"({rng.randrange(10**9)})."),
        "language": "en", "working_languages": ["en", rng.choice(["fr", "es", "ar"])],
        "themes": [theme], "modalities": ["training"], "beneficiaries": ["law_enforcement"],
        "delivery": ["remote"], "budget_usd": str(rng.randrange(10, 300) * 1000),
        "start": "2027-03", "end": "2027-12",
    }
    fields["save_draft" if draft else "submit"] = "Save as draft" if draft else "Submit"
    if kind == "need":
        fields["confidentiality"] = rng.choice(["public", "donors", "restricted"])
    else:
        fields["capacity"] = "2"
        fields["provider"] = "Load test provider"
    return fields


def login(session, base_url: str, email: str, password: str, totp_secret: str | None = None,
          name: str | None = None):
    """Log in through the real forms (password, then the TOTP code if asked); the last response."""
    import pyotp

    extra = {"name": name} if name else {}
    page = session.get(f"{base_url}/auth/login", **extra)
    response = session.post(f"{base_url}/auth/login", allow_redirects=False, **extra, data={
        **form_fields(page.text), "email": email, "password": password})
    if response.headers.get("Location", "").endswith("/auth/login/code") and totp_secret:
        page = session.get(f"{base_url}/auth/login/code", **extra)
        response = session.post(f"{base_url}/auth/login/code", allow_redirects=False, **extra,
                                data={**form_fields(page.text), "code": pyotp.TOTP(totp_secret).now()})
    return response
