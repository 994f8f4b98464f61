"""The lesson demos in their quick modes: makemore, cnn_digits, gpt (each learns, writes its
plot, answers --help)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

DEMOS = Path(__file__).resolve().parents[2] / "demos"


def load(name):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["makemore", "cnn_digits", "gpt", "microgpt",
                                  "backprop_by_hand"])
def test_help(name, capsys):
    module = load(name)
    with pytest.raises(SystemExit) as e:
        module.main(["--help"])
    assert e.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_makemore_quick(tmp_path):
    mm = load("makemore")
    names = mm.load_names()
    assert len(names) > 5000 and all(n.isalpha() and n.islower() for n in names[:100])
    r = mm.train(steps=300, samples=5, out_dir=tmp_path, verbose=False)
    # the bigram model beats uniform guessing over 27 characters; the MLP learns from log 27
    assert r["bigram"]["val"] < math.log(27) - 0.5
    assert r["history"][0] > 3.0 and r["mlp"]["train"] < 2.9 and r["mlp"]["val"] < 2.9
    assert len(r["mlp_samples"]) == 5 and all(set(s) <= set("abcdefghijklmnopqrstuvwxyz")
                                              for s in r["mlp_samples"])
    assert (tmp_path / "makemore.png").stat().st_size > 1000
    bn = r["model"][3]
    assert int(bn.num_batches_tracked.data) == 300 and bn.running_var.data.std() > 0


def test_cnn_digits_quick(tmp_path):
    cnn = load("cnn_digits")
    r = cnn.train(epochs=2, out_dir=tmp_path, verbose=False)
    assert r["history"]["loss"][-1] < r["history"]["loss"][0]
    assert r["test_acc"] > 0.9
    for png in ("cnn_digits.png", "cnn_digits_filters.png"):
        assert (tmp_path / png).stat().st_size > 1000


def test_gpt_quick(tmp_path):
    gpt = load("gpt")
    r = gpt.train(steps=40, batch=8, block=32, n_embd=32, eval_every=20, eval_iters=3,
                  sample_chars=20, out_dir=tmp_path, verbose=False)
    h = r["history"]
    assert h["train"][0] > 4.0 and h["val"][-1] < h["val"][0] - 1.0  # learns from ~log 103
    assert len(r["sample"]) == 21 and (tmp_path / "gpt.png").stat().st_size > 1000
    model = r["model"]
    assert model.lm_head.weight is model.wte.weight  # tied: one Parameter
    names = [n for n, _ in model.named_parameters()]
    assert "lm_head.weight" not in names and "wte.weight" in names
    opt = model.optimizer(1e-3)
    assert [g["weight_decay"] for g in opt.param_groups] == [0.1, 0.0]
    assert all(p.ndim >= 2 for p in opt.param_groups[0]["params"])
    assert np.isfinite(h["loss"]).all()


def test_microgpt_on_values_and_on_tensors_agree(tmp_path):
    mg = load("microgpt")
    r = mg.run(compare=2, steps=60, samples=2, verbose=False, out_dir=tmp_path)
    assert (tmp_path / "microgpt.png").stat().st_size > 1000
    assert len(r["rows"]) == 2 and r["worst"] < 1e-9
    assert all(lv > 2.5 for _, lv, _ in r["rows"])  # about log 27 at the start
    assert r["value_ms"] > r["tensor_ms"]
    assert len(r["losses"]) == 60 and np.isfinite(r["losses"]).all()
    assert len(r["samples"]) == 2


def test_backprop_by_hand_matches_the_engine():
    bh = load("backprop_by_hand")
    r = bh.run(batch_size=8, verbose=False)
    names = [row[0] for row in r["rows"]]
    assert len(names) >= 22 and {"logprobs", "bnvar_inv", "hprebn", "emb", "C"} <= set(names)
    assert max(diff for _, _, diff, _ in r["rows"]) < 1e-12
    assert all(scale > 0 for _, _, _, scale in r["rows"])
    assert r["library"] < 1e-12
