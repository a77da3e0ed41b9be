"""Access token, CSRF protection, request size limits and security headers of the web application.

- **Token** (``CLAUSEGEN_JETON``): required to start on an address other than the loopback; once set, every
  request needs it, as ``Authorization: Bearer JETON`` or as the cookie that ``?jeton=JETON`` sets (the
  browser is then sent to the same address without the token, so that it stays out of the history).
- **CSRF**: signed double-submit. A random value is kept in a cookie (``clausegen_csrf``, HttpOnly,
  SameSite=Strict); every form carries its HMAC under a secret of the process. A form whose field does not
  match its cookie is refused (403). The API takes YAML bodies only, which no other site can send from a
  browser without the browser asking first (CORS preflight, never granted).
- **Sizes**: a request body over the limit of its route is refused (413) before it is read in full.
- **Host** (DNS rebinding): given ``allowed_hosts`` (``clausegen serve`` gives ``127.0.0.1:PORT``,
  ``localhost:PORT`` and ``[::1]:PORT`` on a loopback bind), a request whose ``Host`` header is not one of
  them is refused (400): a page of another site whose name was made to point at 127.0.0.1 cannot read the
  application. Starlette's ``TrustedHostMiddleware`` compares names without their port and answers in
  English, hence these few lines.
- **Content-Type**: every POST to a route must say its type, one the route takes (the API: YAML; the pages:
  a browser's form), else 415: without it, a cross-site ``fetch(…, {mode: "no-cors"})`` of « text/plain »
  would be a simple request, sent without asking.
- **Session cookie**: ``?jeton=`` sets a cookie valid ``SESSION_MAX_AGE`` seconds, signed with a random salt
  of the process: it is worth nothing after a restart (the token is asked again), and the redirect that
  sets it never leaves the site (``local_location``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from urllib.parse import parse_qsl, quote, urlencode

TOKEN_ENV = "CLAUSEGEN_JETON"
TOKEN_COOKIE = "clausegen_jeton"
CSRF_COOKIE = "clausegen_csrf"
CSRF_FIELD = "csrf"
MIB = 1024 * 1024
API_LIMIT = 1 * MIB  # a profile sent to the API
FORM_LIMIT = 2 * MIB  # the profile form (hundreds of lots) or a pasted profile
UPLOAD_LIMIT = 16 * MIB  # the PFRA upload: many profiles or a zip
SESSION_MAX_AGE = 12 * 3600  # seconds the token's cookie is valid (a working day); then the token is asked again
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # what a browser's form sends
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


# The access page is shown before the token is given, so without the stylesheet (a request like any other):
# its few rules are inline, allowed by their hash alone.
LOGIN_CSS = (
    "body{font-family:system-ui,sans-serif;color:#161616;margin:0;line-height:1.5}"
    "main{max-width:40rem;margin:3rem auto;padding:0 1.25rem}"
    "label{display:block;font-weight:600;margin-top:1rem}"
    ".aide{color:#3a3a3a;font-size:.9rem;margin:.2rem 0 .4rem}"
    "input{font:inherit;padding:.45rem .6rem;border:1px solid #929292;border-bottom:2px solid #3a3a3a;width:100%;max-width:28rem}"
    "button{font:inherit;font-weight:600;background:#000091;color:#fff;border:2px solid #000091;border-radius:4px;padding:.5rem 1rem;margin-top:.75rem;cursor:pointer}"
    ":focus-visible{outline:3px solid #0a76f6;outline-offset:2px}"
)


def _login_csp() -> bytes:
    import base64

    digest = base64.b64encode(hashlib.sha256(LOGIN_CSS.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'").encode("ascii")


def is_local(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (loopback addresses, « localhost »)."""
    name = host.strip().strip("[]").lower()
    if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(name: str) -> str:
    """``name`` as a Host header writes it: lower case, an IPv6 address in brackets."""
    name = name.strip().lower()
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def _host_forms(name: str, port: int, *, bare: bool = False) -> list[str]:
    """The Host headers that mean ``name`` on ``port``: ``name:port``, and ``name`` alone when ``bare`` or on
    port 80 (a browser leaves it out); ``name`` as it is when it is written with its own port."""
    text = name.strip().lower()
    if (text.startswith("[") and "]:" in text) or (not text.startswith("[") and text.count(":") == 1):
        return [text]
    host = _host_name(text)
    return [f"{host}:{port}", host] if bare or port == 80 else [f"{host}:{port}"]


def allowed_hosts_for(bind: str, port: int, names=()) -> list[str] | None:
    """The Host headers ``clausegen serve`` answers when it listens on ``bind``:``port``; ``names`` are the
    names by which browsers reach it (``--hote``), each with ``port``, or without a port (the name a reverse
    proxy on ports 80/443 passes on), or with the port it is written with. On a loopback bind: the loopback
    names, ``bind`` and ``names``. On a given address: that address and ``names``. On every address (0.0.0.0,
    ::) without ``names``: None, no check (the token, required there, is what protects the application)."""
    if is_local(bind):
        addresses = [*LOOPBACK_NAMES, bind]
    elif bind.strip() in ("", "0.0.0.0", "::", "[::]"):
        if not names:
            return None
        addresses = list(LOOPBACK_NAMES)
    else:
        addresses = [bind]
    candidates = [h for a in addresses for h in _host_forms(a, port)] + [h for n in names for h in _host_forms(n, port, bare=True)]
    return list(dict.fromkeys(candidates))


def local_location(path: str, query: str = "") -> str:
    """A redirect target that stays on this site: ``path`` with its leading slashes, backslashes, spaces and
    control characters folded into one « / » (a browser reads ``//evil.example/`` and ``/\\evil`` as another
    site), every other unsafe character percent-encoded; « / » for what is not a path (an absolute URL)."""
    rest = path if (path or "").startswith(("/", "\\")) else ""
    while rest and (rest[0] in "/\\" or not rest[0].isprintable() or rest[0].isspace()):
        rest = rest[1:]
    location = "/" + quote(rest, safe="/:@!$&'()*+,;=-._~")
    return location + (f"?{query}" if query else "")


def body_limit(path: str) -> int:
    if path.startswith("/api/"):
        return API_LIMIT
    if path.startswith("/revue"):
        return UPLOAD_LIMIT
    return FORM_LIMIT


class Secrets:
    """The process's secret (CSRF signatures) and the access token, if any."""

    def __init__(self, token: str | None = None, key: bytes | None = None, *, clock=time.time):
        self.token = token or None
        self.key = key or secrets.token_bytes(32)
        self.session_salt = secrets.token_bytes(32)  # never kept: a restart ends every session
        self.clock = clock

    # token ------------------------------------------------------------------------------------------
    def _session_mac(self, issued: str) -> str:
        message = b"clausegen-session:" + self.session_salt + issued.encode("ascii")
        return hmac.new(self.token.encode("utf-8"), message, hashlib.sha256).hexdigest()

    def session_value(self) -> str:
        """The cookie value that proves the token was given: the time it was given and its signature under the
        token and the process's salt (the token itself is never stored in it)."""
        assert self.token
        issued = str(int(self.clock()))
        return f"{issued}.{self._session_mac(issued)}"

    def token_ok(self, given: str | None) -> bool:
        return bool(self.token) and given is not None and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def cookie_ok(self, value: str | None) -> bool:
        """Whether ``value`` is a session cookie of this process, given less than ``SESSION_MAX_AGE`` ago."""
        if not self.token or not value or len(value) > 100:
            return False
        issued, _dot, mac = value.partition(".")
        if not issued.isascii() or not issued.isdigit():
            return False
        if not hmac.compare_digest(mac.encode("utf-8", "replace"), self._session_mac(issued).encode("ascii")):
            return False
        return 0 <= self.clock() - int(issued) < SESSION_MAX_AGE

    # CSRF -------------------------------------------------------------------------------------------
    def csrf_for(self, nonce: str) -> str:
        return hmac.new(self.key, nonce.encode("utf-8"), hashlib.sha256).hexdigest()

    def form_ok(self, request, form) -> bool:
        """Whether the posted ``form``'s CSRF field matches the signature of ``request``'s CSRF cookie."""
        field = form.get(CSRF_FIELD)
        return self.csrf_ok(request.cookies.get(CSRF_COOKIE), field if isinstance(field, str) else None)

    def csrf_ok(self, nonce: str | None, field: str | None) -> bool:
        if not nonce or not field or len(nonce) > 100:
            return False
        return hmac.compare_digest(self.csrf_for(nonce).encode("ascii"), field.encode("utf-8", "replace"))


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def _cookies(headers: dict[bytes, bytes]) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:  # noqa: BLE001 - a malformed cookie header counts as no cookie
        return {}
    return {k: m.value for k, m in jar.items()}


def content_type_refusal(path: str, header: str, accepted) -> str | None:
    """Why a POST whose Content-Type is ``header`` is refused (415), or None when ``accepted`` has it."""
    given = header.split(";")[0].strip().lower()
    if given in accepted:
        return None
    shown = "".join(c for c in given if c.isprintable())[:60]
    received = f"reçu : « {shown} »" if shown else "en-tête absent"
    if path.startswith("/api/"):
        return f"Le profil doit être envoyé en YAML, avec l'en-tête « Content-Type: application/yaml » ({received})."
    return ("Ce formulaire doit être envoyé depuis une page de l'application, comme le fait le navigateur "
            f"(Content-Type « application/x-www-form-urlencoded » ou « multipart/form-data » ; {received}).")


class Guard:
    """ASGI middleware: token, size limits and security headers for every request."""

    def __init__(self, app, secrets_: Secrets, render_refusal, allowed_hosts=None, post_types=None):
        self.app = app
        self.secrets = secrets_
        self.render_refusal = render_refusal  # (status, path, detail) → (content type, body bytes)
        self.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        self.shown_host = next(iter(allowed_hosts), None) if allowed_hosts else None
        self.post_types = dict(post_types or {})  # path, or compiled pattern of a path with parameters → its POST's Content-Types

    def _post_types(self, path: str):
        for key, types in self.post_types.items():
            if key == path or (not isinstance(key, str) and key.fullmatch(path)):
                return types
        return None

    async def _refuse(self, send, status: int, path: str, detail: str | None = None, extra=()):
        content_type, body = self.render_refusal(status, path, detail)
        security = [h for h in SECURITY_HEADERS if not (status == 401 and h[0] == b"content-security-policy")]
        if status == 401:
            security.append((b"content-security-policy", _login_csp()))
        headers = [(b"content-type", content_type.encode("latin-1")), (b"content-length", str(len(body)).encode()), *security, *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        if self.allowed_hosts is not None and headers.get(b"host", b"").decode("latin-1").strip().lower() not in self.allowed_hosts:
            await self._refuse(send, 400, path, f"Adresse non reconnue (en-tête Host) : ouvrez l'application à l'adresse http://{self.shown_host}/.")
            return
        if self.secrets.token:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            given = query.get("jeton")
            if given is not None and self.secrets.token_ok(given):
                rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True) if k != "jeton"])
                location = local_location(path, rest)
                cookie = f"{TOKEN_COOKIE}={self.secrets.session_value()}; Max-Age={SESSION_MAX_AGE}; Path=/; HttpOnly; SameSite=Strict"
                await send({"type": "http.response.start", "status": 303, "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")), (b"content-length", b"0"), *SECURITY_HEADERS]})
                await send({"type": "http.response.body", "body": b""})
                return
            auth = headers.get(b"authorization", b"").decode("latin-1")
            bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
            if not (self.secrets.token_ok(bearer) or self.secrets.cookie_ok(_cookies(headers).get(TOKEN_COOKIE))):
                detail = "jeton incorrect" if given is not None or bearer is not None else None
                await self._refuse(send, 401, path, detail, [(b"www-authenticate", b'Bearer realm="clausegen"')])
                return
        accepted = self._post_types(path) if scope.get("method") == "POST" else None
        if accepted is not None:
            refusal = content_type_refusal(path, headers.get(b"content-type", b"").decode("latin-1"), accepted)
            if refusal:
                await self._refuse(send, 415, path, refusal)
                return
        limit = body_limit(path)
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = True
            if too_big:
                await self._refuse(send, 413, path, str(limit))
                return
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _v in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in names)]}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, 413, path, str(limit))


class Refusal(Exception):
    """A request refused with a French message meant for the user (shown as it is)."""

    def __init__(self, status_code: int, detail: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail or str(status_code))
        self.status_code = status_code
        self.detail = detail
        self.headers = headers


class BodyTooLarge(Exception):
    """The request body went past the route's limit while it was being read."""
