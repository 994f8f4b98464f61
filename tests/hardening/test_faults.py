"""Faults in what a model is loaded from: nothing is lost, and the error says what is wrong.

``load_state_dict`` and ``Module.load`` are all or nothing: every entry is checked before
anything is copied. Files that are not ``.npz`` archives get one clear error naming the file.
"""

import zipfile

import numpy as np
import pytest

import autograd as ag
import nn


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def _snapshot(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model, before):
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)


@pytest.mark.parametrize("bad, words", [
    (np.array(["a", "b", "c", "d"]), ["'0.bias'", "non-numeric", "<U1"]),
    (np.array([None] * 4, dtype=object), ["'0.bias'", "Python objects"]),
    ([None, None, None, None], ["'0.bias'", "Python objects"]),
    (np.ones(4, np.complex64), ["'0.bias'", "complex"]),
    (np.ones(5, np.float32), ["'0.bias'", "(5,)", "(4,)"]),
], ids=["strings", "object-None", "list-of-None", "complex", "shape"])
def test_a_bad_entry_after_a_good_one_loads_nothing(bad, words):
    model = _model()
    before = _snapshot(model)
    state = {k: np.full_like(v, 7.0) for k, v in before.items()}
    state["0.bias"] = bad  # "0.weight" comes first and is fine
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    for w in words:
        assert w in str(info.value)
    _assert_unchanged(model, before)


def test_every_problem_is_named_at_once():
    model = _model()
    state = _snapshot(model)
    state["0.weight"] = np.array([None], dtype=object)
    state["2.bias"] = np.zeros(3, np.float32)
    del state["2.weight"]
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    msg = str(info.value)
    assert "'0.weight'" in msg and "'2.bias'" in msg and "'2.weight'" in msg


def test_numeric_entries_convert_to_the_parameter_dtype():
    model = _model()
    state = {k: np.ones(v.shape, np.int64) for k, v in model.state_dict().items()}
    state["0.bias"] = ag.tensor(np.ones(4, np.float64))
    model.load_state_dict(state)
    for p in model.parameters():
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p.data, 1.0)


def test_a_good_file_round_trips(tmp_path):
    model, other = _model(), _model()
    model.save(tmp_path / "m.npz")
    other.load(tmp_path / "m.npz")
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[k], v)


def _text(path):
    path.write_text("hello, this is not a model\n")


def _npy(path):
    with open(path, "wb") as f:  # a .npy file under a .npz name
        np.save(f, np.zeros(3))


def _truncated(path):
    full = path.with_name("full.npz")
    _model().save(full)
    path.write_bytes(full.read_bytes()[:300])


def _empty(path):
    path.write_bytes(b"")


def _pickled(path):
    np.savez(path, **{"0.weight": np.array([{"a": 1}], dtype=object)})


def _corrupt_member(path):
    full = path.with_name("full.npz")
    _model().save(full)
    with zipfile.ZipFile(full) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename)[:20])  # a header cut short


@pytest.mark.parametrize("make, words", [
    (_text, ["not a zip archive", "b'hell'"]),
    (_npy, [".npy"]),
    (_truncated, ["damaged or truncated"]),
    (_empty, ["not a zip archive"]),
    (_pickled, ["'0.weight'", "Python objects"]),
    (_corrupt_member, ["damaged"]),
], ids=["text", "npy", "truncated", "empty", "pickled", "corrupt-member"])
def test_a_file_that_is_not_a_saved_model_gives_one_clear_error(tmp_path, make, words):
    path = tmp_path / "bad.npz"
    make(path)
    model = _model()
    before = _snapshot(model)
    with pytest.raises(ValueError) as info:
        model.load(path)
    msg = str(info.value)
    assert str(path) in msg
    assert "allow_pickle" not in msg
    for w in words:
        assert w in msg
    _assert_unchanged(model, before)


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        _model().load(tmp_path / "nowhere.npz")
