"""The world map: Natural Earth country shapes (world-atlas `countries-110m.json`, TopoJSON) decoded
and projected on the server, so that the map is plain SVG and works without JavaScript.

Shapes are keyed by ISO 3166-1 numeric code (`Country.numeric`); the projected paths are computed
once per process (they depend only on the shipped file). Countries too small for that scale
(Singapore, Malta, the Maldives, most Pacific states) are marked points (`small-countries.csv`).
"""

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]

MAP_WIDTH = 960
# Antarctica has no national law to assess and would take a fifth of the picture.
LEFT_OUT = frozenset({"010"})


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Absolute longitude/latitude points of every arc (delta-decoded and de-quantised)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for delta_x, delta_y, *_ in arc:
            x += delta_x
            y += delta_y
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[Point]], indexes: list[int]) -> Ring:
    """Join arcs into one ring; a negative index ~i is arc i reversed. Shared ends appear once."""
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict, arcs: list[list[Point]]) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon geometry; other types have none."""
    if geometry.get("type") == "Polygon":
        parts = [geometry["arcs"]]
    elif geometry.get("type") == "MultiPolygon":
        parts = geometry["arcs"]
    else:
        return []
    return [[ring(arcs, indexes) for indexes in polygon] for polygon in parts]


def natural_earth(longitude: float, latitude: float) -> Point:
    """The Natural Earth projection (Šavrič et al. 2011) in radians of the unit sphere; y up."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (
        0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))
    )
    y = phi * (
        1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))
    )
    return x, y


def across_antimeridian(points: Ring) -> list[Ring]:
    """A ring that jumps across the 180th meridian (Fiji, Chukotka), made continuous east of it and
    returned twice, shifted a full turn apart: the view box clips each copy at its edge."""
    jumps = any(abs(b[0] - a[0]) > 180 for a, b in pairwise(points))
    if not jumps:
        return [points]
    east = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
    return [east, [(lon - 360, lat) for lon, lat in east]]


@dataclass(frozen=True)
class Shape:
    numeric: str
    name: str
    path: str  # SVG path data in the map's view box


@dataclass(frozen=True)
class Marker:
    """A country too small for the shapes' scale, drawn as a marked point."""

    numeric: str
    name: str
    x: float
    y: float


@dataclass(frozen=True)
class WorldMap:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    markers: tuple[Marker, ...] = ()


def _path(rings: list[list[Point]]) -> str:
    parts = []
    for points in rings:
        rounded: list[tuple[float, float]] = []
        for x, y in points:
            point = (round(x, 1), round(y, 1))
            if not rounded or rounded[-1] != point:
                rounded.append(point)
        if len(rounded) < 3:
            continue
        # Relative steps between rounded points: a third shorter, and no drift.
        steps = [
            f"{round(x - px, 1):g},{round(y - py, 1):g}" for (px, py), (x, y) in pairwise(rounded)
        ]
        x0, y0 = rounded[0]
        parts.append(f"M{x0:g},{y0:g}l" + " ".join(steps) + "z")
    return "".join(parts)


def project(
    topology: dict, width: int = MAP_WIDTH, points: dict[str, tuple[str, Point]] | None = None
) -> WorldMap:
    """Project the `countries` object into a view box `width` wide, north up, fitted to the land;
    `points` (numeric -> name, (longitude, latitude)) become markers in the same view box."""
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = str(geometry.get("id", ""))
        if numeric in LEFT_OUT:
            continue
        name = geometry.get("properties", {}).get("name", "")
        rings = [
            [natural_earth(*p) for p in copy]
            for poly in polygons(geometry, arcs)
            for r in poly
            for copy in across_antimeridian(r)
        ]
        if rings:
            countries.append((numeric, name, rings))
    left, right = natural_earth(-180, 0)[0], natural_earth(180, 0)[0]
    ys = [y for _, _, rings in countries for r in rings for _, y in r]
    bottom, top = min(ys), max(ys)
    scale = width / (right - left)
    height = math.ceil((top - bottom) * scale)
    shapes = tuple(
        Shape(
            numeric,
            name,
            _path([[((x - left) * scale, (top - y) * scale) for x, y in r] for r in rings]),
        )
        for numeric, name, rings in countries
    )
    markers = []
    for numeric, (name, (longitude, latitude)) in sorted((points or {}).items()):
        x, y = natural_earth(longitude, latitude)
        markers.append(
            Marker(numeric, name, round((x - left) * scale, 1), round((top - y) * scale, 1))
        )
    return WorldMap(width, height, shapes, tuple(markers))


@cache
def world() -> WorldMap:
    """The projected world, computed once per process from the shipped Natural Earth shapes."""
    data = resources.files("assess.data")
    text = data.joinpath("countries-110m.json").read_text()
    lines = data.joinpath("small-countries.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    points = {
        r["numeric"]: (r["name"], (float(r["longitude"]), float(r["latitude"]))) for r in rows
    }
    return project(json.loads(text), points=points)
