"""The two-moons demo: a scalar MLP of Values reaches 100% training accuracy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from autograd import Value

# the demo is a script, not a package: load it from its file
_spec = importlib.util.spec_from_file_location(
    "moons", Path(__file__).resolve().parents[2] / "demos" / "moons.py")
moons = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(moons)


def test_network_shape_and_parameters():
    model = moons.make_model()
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1)
    assert all(type(p) is Value for p in model.parameters())
    score = model([0.5, -0.25])
    assert type(score) is Value and score._op == "+"  # the last layer is linear
    X, y = moons.make_data()
    assert len(X) == 100 and sorted(set(y)) == [-1.0, 1.0]


def test_loss_is_hinge_plus_l2_and_backward_fills_every_parameter():
    X, y = moons.make_data()
    model = moons.make_model()
    total, acc = moons.loss(model, X, y)
    scores = moons.predict(model, X)
    hinge = sum(max(0.0, 1 - yi * s) for yi, s in zip(y, scores)) / len(y)
    l2 = 1e-4 * sum(p.data ** 2 for p in model.parameters())
    assert total.data == pytest.approx(hinge + l2, rel=1e-12)
    assert acc == sum((yi > 0) == (s > 0) for yi, s in zip(y, scores)) / len(y)
    model.zero_grad()
    total.backward()
    assert all(p.grad != 0.0 for p in model.layers[-1].parameters())


def test_demo_trains_to_full_accuracy_and_saves_the_boundary(tmp_path, capsys):
    moons.main(["--steps", "60", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "training accuracy 100%" in out
    png = tmp_path / "moons_boundary.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
