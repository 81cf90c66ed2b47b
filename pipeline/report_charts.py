"""The charts of `dateline report`: one DuckDB query and one plotly figure each.

Every chart is a `Chart` (title, a sentence saying what it shows, a figure or
None when its query found nothing); `build_page` puts them into one HTML page
with plotly's JavaScript embedded once, so the page needs no network to view.
No geographic traces (plotly fetches their world map from a CDN when viewed): the
map of stories per country draws outlines the page carries (pipeline/report_map.py).

Example: `charts(sql.open_dataset("out"))[0]` is the articles-per-day chart of
the dataset in `out/`.
"""

import dataclasses
import html

import duckdb
import plotly.graph_objects as go
import plotly.io as pio

from pipeline.report_map import STORIES_PER_COUNTRY_SQL, stories_map
from transforms.gazetteer import load_gazetteer

TOP = 15
TOP_OVER_TIME = 6
LABELS = (("PERSON", "people"), ("ORG", "organisations"), ("GPE", "places"))
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str
    title: str
    about: str
    figure: go.Figure | None
    empty: str = "Nothing to show yet."


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _columns(rows: list[tuple]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else []


def _layout(figure: go.Figure, height: int = 380, **extra) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT, "size": 12},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15},
        **extra,
    )
    return figure


def _ranked_bars(names: list[str], values: list[int], axis: str) -> go.Figure:
    """Horizontal bars, the largest on top."""
    figure = go.Figure(go.Bar(x=values[::-1], y=names[::-1], orientation="h"))
    figure.update_xaxes(title=axis)
    figure.update_yaxes(automargin=True)
    return _layout(figure, height=max(240, 24 * len(names) + 60))


def articles_per_day(con) -> Chart:
    rows = _rows(
        con,
        "SELECT date, count(*), count(DISTINCT story_id) FROM articles"
        " WHERE date IS NOT NULL GROUP BY date ORDER BY date",
    )
    figure = None
    if rows:
        days, articles, stories = _columns(rows)
        figure = go.Figure(
            [
                go.Bar(x=days, y=articles, name="articles"),
                go.Scatter(x=days, y=stories, name="stories", mode="lines+markers"),
            ]
        )
        figure.update_yaxes(title="per day")
        figure = _layout(figure)
    return Chart(
        "per-day",
        "Articles per day",
        "Articles by publication date, and distinct stories (versions of one story count once).",
        figure,
        "No article has a publication date.",
    )


def articles_per(con, column: str, plural: str, unnest: bool = False) -> Chart:
    source = f"articles, unnest(agencies) AS t({column})" if unnest else "articles"
    rows = _rows(
        con,
        f"SELECT {column}, count(*) AS n FROM {source} WHERE {column} IS NOT NULL"
        f" GROUP BY {column} ORDER BY n DESC, {column} LIMIT {TOP}",
    )
    figure = _ranked_bars(*_columns(rows), "articles") if rows else None
    return Chart(
        f"per-{column}",
        f"Articles per {column}",
        f"The {TOP} {plural} with the most articles.",
        figure,
        f"No article names {'an' if column[0] in 'aeiou' else 'a'} {column}.",
    )


def _top_entities_sql(label: str, limit: int) -> str:
    """Entities of one label by articles; people by `person_id`, counting a person once."""
    if label == "PERSON":
        return (
            "SELECT person_id AS id, min(person_name) AS name, count(DISTINCT article_id) AS n"
            f" FROM people GROUP BY person_id ORDER BY n DESC, name LIMIT {limit}"
        )
    return (
        "SELECT entity_id AS id, min(name) AS name, count(DISTINCT article_id) AS n"
        f" FROM entities WHERE label = '{label}' GROUP BY entity_id"
        f" ORDER BY n DESC, name LIMIT {limit}"
    )


def top_entities(con, label: str, plural: str) -> Chart:
    rows = _rows(con, _top_entities_sql(label, TOP))
    figure = _ranked_bars([r[1] for r in rows], [r[2] for r in rows], "articles") if rows else None
    return Chart(
        f"top-{plural}",
        f"Top {plural}",
        f"The {TOP} {plural} ({label}) named in the most articles.",
        figure,
        f"No {plural} found.",
    )


def people_together(con) -> Chart:
    rows = _rows(
        con,
        f"""
        WITH top AS ({_top_entities_sql("PERSON", TOP)}),
        seen AS (SELECT DISTINCT person_id, article_id FROM people
                 WHERE person_id IN (SELECT id FROM top))
        SELECT a.name, b.name, count(s2.article_id)
        FROM top a CROSS JOIN top b
        LEFT JOIN seen s1 ON s1.person_id = a.id
        LEFT JOIN seen s2 ON s2.person_id = b.id AND s2.article_id = s1.article_id
        GROUP BY a.name, b.name, a.n, b.n
        ORDER BY a.n DESC, a.name, b.n DESC, b.name
        """,
    )
    figure = None
    names = list(dict.fromkeys(row[0] for row in rows))
    if len(names) > 1:
        together = {(a, b): n for a, b, n in rows}
        cells = [[together[(a, b)] if a != b else None for b in names] for a in names]
        figure = go.Figure(
            go.Heatmap(
                z=cells,
                x=names,
                y=names,
                colorscale="Blues",
                hovertemplate="%{y} and %{x}: %{z} articles<extra></extra>",
                colorbar={"title": "articles"},
            )
        )
        figure.update_yaxes(autorange="reversed", automargin=True)
        figure.update_xaxes(automargin=True, tickangle=-45)
        figure = _layout(figure, height=max(360, 28 * len(names) + 140))
    return Chart(
        "together",
        "Who appears with whom",
        "Articles that name both people, for the most-named people.",
        figure,
        "Fewer than two people found.",
    )


def mentions_over_time(con) -> Chart:
    span = _rows(con, "SELECT max(date) - min(date) FROM entities WHERE date IS NOT NULL")[0][0]
    unit = (
        "day"
        if span is not None and span <= 92
        else "week"
        if span is not None and span <= 730
        else "month"
    )
    rows = _rows(
        con,
        f"""
        WITH top AS (
            SELECT entity_id, min(name) AS name, sum(mention_count) AS total FROM entities
            WHERE label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP') AND date IS NOT NULL
            GROUP BY entity_id ORDER BY total DESC, name LIMIT {TOP_OVER_TIME})
        SELECT top.name, CAST(date_trunc('{unit}', e.date) AS DATE) AS period,
               sum(e.mention_count) AS mentions
        FROM entities e JOIN top USING (entity_id)
        GROUP BY top.name, top.total, period ORDER BY top.total DESC, top.name, period
        """,
    )
    figure = None
    if rows:
        figure = go.Figure()
        for name in dict.fromkeys(row[0] for row in rows):
            points = [row for row in rows if row[0] == name]
            figure.add_trace(
                go.Scatter(
                    x=[p[1] for p in points],
                    y=[p[2] for p in points],
                    name=name,
                    mode="lines+markers",
                )
            )
        figure.update_yaxes(title=f"mentions per {unit}")
        figure = _layout(figure)
    return Chart(
        "over-time",
        "Mentions over time",
        f"Mentions per {unit} of the {TOP_OVER_TIME} most-mentioned people, organisations, places.",
        figure,
        "No dated mentions.",
    )


def errors_by_stage(con) -> Chart:
    rows = _rows(
        con,
        "SELECT stage, error_class, count(*) FROM errors GROUP BY ALL ORDER BY stage, error_class",
    )
    figure = None
    if rows:
        stages = list(dict.fromkeys(row[0] for row in rows))
        figure = go.Figure()
        for reason in sorted({row[1] for row in rows}):
            counts = {row[0]: row[2] for row in rows if row[1] == reason}
            figure.add_trace(go.Bar(x=stages, y=[counts.get(s, 0) for s in stages], name=reason))
        figure.update_layout(barmode="stack", bargap=0.6)
        figure.update_yaxes(title="inputs")
        figure = _layout(figure)
    return Chart(
        "errors",
        "Errors by stage and reason",
        "Inputs that became rows of the errors table, by the stage that failed and the reason.",
        figure,
        "No errors: every input became an article.",
    )


def stories_per_country(con) -> Chart:
    counts = dict(_rows(con, STORIES_PER_COUNTRY_SQL))
    figure = None
    if counts:
        gazetteer = load_gazetteer()
        points = {}
        for code in counts:
            country = gazetteer.country(code)
            if country is not None:
                points[code] = (country.name, country.latitude, country.longitude)
        figure = _layout(stories_map(counts, points), height=460)
    return Chart(
        "stories-per-country",
        "Stories per country",
        "Distinct stories that name a place in each country (resolved toponyms).",
        figure,
        "No place in these articles was resolved to a country.",
    )


def charts(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    return [
        articles_per_day(con),
        stories_per_country(con),
        articles_per(con, "agency", "agencies", unnest=True),
        articles_per(con, "place", "places (datelines)"),
        *(top_entities(con, label, plural) for label, plural in LABELS),
        people_together(con),
        mentions_over_time(con),
        errors_by_stage(con),
    ]


TOTALS_SQL = """
SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT story_id) FROM articles),
       (SELECT count(*) FROM errors), (SELECT count(DISTINCT entity_id) FROM entities),
       (SELECT min(date) FROM articles), (SELECT max(date) FROM articles),
       (SELECT count(*) FROM articles WHERE date IS NULL)
"""


def totals(con) -> list[tuple[str, str]]:
    articles, stories, errors, entities, first, last, undated = _rows(con, TOTALS_SQL)[0]
    span = f"{first} to {last}" if first else "no dates"
    return [
        ("articles", f"{articles:,}"),
        ("stories", f"{stories:,}"),
        ("errors", f"{errors:,}"),
        ("distinct entities", f"{entities:,}"),
        ("published", span + (f" ({undated:,} undated)" if undated else "")),
    ]


STYLE = f"""
body {{ font-family: {FONT}; margin: 0 auto; max-width: 1200px; padding: 24px; color: #1d2733; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }} h2 {{ font-size: 18px; margin: 28px 0 2px; }}
.about, .source {{ color: #5b6b7b; margin: 0 0 8px; }}
.totals {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; }}
.totals li {{ list-style: none; background: #f2f5f8; border-radius: 6px; padding: 8px 14px; }}
.totals b {{ display: block; font-size: 20px; }}
.empty {{ background: #f7f7f7; border-radius: 6px; padding: 16px; color: #5b6b7b; }}
"""


def build_page(
    title: str, source: str, facts: list[tuple[str, str]], page_charts: list[Chart]
) -> str:
    """One self-contained HTML page; plotly's JavaScript is embedded with the first figure."""
    parts = []
    embedded = False
    for chart in page_charts:
        if chart.figure is None:
            body = f'<p class="empty">{html.escape(chart.empty)}</p>'
        else:
            body = pio.to_html(
                chart.figure,
                full_html=False,
                include_plotlyjs=not embedded,
                div_id=f"chart-{chart.key}",
                config={"displaylogo": False, "responsive": True},
            )
            embedded = True
        parts.append(
            f'<section class="chart" data-chart="{chart.key}"'
            f' data-drawn="{str(chart.figure is not None).lower()}">'
            f"<h2>{html.escape(chart.title)}</h2>"
            f'<p class="about">{html.escape(chart.about)}</p>{body}</section>'
        )
    items = "".join(
        f"<li><b>{html.escape(value)}</b>{html.escape(name)}</li>" for name, value in facts
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="source">{html.escape(source)}</p>'
        f'<ul class="totals">{items}</ul>{"".join(parts)}</body></html>\n'
    )
