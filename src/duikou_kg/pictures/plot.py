"""The pictures without a browser: ``duikou-kg plot KIND --out FILE.png|svg`` with matplotlib.

Draws from ``load_picture_data`` (the same canned queries and the same grouping as the pages). The map is
points and arcs on a plain longitude/latitude projection (x scaled by cos 35° so China keeps its shape) over
the province outlines of ``geo.outlines`` when installed. Chinese labels need a CJK font (Noto Sans CJK,
Debian's fonts-noto-cjk); without one the plot falls back to English labels and says so.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

from .data import VARIANTS, PictureData, count_by, filter_pairings, network
from .geo import outlines

__all__ = ["FORMATS", "PlotError", "cjk_font", "render"]

FORMATS = ("png", "svg")
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC",
              "SimHei", "PingFang SC", "Microsoft YaHei")
_X_SCALE = math.cos(math.radians(35))

TITLES = {
    "map": {"en": "Pairings of counterpart support", "zh": "对口支援结对关系"},
    "network": {"en": "Network of the pairings", "zh": "结对关系网络"},
    "timeline": {"en": "Programs, events and pairings over time", "zh": "项目、事件与结对关系时间线"},
    "program": {"en": "Pairings per program", "zh": "各项目结对数"},
    "variant": {"en": "Pairings per variant", "zh": "各类型结对数"},
    "sector": {"en": "Pairings per sector", "zh": "各领域结对数"},
    "decade": {"en": "Pairings per decade of the start year", "zh": "按起始年代的结对数"},
}


class PlotError(ValueError):
    """Something the user can fix: an unknown kind, a file name without .png or .svg."""


def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, if any."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in installed), None)


def _setup(lang: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "path"  # text as outlines: the SVG shows the same without fonts
    matplotlib.rcParams["svg.hashsalt"] = "duikou-kg"  # stable ids, reproducible files
    if lang == "zh":
        font = cjk_font()
        if font is None:
            raise PlotError("no Chinese font installed (install fonts-noto-cjk) for --lang zh")
        matplotlib.rcParams["font.sans-serif"] = [font, *matplotlib.rcParams["font.sans-serif"]]


def render(kind: str, data: PictureData, out: Path, *, variant: str | None = None, program: str | None = None,
           sector: str | None = None, year: int | None = None) -> dict[str, Any]:
    """Draw ``kind`` of the filtered pairings into ``out`` (PNG or SVG by its suffix); returns what was drawn."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise PlotError(f"--out must end in .png or .svg, got {out.name!r}")
    if kind not in TITLES:
        raise PlotError(f"unknown picture {kind!r}; use one of {', '.join(TITLES)}")
    if variant is not None and variant not in VARIANTS:
        raise PlotError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    _setup(data.lang)
    import matplotlib.pyplot as plt

    pairings = filter_pairings(data.pairings, variant=variant, program=program, sector=sector, year=year)
    title = TITLES[kind][data.lang]
    if year is not None:
        title += f" · {year}"
    fig = plt.figure(figsize=(12, 8.5) if kind in ("map", "network", "timeline") else (10, 6.5), dpi=120)
    try:
        ax = fig.add_subplot()
        if kind == "map":
            drawn = _map(ax, pairings, data)
        elif kind == "network":
            drawn = _network(ax, pairings, data)
        elif kind == "timeline":
            drawn = _timeline(ax, pairings, data, program)
        else:
            drawn = _bars(ax, pairings, data, kind)
        ax.set_title(title)
        fig.tight_layout()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing glyph warnings are reported by cjk_font instead
            fig.savefig(out, format=suffix)
    finally:
        plt.close(fig)
    return {"kind": kind, "pairings": len(pairings), **drawn}


def _variant_label(data: PictureData, key: str) -> str:
    return data.label_of("variant", key)


def _map(ax: Any, pairings: list, data: PictureData) -> dict[str, Any]:
    from matplotlib.path import Path as MPath
    from matplotlib.patches import PathPatch, Polygon

    shapes = outlines()
    if shapes:
        for rings in shapes.values():
            for ring in rings:
                ax.add_patch(Polygon([(x * _X_SCALE, y) for x, y in ring], closed=True, facecolor="#f3efe6",
                                     edgecolor="#b9ae9c", linewidth=0.4, zorder=1))
    placed = [p for p in pairings if p.supporter_point and p.recipient_point]
    for key, spec in VARIANTS.items():
        first = True
        for p in placed:
            if p.variant != key:
                continue
            (x0, y0), (x1, y1) = p.supporter_point, p.recipient_point
            x0, x1 = x0 * _X_SCALE, x1 * _X_SCALE
            # A quadratic Bézier arc bending to the left of supporter → recipient.
            mx, my = (x0 + x1) / 2 - (y1 - y0) * 0.2, (y0 + y1) / 2 + (x1 - x0) * 0.2
            path = MPath([(x0, y0), (mx, my), (x1, y1)], [MPath.MOVETO, MPath.CURVE3, MPath.CURVE3])
            ax.add_patch(PathPatch(path, facecolor="none", edgecolor=spec["color"], linewidth=0.8, alpha=0.6,
                                   zorder=2, label=_variant_label(data, key) if first else None))
            first = False
    points: dict[tuple[float, float], int] = {}
    for p in placed:
        for point in (p.supporter_point, p.recipient_point):
            points[point] = points.get(point, 0) + 1
    if points:
        ax.scatter([x * _X_SCALE for x, _ in points], [y for _, y in points],
                   s=[8 + 6 * math.sqrt(n) for n in points.values()], color="#333", zorder=3, linewidths=0)
    ax.set_xlim(72 * _X_SCALE, 136 * _X_SCALE)
    ax.set_ylim(17, 54.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if placed:
        ax.legend(loc="lower left", fontsize=9)
    unplaced = len(pairings) - len(placed)
    note = {"en": f"{len(placed)} pairings drawn; {unplaced} without coordinates not drawn",
            "zh": f"绘出 {len(placed)} 个结对；{unplaced} 个无坐标未绘出"}[data.lang]
    ax.text(0.99, 0.01, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="#555")
    return {"arcs": len(placed), "places": len(points), "outlines": bool(shapes)}


def _layout(nodes: list, edges: list, iterations: int = 200) -> dict[str, tuple[float, float]]:
    """A deterministic Fruchterman–Reingold layout (numpy; no random seed involved)."""
    import numpy as np

    n = len(nodes)
    if n == 0:
        return {}
    index = {node["id"]: i for i, node in enumerate(nodes)}
    angles = np.arange(n) * 2.399963  # golden-angle spiral as the start
    radius = np.sqrt(np.arange(n) + 0.5)
    pos = np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])
    pairs = np.array([(index[e["source"]], index[e["target"]]) for e in edges], dtype=int).reshape(-1, 2)
    k = math.sqrt(4.0 * n / n)
    temperature = math.sqrt(n)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 0.01)
        force = (delta / dist[..., None] * (k * k / dist)[..., None]).sum(axis=1)
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            length = np.maximum(np.linalg.norm(d, axis=1), 0.01)
            pull = d * (length / k)[:, None]
            np.add.at(force, pairs[:, 0], -pull)
            np.add.at(force, pairs[:, 1], pull)
        force -= pos * 1.0  # gravity keeps separate components near the big one
        step = np.linalg.norm(force, axis=1)
        pos += force / np.maximum(step, 0.01)[:, None] * np.minimum(step, temperature)[:, None]
        temperature *= 0.97
    return {node["id"]: (float(pos[i, 0]), float(pos[i, 1])) for i, node in enumerate(nodes)}


def _network(ax: Any, pairings: list, data: PictureData) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    nodes, edges = network(pairings)
    pos = _layout(nodes, edges)
    programs = [key for key, _ in count_by(pairings, "program")]
    cmap = plt.get_cmap("tab20")
    colour = {key: cmap(i % 20) for i, key in enumerate(programs)}
    for e in edges:
        (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
        ax.plot([x0, x1], [y0, y1], color=VARIANTS[e["variant"]]["color"], linewidth=0.5, alpha=0.5, zorder=1)
    for key in programs:
        group = [n for n in nodes if n["program"] == key]
        if group:
            ax.scatter([pos[n["id"]][0] for n in group], [pos[n["id"]][1] for n in group],
                       s=[10 + 14 * n["pairings"] for n in group], color=colour[key], zorder=2,
                       edgecolors="white", linewidths=0.4, label=data.label_of("program", key))
    for n in nodes:
        if n["pairings"] >= 6:
            x, y = pos[n["id"]]
            ax.annotate(n["label"], (x, y), fontsize=7, xytext=(4, 3), textcoords="offset points", zorder=3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    if nodes:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, markerscale=0.5, frameon=False)
    return {"nodes": len(nodes), "edges": len(edges)}


def _timeline(ax: Any, pairings: list, data: PictureData, program: str | None) -> dict[str, Any]:
    rows = [key for key, _ in count_by(pairings, "program")]
    spans = {}
    for key in rows:
        years = [p.start_year for p in pairings if (p.program or "") == key and p.start_year is not None]
        spans[key] = (min(years), max(years)) if years else None
    rows.sort(key=lambda k: (spans[k] is None, spans[k] or (0, 0)))
    row_of = {key: i + 1 for i, key in enumerate(rows)}
    for key, span in spans.items():
        if span:
            ax.barh(row_of[key], span[1] - span[0] + 0.8, left=span[0] - 0.4, height=0.35, color="#d5c4b0", zorder=1)
    seen: dict[tuple[str, int], int] = {}
    dots = 0
    for p in pairings:
        if p.start_year is None:
            continue
        key = (p.program or "", p.start_year)
        seen[key] = seen.get(key, 0) + 1
        jitter = ((seen[key] * 0.618) % 1 - 0.5) * 0.6
        ax.scatter(p.start_year, row_of[p.program or ""] + jitter, s=12, color=VARIANTS[p.variant]["color"],
                   alpha=0.8, zorder=2, linewidths=0)
        dots += 1
    events = [e for e in data.events if not program or e.program == program
              or (e.program or "").rsplit("/", 1)[-1] == program]
    for i, e in enumerate(events):
        row = row_of.get(e.program or "", 0)
        ax.scatter(e.year, row - 0.32 if row else ((i * 0.618) % 1 - 0.5) * 0.5, marker="D", s=28,
                   color="#f0b429", edgecolors="#7a5300", linewidths=0.6, zorder=3)
    ax.set_yticks(range(len(rows) + 1))
    ax.set_yticklabels([{"en": "Meetings and documents", "zh": "会议与文件"}[data.lang]]
                       + [data.label_of("program", k) for k in rows], fontsize=8)
    ax.set_ylim(len(rows) + 0.7, -0.7)
    ax.grid(axis="x", color="#eee")
    return {"points": dots, "events": len(events), "rows": len(rows)}


def _bars(ax: Any, pairings: list, data: PictureData, kind: str) -> dict[str, Any]:
    counts = count_by(pairings, kind)
    labels = [data.label_of(kind, key) for key, _ in counts]
    values = [n for _, n in counts]
    colours = [VARIANTS[key]["color"] if kind == "variant" else "#8b1a1a" if kind == "decade" else "#5d6d7e"
               for key, _ in counts]
    if kind in ("program", "sector"):
        bars = ax.barh(range(len(values)), values, color=colours)
        ax.set_yticks(range(len(values)))
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
    else:
        bars = ax.bar(range(len(values)), values, color=colours)
        ax.set_xticks(range(len(values)))
        ax.set_xticklabels(labels, fontsize=9)
    ax.bar_label(bars, fontsize=8)
    return {"bars": len(values)}
