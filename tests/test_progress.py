"""The progress bar: tqdm when installed, else the plain line; off on request.

The plain line is tested with tqdm taken away (``sys.modules["tqdm"] = None``)
and a fake clock, so nothing depends on timing or on tqdm being installed.
"""

from __future__ import annotations

import importlib
import io
import sys
import types

import numpy as np
import pytest

from xgrad.dataloaders import DataLoader

# The module itself, even if a package re-export shadows the attribute name.
P = importlib.import_module("xgrad.progress")
progress = P.progress


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(P, "_clock", fake)
    return fake


@pytest.fixture
def no_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` fails
    monkeypatch.delenv("XGRAD_PROGRESS", raising=False)


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    calls: list[dict] = []

    class FakeBar:
        def __init__(self, iterable=None, **kwargs):
            calls.append(kwargs)
            self.iterable = iterable

        def __iter__(self):
            return iter(self.iterable)

    module = types.ModuleType("tqdm")
    module.tqdm = FakeBar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", module)
    monkeypatch.delenv("XGRAD_PROGRESS", raising=False)
    return calls


# -- the plain line --------------------------------------------------------------
@pytest.mark.usefixtures("no_tqdm")
def test_fallback_without_tqdm_writes_a_final_line(capsys, clock):
    bar = progress(range(5), desc="epoch 1")
    assert isinstance(bar, P.Progress)
    items = []
    for i in bar:
        clock.now += 0.1
        items.append(i)
    assert items == [0, 1, 2, 3, 4]
    err = capsys.readouterr().err
    assert err == "epoch 1: 5/5 (100%) 10.0 it/s 00:00\n"  # one line: 0.5 s in all
    assert capsys.readouterr().out == ""


@pytest.mark.usefixtures("no_tqdm")
def test_fallback_writes_at_most_every_half_second(capsys, clock):
    for _ in progress(range(8)):
        clock.now += 0.25
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "2/8 (25%) 4.0 it/s 00:00<00:01",
        "4/8 (50%) 4.0 it/s 00:01<00:01",
        "6/8 (75%) 4.0 it/s 00:01<00:00",
        "8/8 (100%) 4.0 it/s 00:02",
    ]


@pytest.mark.usefixtures("no_tqdm")
def test_fallback_rewrites_one_line_on_a_terminal(monkeypatch, clock):
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    bar = progress(range(3), desc="d")
    for i in bar:
        clock.now += 1.0
        if i == 0:
            bar.set_postfix(loss=0.123456, step=i)
        else:
            bar.set_postfix()
    out = screen.getvalue()
    assert out.count("\n") == 1
    assert out.endswith("\n")
    writes = out.split("\r")[1:]
    assert writes[0] == "d: 1/3 (33%) 1.0 it/s 00:01<00:02 loss=0.1235, step=0"
    # a shorter line blanks what is left of the longer one before it
    assert writes[1] == "d: 2/3 (66%) 1.0 it/s 00:02<00:01".ljust(len(writes[0]))
    assert writes[-1].rstrip() == "d: 3/3 (100%) 1.0 it/s 00:03"


@pytest.mark.usefixtures("no_tqdm")
def test_fallback_without_a_total_counts(capsys, clock):
    for _ in progress(i for i in range(3)):
        clock.now += 2.0
    assert capsys.readouterr().err.splitlines()[-1] == "3 it 2.00 s/it 00:06"


@pytest.mark.usefixtures("no_tqdm")
def test_fallback_by_hand_with_total_and_with(capsys, clock):
    with progress(total=4, desc="steps") as bar:
        assert len(bar) == 4
        clock.now = 3725.0  # 1 h 2 min 5 s
        bar.update(4)
        bar.set_description("done")
    assert capsys.readouterr().err.splitlines()[-1] == (
        "done: 4/4 (100%) 931.25 s/it 1:02:05"
    )
    with pytest.raises(TypeError, match="nothing to iterate"):
        next(iter(progress(total=3)))
    with pytest.raises(TypeError, match="no total"):
        len(progress(i for i in range(3)))


@pytest.mark.usefixtures("no_tqdm")
def test_fallback_closes_once_when_the_loop_breaks(capsys, clock):
    for i in progress(range(10)):
        if i == 3:
            break
    err = capsys.readouterr().err
    assert err == "3/10 (30%) ? it/s 00:00\n"


@pytest.mark.usefixtures("no_tqdm")
def test_fallback_total_from_a_dataloader(capsys):
    data = [(np.zeros(2), 0)] * 10
    batches = list(progress(DataLoader(data, 4), desc="train"))
    assert len(batches) == 3
    assert capsys.readouterr().err.startswith("train: 3/3 (100%)")


def test_fallback_tolerates_streams_without_isatty(clock):
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    sink = Sink()
    bar = P.Progress(range(2), file=sink)
    assert list(bar) == [0, 1]
    assert sink.text == "2/2 (100%) ? it/s 00:00\n"


# -- turning it off --------------------------------------------------------------
@pytest.mark.usefixtures("no_tqdm")
def test_disable_writes_nothing(capsys):
    bar = progress(range(4), desc="quiet", disable=True)
    assert list(bar) == [0, 1, 2, 3]
    bar.update(3)
    bar.set_postfix(loss=1.0)
    bar.close()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("value", ["0", "false", "OFF", "no"])
@pytest.mark.usefixtures("no_tqdm")
def test_env_var_turns_every_bar_off(capsys, monkeypatch, value):
    monkeypatch.setenv("XGRAD_PROGRESS", value)
    assert sum(progress(range(4), disable=False)) == 6
    with progress(total=2) as bar:
        bar.update(2)
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("no_tqdm")
def test_env_var_other_values_leave_bars_on(capsys, monkeypatch):
    monkeypatch.setenv("XGRAD_PROGRESS", "1")
    list(progress(range(2)))
    assert capsys.readouterr().err.startswith("2/2 (100%)")


# -- tqdm ------------------------------------------------------------------------
def test_tqdm_is_used_when_installed(fake_tqdm):
    bar = progress(range(3), total=3, desc="epoch 2")
    assert type(bar).__name__ == "FakeBar"
    assert list(bar) == [0, 1, 2]
    assert fake_tqdm == [{"total": 3, "desc": "epoch 2", "disable": False}]


def test_disabled_bars_do_not_need_tqdm(fake_tqdm, monkeypatch, capsys):
    assert isinstance(progress(range(3), disable=True), P.Progress)
    monkeypatch.setenv("XGRAD_PROGRESS", "0")
    assert list(progress(range(3))) == [0, 1, 2]
    assert fake_tqdm == []
    assert capsys.readouterr().err == ""
