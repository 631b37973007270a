"""Security headers on every response: a Content-Security-Policy without inline script or style,
``nosniff``, a referrer policy and framing by this origin only.

A view that needs a different policy sets its own ``Content-Security-Policy`` (the picture pages allow
inline styles for their drawing library); the other headers are the same everywhere. Pages whose
libraries insert a fixed ``<style>`` element get that element's hash (below), not ``unsafe-inline``.
"""

from __future__ import annotations

from flask import Flask, Response, request

_DIRECTIVES = (
    ("default-src", "'self'"), ("script-src", "'self'"), ("style-src", "'self'"), ("img-src", "'self' data:"),
    ("font-src", "'self' data:"), ("connect-src", "'self'"), ("object-src", "'none'"), ("base-uri", "'self'"),
    ("form-action", "'self'"), ("frame-ancestors", "'self'"),
)

#: endpoint -> hashes of the fixed <style> elements its scripts insert. The editor's YASR table plugin
#: (column resizer, "grip-resizable" rules) adds one; tests/test_csp_browser.py fails if it changes.
STYLE_HASHES = {
    "canned_editor.editor": ("'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",),
}

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def policy(style_hashes: tuple[str, ...] = ()) -> str:
    """The default policy: scripts, styles, fetches and forms from this origin only."""
    directives = dict(_DIRECTIVES)
    if style_hashes:
        directives["style-src"] = " ".join(("'self'", *style_hashes))
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CSP = policy()


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy(STYLE_HASHES.get(request.endpoint or "", ())))
        for name, value in HEADERS.items():
            response.headers[name] = value
        return response
