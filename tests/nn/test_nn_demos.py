"""The demos' own functions, run small: the chain rule agrees with the engine, the seed network
learns, the activation derivatives are right, and digits reaches 96% held-out accuracy."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

DEMOS = Path(__file__).resolve().parents[2] / "demos"


def load(name):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chain_rule_by_hand_equals_engine():
    chain_rule = load("chain_rule")
    for seed in range(3):
        r = chain_rule.single_neuron(seed)
        assert np.allclose(r["engine_w"], r["hand_w"], rtol=1e-10)
        assert np.isclose(r["engine_b"], r["hand_b"], rtol=1e-10)
        assert np.abs(r["hand_w"]).max() > 1e-6
    rows = chain_rule.loss_gradients()
    assert [r[0] for r in rows] == ["MSE", "MAE", "BCE", "CE", "Hinge", "Huber"]
    for name, _, engine, analytic in rows:
        assert engine.shape == analytic.shape, name
        assert np.allclose(engine, analytic, rtol=1e-10, atol=1e-12), name


def test_chain_rule_main_prints_agreement(capsys, tmp_path):
    r = load("chain_rule").main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert out.count("[agree]") == 6 and "DIFFER" not in out
    # the page's step where the engine sends a_prev·σ'(z)·2(a - y) to w
    assert f"step {r['step']} of {len(r['page'].steps)}" in out and "the same numbers" in out
    assert f"chain_rule.html#step-{r['step']}" in out
    step = r["page"].steps[r["step"] - 1]
    assert step.kind == "backward" and r["page"].names[step.node] == "linear₁"
    np.testing.assert_allclose(r["page_w"], r["hand_w"], rtol=1e-12)
    assert (tmp_path / "chain_rule.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_quickstart_cost_falls_to_near_zero(tmp_path):
    quickstart = load("quickstart")
    result = quickstart.train(steps=200, verbose=False, out_dir=tmp_path)
    losses = result["losses"]
    assert losses[0] > 0.5 and losses[-1] < 0.01
    assert np.argmax(result["probs"], axis=1).tolist() == [0, 1, 2]
    grad = result["gradient"]
    assert grad.shape == (36,) and np.abs(grad).max() > 0
    graph = (tmp_path / "graph.svg").read_text()
    assert graph.lstrip().startswith("<") and "0.weight" in graph  # parameter names shown
    assert "grad" in graph  # drawn after backward, with the gradients
    assert "<svg" in (tmp_path / "network.svg").read_text()
    page = (tmp_path / "backprop.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "0.weight" in page and "∇C" in page


def test_quickstart_data_is_standardised():
    x, y = load("quickstart").data()
    assert x.shape == (3, 3) and y.tolist() == [0, 1, 2]
    assert np.allclose(x.data.mean(axis=0), 0, atol=1e-6)
    assert np.allclose(x.data.std(axis=0), 1, atol=1e-6)


def test_activation_derivatives_come_out_right(tmp_path):
    activations = load("activations")
    curves = activations.curves(-3, 3, 61)
    x, _, d_relu = curves["ReLU"]
    assert np.array_equal(d_relu, (x > 0).astype(float))
    _, t, d_tanh = curves["Tanh"]
    assert np.allclose(d_tanh, 1 - t ** 2)
    _, s, d_sig = curves["Sigmoid"]
    assert np.allclose(d_sig, s * (1 - s))
    path = activations.main(["--out", str(tmp_path)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digits_reaches_96_percent(tmp_path):
    digits = load("digits")
    result = digits.train(progress=False, out_dir=tmp_path)
    assert result["test_acc"] >= 0.96
    assert result["seconds"] < 60
    assert result["plot"].read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "digits_mlp.npz").exists()
    model = digits.build().load(tmp_path / "digits_mlp.npz")  # the saved weights reload
    x_tr, y_tr, x_te, y_te = digits.load()
    assert digits.accuracy(model, x_te, y_te) == pytest.approx(result["test_acc"])


def test_digits_benchmark_contenders_compute_the_same_training():
    from benchmarks import bench_digits as b

    x, y, batches = b.load_data()
    init = b.initial_weights()
    few = batches[:8]
    assert np.isclose(b.train_nn(x, y, few, init), b.train_numpy(x, y, few, init), rtol=1e-5)


def test_draw_graphs_writes_into_its_folder_and_prints_every_file(tmp_path, capsys):
    import subprocess
    import sys

    out = tmp_path / "new" / "folder"  # created
    paths = load("draw_graphs").main(["--out", str(out)])
    printed = capsys.readouterr().out
    assert [p.name for p in paths] == ["graph.svg", "graph_grad_colours.svg", "network.svg"]
    for p in paths:
        assert p.parent == out and f"wrote {p}" in printed
        assert p.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "grad" in paths[0].read_text(encoding="utf-8")  # drawn after a plain backward()
    assert load("draw_graphs").OUT == DEMOS / "out"
    run = subprocess.run([sys.executable, str(DEMOS / "draw_graphs.py"), "--help"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "--out" in run.stdout
