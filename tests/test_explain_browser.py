"""The explainer's page and the drawings in a real browser: headless Chromium, driven by
Playwright. Skipped, with the reason, where Playwright or a Chromium binary is missing
(``.ci/run`` installs both; set AUTOGRAD_CHROMIUM to point at another Chromium or Chrome).

With AUTOGRAD_SCREENSHOTS=1 the screenshot in the README (docs/explain.png) is retaken."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Value

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("AUTOGRAD_CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="Playwright is not installed (pip install -e '.[dev]')"),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (apt install "
                       "chromium, or set AUTOGRAD_CHROMIUM to a Chromium or Chrome binary)"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1280, "height": 800})
    requests = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.requests = requests
    yield pg
    pg.close()


def seed_network():
    """demos/quickstart.py's network and data: the tutorial's 3-3-3-3 network."""
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "demos" / "quickstart.py")
    quickstart = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quickstart)
    x, y = quickstart.data()
    model = quickstart.build()
    return model, F.cross_entropy(model(x), y)


def highlighted(pg) -> str:
    return pg.evaluate("""[...document.querySelectorAll('#ag-graph .ag-hl')]
        .map(g => g.querySelector('title').textContent).sort().join(' ')""")


def step_through(pg, n: int) -> None:
    """Press → through all n steps; each shows its number and highlights other nodes."""
    before = None
    for k in range(1, n + 1):
        assert pg.inner_text("#ag-counter") == f"{k} / {n}"
        assert pg.inner_text("#ag-title").startswith(f"Step {k} of {n}")
        now = highlighted(pg)
        assert now and now != before, f"step {k} highlights {now!r} as step {k - 1} did"
        before = now
        if k < n:
            pg.keyboard.press("ArrowRight")
    pg.keyboard.press("ArrowRight")  # past the end: stays on the last step
    assert pg.inner_text("#ag-counter") == f"{n} / {n}"


def gradients_on_last_step(pg) -> dict[str, np.ndarray]:
    """∂C/∂name -> the numbers the last step shows (arrays opened with their button)."""
    out = {}
    for row in pg.query_selector_all("table.grads tr"):
        name = row.query_selector("td").inner_text().removeprefix("∂C/∂")
        details = row.query_selector("details")
        if details is not None:  # open it (a click would close one already open)
            if not details.evaluate("d => d.open"):
                details.query_selector("summary").click()
            details.wait_for_selector("pre", state="visible")  # opening is not instant
            text = details.query_selector("pre").inner_text()
        else:
            text = row.query_selector_all("td")[1].inner_text()
        out[name] = np.array([float(x) for x in re.findall(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?",
                                                             text)])
    return out


def same_to_4_significant_figures(shown: np.ndarray, grad: np.ndarray) -> bool:
    grad = np.asarray(grad, dtype=np.float64).ravel()
    return shown.shape == grad.shape and all(
        float(f"{a:.4g}") == float(f"{b:.4g}")  # as numbers: -0 (g·0 for g < 0) equals 0
        for a, b in zip(shown.tolist(), grad.tolist()))


def test_seed_network_page_steps_through_and_ends_with_the_gradients(page, tmp_path):
    model, loss = seed_network()
    ex = ag.explain(loss, params=model.named_parameters())
    path = Path(ex.save(tmp_path / "backprop.html"))
    page.goto(path.as_uri())
    step_through(page, len(ex.steps))
    shown = gradients_on_last_step(page)
    loss.backward()
    params = dict(model.named_parameters())
    assert list(shown) == list(params)
    for name, p in params.items():
        assert same_to_4_significant_figures(shown[name], p.grad.data), name
    assert all(u.startswith("file:") for u in page.requests)  # nothing from the network
    # the buttons and keys
    page.click("#ag-first")
    assert page.inner_text("#ag-counter").startswith("1 /")
    page.keyboard.press("End")
    assert page.inner_text("#ag-counter") == f"{len(ex.steps)} / {len(ex.steps)}"
    page.click("#ag-prev")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#ag-counter").startswith(f"{len(ex.steps) - 2} /")
    page.keyboard.press("Home")
    page.click("#ag-next")
    assert page.inner_text("#ag-counter").startswith("2 /")


def test_backward_step_text_shows_the_chain_rule(page, tmp_path):
    model, loss = seed_network()
    ex = ag.explain(loss, params=model.named_parameters())
    last_linear = ex.values[ex.names.index("linear₃")]
    n = ex.step_of("backward", last_linear)
    page.set_viewport_size({"width": 1200, "height": 700})
    page.goto(Path(ex.save(tmp_path / "p.html")).as_uri() + f"#step-{n}")
    text = page.inner_text("#ag-panel")
    assert f"Step {n} of {len(ex.steps)} · backward" in text
    assert "g·W" in text and "gᵀ·x" in text and "local derivative" in text  # the formulas
    assert "to 4.weight" in text and "sends to 4.weight" in text
    if os.environ.get("AUTOGRAD_SCREENSHOTS"):
        out = ROOT / "docs" / "explain.png"
        out.parent.mkdir(exist_ok=True)
    else:
        out = tmp_path / "explain.png"
    page.screenshot(path=str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_value_page_steps_through_with_full_numbers(page, tmp_path):
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a.tanh()).relu() + b ** 2 - 1 / a
    ex = ag.explain(c)
    page.goto(Path(ex.save(tmp_path / "v.html")).as_uri())
    step_through(page, len(ex.steps))
    shown = gradients_on_last_step(page)
    c.backward()
    assert set(shown) == {"a", "b"}
    assert shown["a"].tolist() == [a.grad] and shown["b"].tolist() == [b.grad]  # full numbers
    page.goto(Path(tmp_path / "v.html").as_uri() + "#step-12")
    text = page.inner_text("#ag-panel")
    assert "−a/b²" in text and "a = 1, b = a" in text  # 1 / a: a is the divisor


def test_labels_fit_their_boxes_in_the_browser(page):
    dead, tiny, huge = (ag.tensor([1.0, 2.0], requires_grad=True) for _ in range(3))
    loss = (dead * 0.0).sum() + (tiny * 1e-8).sum() + (huge * 1e5).sum()
    loss.backward()
    svgs = [ag.draw(loss, params={"dead ×2": dead, "tiny_ωσ": tiny, "huge WWW": huge},
                    color_by_grad=True).svg(),
            nn.draw_network(nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2))).svg()]
    for svg in svgs:
        page.set_content(f"<html><body>{svg[svg.index('<svg'):]}</body></html>")
        outside = page.evaluate("""() => {
            const bad = [];
            for (const g of document.querySelectorAll('g.node')) {
                const shapes = [...g.querySelectorAll('polygon, ellipse, path')];
                if (!shapes.length) continue;
                const boxes = shapes.map(s => s.getBBox());
                const left = Math.min(...boxes.map(b => b.x));
                const right = Math.max(...boxes.map(b => b.x + b.width));
                for (const t of g.querySelectorAll('text')) {
                    const b = t.getBBox();
                    if (b.x < left - 0.5 || b.x + b.width > right + 0.5) bad.push(t.textContent);
                }
            }
            return bad; }""")
        assert outside == [], outside
