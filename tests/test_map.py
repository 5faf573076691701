"""TopoJSON decoding and projection, on hand-made topologies and on the shipped world."""

import math

import pytest

from assess import maps

SQUARE = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
    # Two arcs, delta-encoded: (0,0)->(2,0)->(2,4), and back (2,4)->(0,4)->(0,0).
    "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "001", "properties": {"name": "A"}},
                {"type": "MultiPolygon", "arcs": [[[~1, ~0]]], "id": "002"},
                {"type": "Point", "coordinates": [0, 0], "id": "003"},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_dequantised():
    assert maps.decode_arcs(SQUARE)[0] == [(10.0, 20.0), (11.0, 20.0), (11.0, 21.0)]
    assert maps.decode_arcs(SQUARE)[1] == [(11.0, 21.0), (10.0, 21.0), (10.0, 20.0)]


def test_untransformed_arcs_are_taken_as_they_are():
    assert maps.decode_arcs({"arcs": [[[1, 2], [3, 4]]]}) == [[(1.0, 2.0), (3.0, 4.0)]]


def test_rings_join_arcs_once_at_shared_ends_and_reverse_negative_indexes():
    arcs = maps.decode_arcs(SQUARE)
    forward = maps.ring(arcs, [0, 1])
    assert forward == [(10, 20), (11, 20), (11, 21), (10, 21), (10, 20)]
    assert maps.ring(arcs, [~1, ~0]) == list(reversed(forward))


def test_polygons_of_each_geometry_type():
    arcs = maps.decode_arcs(SQUARE)
    polygon, multi, point = SQUARE["objects"]["countries"]["geometries"]
    assert len(maps.polygons(polygon, arcs)) == 1
    assert len(maps.polygons(multi, arcs)) == 1
    assert maps.polygons(point, arcs) == []


@pytest.mark.parametrize(
    ("lon", "lat", "x", "y"),
    [
        (0, 0, 0, 0),
        (180, 0, math.pi * 0.8707, 0),
        # d3-geo's geoNaturalEarth1Raw(π/2, π/4) and (-2, 1.2): the reference implementation.
        (90, 45, 1.2319937779929164, 0.7930513944125289),
        (math.degrees(-2), math.degrees(1.2), -1.326015780295934, 1.1804032365937458),
    ],
)
def test_natural_earth_projection(lon, lat, x, y):
    px, py = maps.natural_earth(lon, lat)
    assert px == pytest.approx(x, abs=1e-12)
    assert py == pytest.approx(y, abs=1e-12)


def test_natural_earth_is_symmetric():
    x, y = maps.natural_earth(120, 50)
    assert maps.natural_earth(-120, -50) == pytest.approx((-x, -y))


def test_rings_across_the_antimeridian_are_drawn_on_both_edges():
    ring = [(179.0, -16.0), (-179.5, -16.5), (179.5, -17.0), (179.0, -16.0)]
    east, west = maps.across_antimeridian(ring)
    assert east == [(179.0, -16.0), (180.5, -16.5), (179.5, -17.0), (179.0, -16.0)]
    assert west[1] == (-179.5, -16.5)
    assert maps.across_antimeridian([(1.0, 1.0), (2.0, 2.0)]) == [[(1.0, 1.0), (2.0, 2.0)]]


def test_projection_fits_the_width_with_north_up():
    world = maps.project(SQUARE, width=100)
    assert world.width == 100
    a = world.shapes[0]
    assert (a.numeric, a.name) == ("001", "A")
    assert a.path.startswith("M")
    assert a.path.endswith("z")
    assert [s.numeric for s in world.shapes] == ["001", "002"]


def test_the_shipped_world_has_the_countries_we_need_and_is_computed_once():
    world = maps.world()
    assert maps.world() is world
    numerics = {s.numeric for s in world.shapes}
    assert {"398", "250", "076", "036", "643", "840"} <= numerics  # KZ, FR, BR, AU, RU, US
    assert "010" not in numerics  # Antarctica is left out
    assert 150 < len(world.shapes) < 200
    assert world.width == maps.MAP_WIDTH
    assert 350 < world.height < 500
    kazakhstan = next(s for s in world.shapes if s.numeric == "398")
    x, y = (float(n) for n in kazakhstan.path[1:].split("l")[0].split(","))
    assert 600 < x < 720  # Central Asia: east of the middle, north of the equator
    assert y < world.height / 2
