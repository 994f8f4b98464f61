"""Rendering never fails: SVG by default without a system Graphviz, formats nobody can render
refused by name, render_svg writes SVG only, big graphs drawn within a budget, and every label
fits its box in the font the SVG names (measured with DejaVu Sans's real metrics)."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import _graphviz
from autograd.viz import MAX_NODES, Digraph, GraphvizNotFoundError

from .svgparse import SVG, parse_svg


@pytest.fixture
def no_system_dot(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(_graphviz.shutil, "which",
                        lambda name, *a, **k: None if name == "dot" else real_which(name))


def small_graph():
    w = ag.tensor([[1.0, -2.0]], requires_grad=True)
    return w, (w * 3.0).tanh().sum()


def test_render_and_view_default_to_svg_without_a_system_graphviz(tmp_path, no_system_dot,
                                                                  monkeypatch):
    _, y = small_graph()
    g = ag.draw(y)
    assert g.format == "svg"
    path = g.render(tmp_path / "graph")
    assert path.endswith("graph.svg")
    svg = open(path, encoding="utf-8").read()
    assert len(parse_svg(svg).nodes) == 8 and _graphviz.FONT_FAMILY in svg
    assert g.pipe()[:5] == b"<?xml"  # no format: SVG too
    viewed = []
    monkeypatch.setattr(Digraph, "_view", lambda self, p, format, quiet: viewed.append((p, format)))
    out = g.view(tmp_path / "shown")
    assert out.endswith("shown.svg") and viewed == [(out, "svg")]
    png = g.render(outfile=tmp_path / "graph.png")  # the format follows the file's extension
    assert open(png, "rb").read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_format_no_renderer_can_write_is_refused_by_name(tmp_path, no_system_dot):
    _, y = small_graph()
    with pytest.raises(GraphvizNotFoundError, match=r"'pdf'.*system Graphviz.*svg"):
        ag.draw(y).render(tmp_path / "graph", format="pdf")
    with pytest.raises(GraphvizNotFoundError, match="'pdf'"):
        ag.draw(y).pipe(format="pdf")
    assert not os.path.exists(tmp_path / "graph.pdf")


def test_render_svg_refuses_other_extensions(tmp_path):
    _, y = small_graph()
    with pytest.raises(ValueError, match=r"ends in '\.png'.*\.svg"):
        ag.render_svg(y, tmp_path / "a.png")
    assert not os.listdir(tmp_path)
    for name in ("a.svg", "b.SVG", "c"):
        path = ag.render_svg(y, tmp_path / name)
        assert open(path, "rb").read().lstrip().startswith(b"<?xml")


def test_big_graphs_are_drawn_within_the_default_budget():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for i in range(5000):  # 10,001 values and 5,000 ops
        y = y * 1.0001 if i % 2 else y + 0.5
    g = ag.draw(y)
    d = parse_svg(g.pipe(format="svg"))
    assert MAX_NODES - 1 <= len(d.nodes) <= MAX_NODES
    assert f"not drawn: max_nodes={MAX_NODES:,}" in d.text("summary")
    assert ag.draw(y, max_nodes=None).source.count("->") == 15000  # asked for: everything


# ---------------------------------------------------------------------------- fonts


def _font(weight: str, style: str):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    props = font_manager.FontProperties(family="DejaVu Sans", weight=weight, style=style)
    return FT2Font(font_manager.findfont(props, fallback_to_default=False))


def _extent(el) -> tuple[float, float]:
    if el.tag == f"{SVG}ellipse":
        cx, rx = float(el.get("cx")), float(el.get("rx"))
        return cx - rx, cx + rx
    coords = el.get("points") or el.get("d")
    xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", coords)]
    return min(xs), max(xs)


def overflowing_labels(svg: bytes | str) -> list[str]:
    """Texts wider than their node's shape when set in DejaVu Sans at their size."""
    root = ET.fromstring(svg.encode() if isinstance(svg, str) else svg)
    fonts: dict = {}
    bad = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        shapes = [_extent(el) for el in g.iter() if el.tag in
                  (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path")]
        if not shapes:  # plain text, no box
            continue
        left, right = min(a for a, _ in shapes), max(b for _, b in shapes)
        for t in g.iter(f"{SVG}text"):
            assert t.get("font-family") == _graphviz.FONT_FAMILY
            key = (t.get("font-weight", "normal"), "italic" if t.get("font-style") else "normal")
            font = fonts.get(key) or fonts.setdefault(key, _font(*key))
            size = float(t.get("font-size"))
            font.set_size(size, 7200)  # SVG units are points; 100x so hinting does not round
            font.set_text(t.text or "")
            width = font.get_width_height()[0] / 64 / 100
            x = float(t.get("x"))
            anchor = t.get("text-anchor")
            x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
            if x0 < left - 0.5 or x0 + width > right + 0.5:
                bad.append(f"{t.text!r}: {x0:.1f}..{x0 + width:.1f} outside "
                           f"{left:.1f}..{right:.1f}")
    return bad


def test_every_label_fits_its_box_in_the_font_the_svg_names():
    pytest.importorskip("matplotlib")
    dead, tiny, huge = (ag.tensor([1.0, 2.0], requires_grad=True) for _ in range(3))
    loss = (dead * 0.0).sum() + (tiny * 1e-8).sum() + (huge * 1e5).sum()
    loss.backward()
    names = {"dead weight ×2": dead, "tiny_ωσλ (vanishing)": tiny, "HUGE WWW MMM": huge}
    svgs = [ag.draw(loss, params=names, color_by_grad=True).pipe(format="svg")]
    assert b"(exploding)" in svgs[0]
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    out = nn.functional.cross_entropy(model(ag.randn(5, 3)), np.array([0, 1, 1, 0, 1]))
    svgs.append(ag.draw(out, params=dict(model.named_parameters())).pipe(format="svg"))
    svgs.append(nn.draw_network(model).pipe(format="svg"))
    svgs.append(nn.draw_network(model, mode="layers").pipe(format="svg"))
    a, b = ag.Value(2.0, label="weight_α"), ag.Value(-3.0, label="b")
    c = (a * b + a.tanh()) * 2.0
    c.backward()
    svgs.append(ag.draw(c).pipe(format="svg"))
    for svg in svgs:
        assert not overflowing_labels(svg)
