import numpy as np
import pytest

import autograd as ag


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts with recording on, float32 defaults and a fixed seed."""
    ag.set_default_dtype(np.float32)
    ag.manual_seed(0)
    yield
    ag.set_default_dtype(np.float32)
