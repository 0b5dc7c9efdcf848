"""China AI claims: a dataset of companies, AI models, training-cost and funding claims in reporting
on China's AI industry after DeepSeek, every row tied to a verbatim quote in an archived source.

>>> import china_ai_claims as cac
>>> cac.load("cost_claims")          # a typed pandas DataFrame, offline

>>> cac.describe("cost_claims")      # each column's type, required, allowed values, description

Importing the package is cheap: pandas and pydantic load only when a function that needs them is
called. Writing a release's Parquet files needs the ``release`` extra (pyarrow).
"""

import importlib as _importlib

from china_ai_claims._resources import VERSION as __version__

# Not typing.TYPE_CHECKING: importing typing costs about 20 ms, half the import budget, and type
# checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from china_ai_claims.errors import (
        ChecksumError,
        DataError,
        DownloadError,
        ReleaseDataError,
        ReleaseError,
        ReleaseFormatError,
        ReleaseNotFoundError,
        UnknownVersionError,
        UnsafePathError,
        UnverifiedReleaseError,
    )
    from china_ai_claims.loading import (
        Dataset,
        UnknownTableError,
        load,
        load_all,
        records,
        tables,
    )
    from china_ai_claims.metadata import describe
    from china_ai_claims.validators import validate

_LAZY = {
    "ChecksumError": "china_ai_claims.errors",
    "DataError": "china_ai_claims.errors",
    "DownloadError": "china_ai_claims.errors",
    "ReleaseDataError": "china_ai_claims.errors",
    "ReleaseError": "china_ai_claims.errors",
    "ReleaseFormatError": "china_ai_claims.errors",
    "ReleaseNotFoundError": "china_ai_claims.errors",
    "UnknownVersionError": "china_ai_claims.errors",
    "UnsafePathError": "china_ai_claims.errors",
    "UnverifiedReleaseError": "china_ai_claims.errors",
    "Dataset": "china_ai_claims.loading",
    "UnknownTableError": "china_ai_claims.loading",
    "describe": "china_ai_claims.metadata",
    "load": "china_ai_claims.loading",
    "load_all": "china_ai_claims.loading",
    "records": "china_ai_claims.loading",
    "tables": "china_ai_claims.loading",
    "validate": "china_ai_claims.validators",
}

__all__ = [
    "ChecksumError",
    "DataError",
    "Dataset",
    "DownloadError",
    "ReleaseDataError",
    "ReleaseError",
    "ReleaseFormatError",
    "ReleaseNotFoundError",
    "UnknownTableError",
    "UnknownVersionError",
    "UnsafePathError",
    "UnverifiedReleaseError",
    "__version__",
    "describe",
    "load",
    "load_all",
    "records",
    "tables",
    "validate",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'china_ai_claims' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
