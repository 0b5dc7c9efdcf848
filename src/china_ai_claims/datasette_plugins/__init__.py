"""Datasette plugins that ``browse`` loads with ``--plugins-dir`` (each module is one plugin)."""
