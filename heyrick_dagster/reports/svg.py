"""Charts as inline SVG, written here: no charting library, no script, no font, no tile.

Why our own renderer: the reports are opened in secure environments without internet
access, and every charting library for the browser is JavaScript (loaded from a CDN or
inlined by the megabyte), while the Python ones (matplotlib, altair) either add a heavy
dependency or emit script. Heyrick needs five kinds of chart, all points, lines and
rectangles on linear scales, which a few hundred lines draw exactly and testably.

Every function returns one `<svg>` element as a string, sized by its `viewBox` so that it
scales with the page (the CSS of the report sets its width). Text from data is escaped.
Each chart carries a `<title>` (its name for screen readers, with `role="img"`) and each
mark its own `<title>`, which browsers show as a tooltip: the reader can read a point's
exact value without any script.

Values a caller must not show (suppressed small counts) are never passed in as numbers:
the charts take `hidden` positions instead and draw them in their own strip or marker,
labelled as suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Viridis at nine stops: perceptually uniform and legible to the colour-blind and in grey.
_VIRIDIS = (
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
)
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
ACCENT = "#c2410c"
HIDDEN_FILL = "#ffffff"
NO_DATA_FILL = "#cbd2d9"
FONT_SIZE = 12


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a label: whole numbers as such, others with `digits` significant
    figures (never fewer decimals than that needs, never rounding the integer part),
    thousands separated."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if value == round(value):
        return f"{round(value):,}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def colour(t: float) -> str:
    """Viridis at `t` in [0, 1] (dark purple to yellow), as #rrggbb."""
    t = min(1.0, max(0.0, t))
    position = t * (len(_VIRIDIS) - 1)
    low = int(math.floor(position))
    high = min(low + 1, len(_VIRIDIS) - 1)
    frac = position - low
    rgb = (round(a + (b - a) * frac) for a, b in zip(_VIRIDIS[low], _VIRIDIS[high], strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@dataclass(frozen=True)
class Scale:
    """A linear map from a data interval to a pixel interval."""

    domain: tuple[float, float]
    pixels: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (p0, p1) = self.domain, self.pixels
        if d1 == d0:
            return (p0 + p1) / 2
        return p0 + (value - d0) * (p1 - p0) / (d1 - d0)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high == low:
        return [low]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    return [round(first + k * step, 12) for k in range(round((last - first) / step) + 1)]


def padded_domain(values: Sequence[float], include_zero: bool = False) -> tuple[float, float]:
    """The nice-tick range that covers `values` (and 0 when asked)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if include_zero:
        finite.append(0.0)
    if not finite:
        return (0.0, 1.0)
    low, high = min(finite), max(finite)
    if low == high:
        low, high = low - 1, high + 1
    ticks = nice_ticks(low, high)
    return (min(ticks[0], low), max(ticks[-1], high))


def _text_width(content: str) -> float:
    """Rough width of `content` at FONT_SIZE in a sans-serif face (no font metrics offline:
    0.6 em a character errs on the wide side)."""
    return 0.6 * FONT_SIZE * len(content)


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _svg(width: int, height: int, title: str, body: list[str], desc: str = "") -> str:
    description = f"<desc>{escape(desc)}</desc>" if desc else ""
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-size="{FONT_SIZE}" fill="{INK}">'
        f"<title>{escape(title)}</title>{description}{''.join(body)}</svg>"
    )


@dataclass(frozen=True)
class _Plot:
    """The plotting rectangle of a chart with axes, and its two scales."""

    left: float
    top: float
    right: float
    bottom: float
    x: Scale
    y: Scale


def _axes(
    plot: _Plot,
    x_ticks: Sequence[float],
    y_ticks: Sequence[float],
    x_label: str,
    y_label: str,
) -> list[str]:
    out = []
    for tick in y_ticks:
        y = plot.y(tick)
        out.append(
            f'<line x1="{plot.left:.1f}" x2="{plot.right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/>'
        )
        out.append(_text(plot.left - 6, y + 4, fmt(tick), text_anchor="end", fill=MUTED))
    for tick in x_ticks:
        x = plot.x(tick)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{plot.bottom:.1f}" y2="{plot.bottom + 4:.1f}" '
            f'stroke="{MUTED}"/>'
        )
        out.append(_text(x, plot.bottom + 17, fmt(tick), text_anchor="middle", fill=MUTED))
    out.append(
        f'<line x1="{plot.left:.1f}" x2="{plot.right:.1f}" y1="{plot.bottom:.1f}" '
        f'y2="{plot.bottom:.1f}" stroke="{MUTED}"/>'
    )
    centre_x = (plot.left + plot.right) / 2
    out.append(_text(centre_x, plot.bottom + 34, x_label, text_anchor="middle"))
    centre_y = (plot.top + plot.bottom) / 2
    out.append(
        f'<text transform="translate(14 {centre_y:.1f}) rotate(-90)" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    return out


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the mark's tooltip
    highlight: bool = False


Overlay = Callable[[_Plot], list[str]]


def scatter(
    points: Sequence[Point],
    title: str,
    x_label: str,
    y_label: str,
    hidden_x: Sequence[float] = (),
    hidden_label: str = "suppressed",
    overlay: Overlay | None = None,
    extra_y: Sequence[float] = (),
    width: int = 520,
    height: int = 340,
) -> str:
    """Points on linear axes. `hidden_x`: the x of points whose y must not be shown; they
    are drawn as hollow rings in a strip under the axis, so the reader sees where they lie
    along x without their value. `overlay` draws more marks on the same scales (after the
    points); `extra_y` are values the y axis must also cover."""
    strip = 30 if hidden_x else 0
    x_domain = padded_domain([p.x for p in points] + list(hidden_x))
    y_domain = padded_domain([p.y for p in points] + list(extra_y), include_zero=True)
    left, top, right, bottom = 58, 12, width - 14, height - 46 - strip
    plot = _Plot(
        left, top, right, bottom, Scale(x_domain, (left, right)), Scale(y_domain, (bottom, top))
    )
    body = _axes(plot, nice_ticks(*x_domain), nice_ticks(*y_domain), x_label, y_label)
    for p in points:
        fill = ACCENT if p.highlight else colour(0.3)
        body.append(
            f'<circle cx="{plot.x(p.x):.1f}" cy="{plot.y(p.y):.1f}" r="3.5" fill="{fill}" '
            f'fill-opacity="0.75"><title>{escape(p.label)}</title></circle>'
        )
    if overlay is not None:
        body.extend(overlay(plot))
    if hidden_x:
        y = height - 8
        body.append(_text(left, y - 8, hidden_label, fill=MUTED, font_size="10"))
        for x in hidden_x:
            body.append(
                f'<circle cx="{plot.x(x):.1f}" cy="{y:.1f}" r="3" fill="{HIDDEN_FILL}" '
                f'stroke="{MUTED}"><title>{escape(hidden_label)}</title></circle>'
            )
    return _svg(width, height, title, body)


INTERVAL_CAP = 3.0  # interval_plot's axis ends at this multiple of the largest estimate
HIDDEN_MARK = "[c]"  # the ONS and Home Office mark of a suppressed ("confidential") cell


def _hidden_mark(x: float, y: float, label: str) -> str:
    mark = _text(x, y, HIDDEN_MARK, text_anchor="middle", fill=MUTED)
    return f'<g class="hidden-mark">{mark}<title>{escape(label)}</title></g>'


@dataclass(frozen=True)
class Interval:
    category: str
    estimate: float | None  # None: hidden (suppressed) or unknown, drawn as a labelled gap
    low: float | None
    high: float | None
    label: str  # the mark's tooltip, or why it is not shown


def interval_plot(
    intervals: Sequence[Interval],
    title: str,
    x_label: str,
    y_label: str,
    reference: float | None = None,
    reference_label: str = "overall",
    width: int = 520,
    height: int = 300,
) -> str:
    """One point with its interval per category, in the given order; `reference` draws a
    dashed horizontal line (e.g. the overall rate). A category with no estimate shows the
    suppressed mark `[c]` (its tooltip: `label`) in place of a point.

    The axis stops at `INTERVAL_CAP` times the largest estimate (or reference): a category
    with no events among few businesses has an exact upper limit far above every rate, and
    would flatten the others. Such an interval runs to the top and ends in an arrow."""
    centres = [i.estimate for i in intervals if i.estimate is not None]
    if reference is not None:
        centres.append(reference)
    cap = INTERVAL_CAP * max(centres, default=0.0) or math.inf
    values = [min(v, cap) for i in intervals for v in (i.estimate, i.low, i.high) if v is not None]
    if reference is not None:
        values.append(reference)
    y_domain = padded_domain(values, include_zero=True)
    left, right, top, bottom = 58, width - 14, 12, height - 46
    step = (right - left) / max(len(intervals), 1)
    plot = _Plot(
        left, top, right, bottom, Scale((0, 1), (left, right)), Scale(y_domain, (bottom, top))
    )
    body = _axes(plot, [], nice_ticks(*y_domain), x_label, y_label)
    for k, item in enumerate(intervals):
        x = left + step * (k + 0.5)
        body.append(_text(x, bottom + 17, item.category, text_anchor="middle", fill=MUTED))
        if item.estimate is None:
            body.append(_hidden_mark(x, bottom - 8, item.label))
            continue
        if item.low is not None and item.high is not None:
            high = min(item.high, y_domain[1])
            body.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{plot.y(item.low):.1f}" '
                f'y2="{plot.y(high):.1f}" stroke="{colour(0.3)}" stroke-width="2"/>'
            )
            if item.high > y_domain[1]:
                tip = plot.y(high)
                body.append(
                    f'<path d="M{x - 5:.1f},{tip + 7:.1f} L{x:.1f},{tip:.1f} L{x + 5:.1f},'
                    f'{tip + 7:.1f}" fill="none" stroke="{colour(0.3)}" stroke-width="2">'
                    f"<title>interval continues to {fmt(item.high)}</title></path>"
                )
        body.append(
            f'<circle cx="{x:.1f}" cy="{plot.y(item.estimate):.1f}" r="4.5" fill="{colour(0.3)}">'
            f"<title>{escape(item.label)}</title></circle>"
        )
    if reference is not None:
        y = plot.y(reference)
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{ACCENT}" '
            f'stroke-dasharray="5 4"><title>{escape(reference_label)}: {fmt(reference)}</title>'
            "</line>"
        )
        body.append(_text(right, y - 5, reference_label, text_anchor="end", fill=ACCENT))
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class FunnelPoint:
    size: float  # the denominator (x), e.g. businesses
    rate: float
    label: str
    outside: bool


def funnel_plot(
    points: Sequence[FunnelPoint],
    limits: Sequence[tuple[float, float, float]],
    overall: float | None,
    title: str,
    x_label: str,
    y_label: str,
    hidden_sizes: Sequence[float] = (),
    hidden_label: str = "suppressed",
    width: int = 520,
    height: int = 340,
) -> str:
    """A funnel plot (Spiegelhalter 2005): each area's rate against its size, the overall
    rate, and control limits `limits` = (size, low, high) as dashed lines, cut at the top
    of the axis (a small area's upper limit is far above every rate); areas outside the
    limits are highlighted. Hidden areas appear in a strip under the axis at their size."""
    ordered = sorted(limits)

    def draw_limits(plot: _Plot) -> list[str]:
        top = plot.y.domain[1]
        lines = []
        for column in (1, 2):
            coords = " ".join(
                f"{plot.x(row[0]):.1f},{plot.y(min(row[column], top)):.1f}" for row in ordered
            )
            if coords:
                lines.append(
                    f'<polyline points="{coords}" fill="none" stroke="{MUTED}" '
                    'stroke-dasharray="3 3"><title>99.8% control limit</title></polyline>'
                )
        if overall is not None:
            y = plot.y(overall)
            lines.append(
                f'<line x1="{plot.left}" x2="{plot.right}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{ACCENT}"><title>overall rate: {fmt(overall)}</title></line>'
            )
        return lines

    return scatter(
        [Point(p.size, p.rate, p.label, highlight=p.outside) for p in points],
        title,
        x_label,
        y_label,
        hidden_x=hidden_sizes,
        hidden_label=hidden_label,
        overlay=draw_limits,
        extra_y=[overall] if overall is not None else (),
        width=width,
        height=height,
    )


@dataclass(frozen=True)
class Bar:
    category: str
    series: str
    value: float | None  # None: hidden (suppressed), drawn as a marked gap
    label: str


def bar_chart(
    bars: Sequence[Bar],
    title: str,
    y_label: str,
    width: int = 520,
    height: int = 260,
) -> str:
    """Grouped bars: one group per category (in order of first appearance), one bar per
    series in it, with a legend. A hidden bar is the suppressed mark `[c]` at the axis."""
    categories = list(dict.fromkeys(b.category for b in bars))
    series = list(dict.fromkeys(b.series for b in bars))
    y_domain = padded_domain([b.value for b in bars if b.value is not None], include_zero=True)
    left, right, top, bottom = 58, width - 14, 28, height - 46
    plot = _Plot(
        left, top, right, bottom, Scale((0, 1), (left, right)), Scale(y_domain, (bottom, top))
    )
    body = _axes(plot, [], nice_ticks(*y_domain), "", y_label)
    group = (right - left) / max(len(categories), 1)
    bar_width = group * 0.8 / max(len(series), 1)
    fills = {name: colour(k / max(len(series) - 1, 1) * 0.8 + 0.1) for k, name in enumerate(series)}
    for bar in bars:
        k, s = categories.index(bar.category), series.index(bar.series)
        x = left + group * k + group * 0.1 + bar_width * s
        if bar.value is None:
            body.append(_hidden_mark(x + bar_width / 2, bottom - 4, bar.label))
            continue
        y = plot.y(bar.value)
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
            f'height="{bottom - y:.1f}" '
            f'fill="{fills[bar.series]}"><title>{escape(bar.label)}</title></rect>'
        )
    for k, category in enumerate(categories):
        x = left + group * (k + 0.5)
        body.append(_text(x, bottom + 17, category, text_anchor="middle", fill=MUTED))
    x = left
    for name in series:
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{fills[name]}"/>')
        body.append(_text(x + 17, 16, name))
        x += 17 + _text_width(name) + 24
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class MapPoint:
    longitude: float
    latitude: float
    value: float | None  # None: no value (see `state`)
    label: str
    state: str = "value"  # "value", "hidden" (suppressed) or "none" (no data)


@dataclass(frozen=True)
class Bins:
    """The classes of a choropleth. Value v is in class k when edges[k] <= v < edges[k+1]
    (the last class includes its upper edge). With `zero_class`, exactly 0 is a class of
    its own, first: an area with no events is not merely "low". With `exact`, each class is
    one value (its lower edge): there were no more distinct values than classes."""

    edges: tuple[float, ...]
    zero_class: bool = False
    exact: bool = False

    @property
    def count(self) -> int:
        return max(len(self.edges) - 1, 0) + self.zero_class

    def index(self, value: float) -> int:
        if self.zero_class and value == 0:
            return 0
        for k in range(len(self.edges) - 2, -1, -1):
            if value >= self.edges[k]:
                return k + self.zero_class
        return int(self.zero_class)

    def colour(self, value: float) -> str:
        return colour(self.index(value) / max(self.count - 1, 1))

    def entries(self) -> list[tuple[str, str]]:
        """(colour, label) of every class, in order."""
        out = [(colour(0.0), "0")] if self.zero_class else []
        for a, b in zip(self.edges, self.edges[1:], strict=False):
            out.append((self.colour(a), fmt(a) if self.exact else f"{fmt(a)}–{fmt(b)}"))
        return out


def quantile_bins(values: Sequence[float], count: int = 5) -> Bins:
    """Breaks at the quantiles of `values` (equal-count classes suit skewed rates); breaks
    that coincide (many equal values) are merged. Zeros among positive values get their own
    class and the quantiles are taken over the positive values."""
    finite = sorted(v for v in values if v is not None and math.isfinite(v))
    zero_class = bool(finite) and finite[0] == 0
    if zero_class:
        finite = [v for v in finite if v != 0]
    if not finite:
        return Bins((), zero_class=True) if zero_class else Bins((0.0, 1.0))
    distinct = sorted(set(finite))
    if len(distinct) <= count:
        return Bins((*distinct, distinct[-1]), zero_class, exact=True)
    edges = [finite[0]]
    for k in range(1, count):
        edge = finite[min(len(finite) - 1, math.floor(k * len(finite) / count))]
        if edge > edges[-1]:
            edges.append(edge)
    edges.append(finite[-1] if finite[-1] > edges[-1] else edges[-1] + 1)
    return Bins(tuple(edges), zero_class)


def point_map(
    points: Sequence[MapPoint],
    bins: Bins,
    title: str,
    width: int = 300,
    height: int = 300,
    radius: float = 3.5,
) -> str:
    """Areas as coloured points at their centroids (a choropleth without boundaries: none
    are held offline). Equirectangular with longitude shrunk by cos(latitude), which keeps
    shapes true at the scale of a town; fitted to the box with the aspect kept. No tiles."""
    located = [p for p in points if math.isfinite(p.longitude) and math.isfinite(p.latitude)]
    if not located:
        empty = _text(width / 2, height / 2, "no located areas", text_anchor="middle", fill=MUTED)
        return _svg(width, height, title, [empty])
    mean_lat = sum(p.latitude for p in located) / len(located)
    shrink = math.cos(math.radians(mean_lat))
    xs = [p.longitude * shrink for p in located]
    ys = [p.latitude for p in located]
    pad = radius + 4
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    unit = min(
        (width - 2 * pad) / dx if dx else math.inf, (height - 2 * pad) / dy if dy else math.inf
    )
    unit = unit if math.isfinite(unit) else 1.0
    x0, y0 = (width - dx * unit) / 2, (height - dy * unit) / 2
    body = []
    for p, x, y in zip(located, xs, ys, strict=True):
        cx = x0 + (x - min(xs)) * unit
        cy = y0 + (max(ys) - y) * unit
        if p.state == "value" and p.value is not None:
            style = f'fill="{bins.colour(p.value)}"'
        elif p.state == "hidden":
            style = f'fill="{HIDDEN_FILL}" stroke="{INK}" stroke-width="0.8"'
        else:
            style = f'fill="{NO_DATA_FILL}"'
        body.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" {style}>'
            f"<title>{escape(p.label)}</title></circle>"
        )
    return _svg(width, height, title, body)


def legend(
    bins: Bins, title: str, hidden_label: str | None, none_label: str | None, subtitle: str = ""
) -> str:
    """The key of a `point_map`: its title (and a second line), one swatch per class, then
    the hidden and no-data marks."""
    entries = [(f'fill="{fill}"', text) for fill, text in bins.entries()]
    if hidden_label:
        entries.append((f'fill="{HIDDEN_FILL}" stroke="{INK}" stroke-width="0.8"', hidden_label))
    if none_label:
        entries.append((f'fill="{NO_DATA_FILL}"', none_label))
    width = 300
    body = [_text(0, 14, title, font_weight="bold")]
    first = 34
    if subtitle:
        body.append(_text(0, 30, subtitle, fill=MUTED))
        first = 50
    for k, (style, text) in enumerate(entries):
        y = first + 18 * k
        body.append(f'<circle cx="8" cy="{y - 4}" r="5" {style}/>')
        body.append(_text(20, y, text))
    return _svg(width, first + 6 + 18 * len(entries), f"{title} {subtitle}".strip(), body)
