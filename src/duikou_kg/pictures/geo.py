"""Province outlines for the map: ``map/json/china.json`` of Apache ECharts 4.9.0 (Apache-2.0).

``scripts/setup.sh`` installs it from the npm registry (``frontend/package.json``, alias ``echarts-4-maps``)
and copies it to ``web/static/vendor/echarts/china.json``, where the map page fetches it too. The file is
GeoJSON with ECharts' compact coordinate encoding (``"UTF8Encoding": true``); ``outlines`` decodes it the way
ECharts does (``decodeRing`` in ECharts' ``parseGeoJson``). Without the file, maps are drawn without outlines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["CHINA_GEOJSON", "decode_ring", "outlines"]

#: Where setup.sh puts the outlines (git ignores the vendor folder).
CHINA_GEOJSON = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "echarts" / "china.json"

Ring = list[tuple[float, float]]


def decode_ring(text: str, offsets: list[int], scale: float = 1024) -> Ring:
    """One ring of ECharts' encoding: zigzag-encoded deltas, two characters per point, from ``offsets``."""
    points: Ring = []
    x, y = offsets[0], offsets[1]
    for i in range(0, len(text) - 1, 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / scale, y / scale))
    return points


def _rings(geometry: dict[str, Any], encoded: bool, scale: float) -> list[Ring]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    offsets = geometry.get("encodeOffsets")
    if kind == "Polygon" and offsets is not None:
        offsets = [offsets]
    out: list[Ring] = []
    for i, polygon in enumerate(polygons):
        for j, ring in enumerate(polygon):
            if encoded and isinstance(ring, str) and offsets is not None:
                out.append(decode_ring(ring, offsets[i][j], scale))
            elif not isinstance(ring, str):
                out.append([(float(p[0]), float(p[1])) for p in ring])
    return out


def outlines(path: Path | None = None) -> dict[str, list[Ring]] | None:
    """Rings (lists of (long, lat)) per province name, or None when the file is not installed."""
    path = path or CHINA_GEOJSON
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    encoded = bool(data.get("UTF8Encoding"))
    scale = float(data.get("UTF8Scale") or 1024)
    out: dict[str, list[Ring]] = {}
    for feature in data.get("features", []):
        name = (feature.get("properties") or {}).get("name") or str(feature.get("id", ""))
        out.setdefault(name, []).extend(_rings(feature.get("geometry") or {}, encoded, scale))
    return out
