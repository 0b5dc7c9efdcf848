"""The claims explorer: a static, self-contained website of the dataset (``china-ai-claims site``).

Needs the ``site`` extra (Jinja2 and MarkupSafe).
"""

from china_ai_claims._resources import install_extra

EXTRA_NEEDED = f"the site needs Jinja2 and MarkupSafe: {install_extra('site')}"

try:
    from china_ai_claims.site.builder import SiteError, build_site
except ModuleNotFoundError as missing:
    if missing.name not in ("markupsafe", "jinja2"):
        raise
    raise ImportError(EXTRA_NEEDED) from None

__all__ = ["EXTRA_NEEDED", "SiteError", "build_site"]
