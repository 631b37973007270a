"""The picture pages: ``/map``, ``/network``, ``/timeline``, ``/charts``, and ``/pictures/sparql/<name>.rq``.

Each page is an HTML shell with a JSON configuration block (``#pictures-config``): the canned-query URLs it
draws from (``/api/queries/<name>.json``), the texts in the page's language and the variant colours. All
behaviour lives in ``static/pictures/*.js`` (no inline script; the pages send a Content-Security-Policy
without ``unsafe-inline`` for scripts). The drawing library is Apache ECharts, installed from the npm
registry by ``scripts/setup.sh`` into ``static/vendor/echarts/`` with the province outlines (``china.json``).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, render_template, request, url_for

from ..errors import ApiError
from ..pictures.data import EVENTS_QUERY, OVERVIEW_QUERY, VARIANTS
from .api import canned_state

__all__ = ["PAGES", "TEXTS", "bp", "register_pictures"]

bp = Blueprint("pictures", __name__, template_folder="templates")

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_FILES = ("vendor/echarts/echarts.min.js",)
OUTLINES_FILE = "vendor/echarts/china.json"

#: page name → the canned queries it draws from.
PAGES: dict[str, tuple[str, ...]] = {
    "map": (OVERVIEW_QUERY,),
    "network": (OVERVIEW_QUERY,),
    "timeline": (OVERVIEW_QUERY, EVENTS_QUERY),
    "charts": (OVERVIEW_QUERY,),
}

#: Every text of the pages and their scripts, in both languages.
TEXTS: dict[str, dict[str, str]] = {
    "map": {"en": "Map", "zh": "地图"},
    "network": {"en": "Network", "zh": "网络图"},
    "timeline": {"en": "Timeline", "zh": "时间线"},
    "charts": {"en": "Charts", "zh": "统计图"},
    "map_title": {"en": "Map of the pairings", "zh": "结对关系地图"},
    "network_title": {"en": "Network of the pairings", "zh": "结对关系网络图"},
    "timeline_title": {"en": "Programs, events and pairings over time", "zh": "项目、事件与结对关系时间线"},
    "charts_title": {"en": "Pairings in numbers", "zh": "结对关系统计"},
    "map_intro": {"en": "Arcs run from supporter to recipient (for counterpart cooperation between the two partners), "
                        "coloured by variant. Counties are drawn at their prefecture or province. Click a place to open its page.",
                  "zh": "弧线由支援方指向受援方（对口合作连接两个合作方），颜色表示结对类型。县级单位画在其所属地级或省级单位处。点击地点可打开其页面。"},
    "network_intro": {"en": "Actors sized by their number of pairings and coloured by the program most of them belong to; "
                            "edges are pairings. Click a node to open its page.",
                      "zh": "节点为主体，大小表示结对数，颜色表示其多数结对所属的项目；连线为结对关系。点击节点可打开其页面。"},
    "timeline_intro": {"en": "Bars span the first to the last start year of each program; dots are pairings by start year, "
                             "diamonds are meetings and documents. Click any of them to open its page.",
                       "zh": "横条为各项目结对最早至最晚的起始年份；圆点为按起始年份排列的结对关系，菱形为会议与文件。点击可打开其页面。"},
    "charts_intro": {"en": "Pairings per program, variant, sector and decade of the start year.",
                     "zh": "按项目、类型、领域与起始年代统计的结对数。"},
    "per_program": {"en": "Pairings per program", "zh": "各项目结对数"},
    "per_variant": {"en": "Pairings per variant", "zh": "各类型结对数"},
    "per_sector": {"en": "Pairings per sector", "zh": "各领域结对数"},
    "per_decade": {"en": "Pairings per decade of the start year", "zh": "按起始年代的结对数"},
    "variant": {"en": "Variant", "zh": "类型"},
    "program": {"en": "Program", "zh": "项目"},
    "sector": {"en": "Sector", "zh": "领域"},
    "decade": {"en": "Decade", "zh": "年代"},
    "year": {"en": "Year", "zh": "年份"},
    "all": {"en": "All", "zh": "全部"},
    "all_years": {"en": "All years", "zh": "全部年份"},
    "in_force": {"en": "In force in", "zh": "有效年份"},
    "play": {"en": "Play", "zh": "播放"},
    "pause": {"en": "Pause", "zh": "暂停"},
    "search": {"en": "Search", "zh": "搜索"},
    "search_placeholder": {"en": "Name, e.g. Shanghai", "zh": "名称，如 上海"},
    "supporter": {"en": "Supporter", "zh": "支援方"},
    "recipient": {"en": "Recipient", "zh": "受援方"},
    "place": {"en": "Place", "zh": "地点"},
    "pairings": {"en": "pairings", "zh": "结对数"},
    "events": {"en": "Meetings and documents", "zh": "会议与文件"},
    "none": {"en": "not stated", "zh": "未注明"},
    "shown": {"en": "Shown", "zh": "显示"},
    "unplaced": {"en": "without coordinates, not drawn", "zh": "无坐标，未绘出"},
    "matches": {"en": "matches", "zh": "个匹配"},
    "show_sparql": {"en": "Show the SPARQL", "zh": "查看 SPARQL"},
    "in_editor": {"en": "in the editor", "zh": "在编辑器中打开"},
    "data": {"en": "data", "zh": "数据"},
    "loading": {"en": "Loading…", "zh": "加载中…"},
    "load_failed": {"en": "The data could not be loaded", "zh": "数据加载失败"},
    "assets_missing": {"en": "The drawing library is missing; run scripts/setup.sh.",
                       "zh": "绘图库文件缺失，请运行 scripts/setup.sh。"},
    "no_outlines": {"en": "Province outlines are not installed (run scripts/setup.sh): points and arcs only.",
                    "zh": "省界数据未安装（请运行 scripts/setup.sh），仅绘制点与弧线。"},
}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'")


def _lang() -> str:
    lang = request.args.get("lang")
    if lang in ("en", "zh"):
        return lang
    return request.accept_languages.best_match(["en", "zh"], default="en")


def _query_links(name: str, lang: str) -> dict[str, str]:
    root = request.script_root
    return {
        "name": name,
        "data": f"{root}/api/queries/{name}.json?lang={lang}",
        "html": f"{root}/api/queries/{name}.html?lang={lang}",
        "rq": url_for("pictures.sparql_text", name=name),
        "editor": url_for("canned_editor.editor", example=name, lang=lang),
    }


def _render(page: str) -> Response:
    lang = _lang()
    catalog = canned_state().catalog
    queries = [_query_links(name, lang) for name in PAGES[page] if name in catalog]
    missing = [name for name in VENDOR_FILES if not (STATIC_DIR / name).is_file()]
    config = {
        "page": page,
        "lang": lang,
        "root": request.script_root,
        "publicBase": canned_state().settings.public_base,
        "queries": {q["name"]: q["data"] for q in queries},
        "outlines": url_for("canned_editor.static", filename=OUTLINES_FILE)
        if (STATIC_DIR / OUTLINES_FILE).is_file() else None,
        "variants": {key: {"iri": v["iri"], "color": v["color"]} for key, v in VARIANTS.items()},
        "variantOrder": list(VARIANTS),
        "firstYear": 1979,
        "thisYear": datetime.date.today().year,
        "texts": {key: value[lang] for key, value in TEXTS.items()},
    }
    other = "en" if lang == "zh" else "zh"
    body = render_template(f"pictures/{page}.html", page=page, lang=lang, t=config["texts"], config=config,
                           queries=queries, missing=missing, pages=list(PAGES),
                           switch_url=url_for(f"pictures.{page}_page", lang=other), other_lang=other)
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.vary.add("Accept-Language")
    return response


@bp.get("/map")
def map_page() -> Response:
    return _render("map")


@bp.get("/network")
def network_page() -> Response:
    return _render("network")


@bp.get("/timeline")
def timeline_page() -> Response:
    return _render("timeline")


@bp.get("/charts")
def charts_page() -> Response:
    return _render("charts")


@bp.get("/pictures/sparql/<name>.rq")
def sparql_text(name: str) -> Response:
    """The text of a canned query the pictures use, as the ``.rq`` file holds it."""
    query = canned_state().catalog.get(name)
    if query is None or not any(name in names for names in PAGES.values()):
        raise ApiError(404, "not_found", f"no query named '{name}' behind a picture; see /api/queries")
    # Plain text so that browsers show it; the same text is /api/queries and the editor's example.
    return Response(query.text, mimetype="text/plain")


def register_pictures(app: Flask) -> None:
    app.register_blueprint(bp)
