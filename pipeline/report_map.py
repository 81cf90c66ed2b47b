"""The run report's map: stories per country, drawn from outlines the page carries.

plotly's geographic traces fetch their world geometry from a CDN when the page is
viewed, so this map is plain x/y traces instead: each country's outline (from the
countryinfo package, `transforms.gazetteer.country_outlines`) is a filled polygon
on longitude/latitude axes, one trace per shade, with an invisible marker at the
country's point carrying its name and count for hovering. The page works offline.

Example: on the seeds output, Russia, Syria and the US are the darkest (3 stories).
"""

import functools

import plotly.graph_objects as go

from transforms.gazetteer import country_outlines

# Upper bounds of the shades, as fractions of the largest count; lightest first.
SHADES = ((0.2, "#c6dbef"), (0.4, "#9ecae1"), (0.6, "#6baed6"), (0.8, "#3182bd"), (1.0, "#08519c"))
LAND = "#eeeeee"

STORIES_PER_COUNTRY_SQL = """
SELECT e.country_code, count(DISTINCT a.story_id) AS stories
FROM entities e JOIN articles a USING (article_id)
WHERE e.geonameid IS NOT NULL AND e.country_code IS NOT NULL
GROUP BY e.country_code
"""


@functools.cache
def _outlines() -> dict[str, list[list[list[float]]]]:
    """Each country's outer rings ([[lon, lat], ...]), by ISO alpha-2 code."""
    rings = {}
    for code, geometry in country_outlines().items():
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings[code] = [polygon[0] for polygon in polygons if polygon]
    return rings


def _trace(codes: list[str], color: str, name: str) -> go.Scatter:
    xs, ys = [], []
    for code in codes:
        for ring in _outlines().get(code, []):
            xs += [point[0] for point in ring] + [None]
            ys += [point[1] for point in ring] + [None]
    return go.Scatter(
        x=xs,
        y=ys,
        fill="toself",
        fillcolor=color,
        line={"color": "#ffffff", "width": 0.5},
        mode="lines",
        name=name,
        hoverinfo="skip",
    )


def stories_map(counts: dict[str, int], points: dict[str, tuple[str, float, float]]) -> go.Figure:
    """The map of `counts` (stories by country code); `points`: code -> (name, lat, lon)."""
    top = max(counts.values())
    figure = go.Figure()
    figure.add_trace(_trace(sorted(set(_outlines()) - set(counts)), LAND, "no stories"))
    lower = 0
    for fraction, color in SHADES:
        upper = max(1, round(top * fraction))
        codes = [code for code, n in counts.items() if lower < n <= upper]
        if codes:
            label = f"{lower + 1}-{upper}" if upper > lower + 1 else str(upper)
            figure.add_trace(_trace(codes, color, label))
        lower = upper
    named = [code for code in counts if code in points]
    figure.add_trace(
        go.Scatter(
            x=[points[code][2] for code in named],
            y=[points[code][1] for code in named],
            mode="markers",
            marker={"size": 6, "color": "rgba(0,0,0,0)"},
            text=[f"{points[code][0]}: {counts[code]:,} stories" for code in named],
            hoverinfo="text",
            showlegend=False,
        )
    )
    figure.update_xaxes(range=[-180, 180], visible=False)
    figure.update_yaxes(range=[-60, 85], visible=False, scaleanchor="x", scaleratio=1)
    return figure
