"""What every page of the frontend is served with, locally (infra/local/server.py) and from
CloudFront (infra/aws/frontend.py): one policy, so the two cannot drift."""

from __future__ import annotations

# Answers that may travel to another origin carry the origin only (never the path or query).
REFERRER_POLICY = "strict-origin-when-cross-origin"
# A year, subdomains included: pages are only ever served over HTTPS in AWS.
HSTS_SECONDS = 31_536_000


def content_security_policy(*origins: str) -> str:
    """No inline script, no framing, no plugins. `origins` are the AWS endpoints the pages talk to
    beyond their own origin: Cognito (sign-in), the API where it has an address of its own, and
    the attachments bucket (uploads and their previews)."""
    extra = "".join(f" {origin}" for origin in origins if origin)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # Element Plus positions popovers with style attributes
            f"img-src 'self' data: blob:{extra}",
            f"media-src 'self' blob:{extra}",
            f"connect-src 'self'{extra}",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self'{extra}",
            "frame-ancestors 'none'",
        )
    )


def page_headers(*origins: str) -> dict[str, str]:
    """The headers of every served page and asset (HSTS is CloudFront's: the local stack is plain HTTP)."""
    return {
        "Content-Security-Policy": content_security_policy(*origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": "DENY",
    }
