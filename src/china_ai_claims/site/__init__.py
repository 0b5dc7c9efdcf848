"""The claims explorer: a static, self-contained website of the dataset (``china-ai-claims site``).

Needs the ``site`` extra (Jinja2).
"""

from china_ai_claims.site.builder import SiteError, build_site

__all__ = ["SiteError", "build_site"]
