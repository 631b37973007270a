"""Pictures of the pairing system: map, network, timeline and charts.

- ``data``: the rows of the canned queries the pictures draw from (``pairing-overview``, ``events-timeline``),
  read through ``duikou_kg.canned`` exactly as the API reads them, grouped into pairings and
  counted; the variant colours the browser pages share
- ``geo``: the province outlines (Apache ECharts' ``china.json``, installed by ``scripts/setup.sh``)
- ``plot``: the same pictures as PNG or SVG with matplotlib, for ``duikou-kg plot``

The browser pages live in ``duikou_kg.web.pictures`` and draw the same rows with ECharts.
"""

from __future__ import annotations

from .data import KINDS, VARIANTS, Pairing, PictureData, load_picture_data

__all__ = ["KINDS", "VARIANTS", "Pairing", "PictureData", "load_picture_data"]
