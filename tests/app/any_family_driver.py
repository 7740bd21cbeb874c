"""Drive every shared tab of the toy family's page in a copy of the app, and print what the
page shows as JSON.

Run by ``tests/app/test_any_family.py`` in a subprocess whose working directory (and only
import path for the app) is the copy, so the app and the toy family are imported from the
copy and nothing leaks from the test process. This file only reads the page; the test
compares the numbers with scikit-learn fitted directly.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

COPY = Path.cwd().resolve()

import core  # noqa: E402  (after COPY: the check below is about this import)

if not Path(core.__file__).resolve().is_relative_to(COPY):
    sys.exit(f"core was imported from {core.__file__}, not from the copy {COPY}")

from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

#: The Sweeps tab's grid: few points over a range where alpha visibly shrinks the model.
SWEEP = {"points": 4, "low": 0.01, "high": 1000.0, "folds": 5}


def record_downloads() -> dict[str, bytes]:
    """Every file a download button hands to Streamlit, by file name (as tests/app/conftest's
    ``downloads`` fixture does)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    MemoryMediaFileStorage.load_and_get_id = record
    return files


def check(at: AppTest) -> AppTest:
    """Fail with the page's own traceback text when a run raised."""
    if at.exception:
        sys.exit("the page raised: " + " | ".join(str(e.value) for e in at.exception))
    return at


def run_if_asked(at: AppTest) -> AppTest:
    """Click "Run it" wherever a view waits because its work looks long (it depends on how
    busy the machine is), until none is left."""
    for button in at.button:
        if button.label.startswith("Run it"):
            button.click().run()
            return run_if_asked(check(at))
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Switch the family page to a tab as a click would (the tab's state and the URL)."""
    at.session_state["view"] = label
    at.query_params["view"] = label
    at.run()
    return run_if_asked(check(at))


def frame(at: AppTest, *columns: str) -> Any:
    """The first table on the page with these columns."""
    for element in at.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    sys.exit(f"no table with the columns {columns}")


def records(table: Any) -> list[dict[str, Any]]:
    """A table as rows of plain values, numbers at full precision."""
    return json.loads(json.dumps(table.to_dict(orient="records"), default=plain))


def plain(value: Any) -> Any:
    """A NumPy or pandas scalar as the Python value JSON can hold."""
    return value.item() if hasattr(value, "item") else str(value)


def decode(array: Any) -> list[float]:
    """Plotly's JSON may pack arrays as base64 typed arrays."""
    if isinstance(array, dict) and "bdata" in array:
        values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    else:
        values = np.asarray(array, dtype=float)
    return [float(v) for v in values]


def chart(at: AppTest, key: str) -> list[dict[str, Any]]:
    """The named traces of the plotly chart with this key: name, x and y."""
    for element in at.get("plotly_chart"):
        if key in element.proto.id:
            return [
                {"name": t.get("name"), "x": decode(t["x"]), "y": decode(t["y"])}
                for t in json.loads(element.proto.spec)["data"]
                if "x" in t and "y" in t
            ]
    sys.exit(f"no chart {key!r}")


def main() -> None:
    downloads = record_downloads()
    out: dict[str, Any] = {"core": str(Path(core.__file__).resolve().parent), "seconds": {}}
    started = time.perf_counter()

    def lap(phase: str) -> None:
        """Record how long the phase since the last took (for a reader chasing slowness)."""
        nonlocal started
        now = time.perf_counter()
        out["seconds"][phase] = round(now - started, 2)
        started = now

    at = AppTest.from_file(str(COPY / "app.py"), default_timeout=120)
    check(at.run())  # the home page lists every family with its default fit's count
    out["home"] = records(frame(at, "parameters learned"))
    lap("home")
    at.switch_page("app_pages/toy.py")
    check(at.run())

    # The first screen: title, count, learned values, interpretation, tabs.
    out["page"] = {
        "title": at.title[0].value,
        "count": at.metric[0].value,
        "learned": records(frame(at, "value_fitted")),
        "markdown": [m.value for m in at.markdown],
        "tabs": [t.label for t in at.tabs],
    }

    lap("page")
    # Compare (the first tab): pin A at the page's start, then a strong penalty as B.
    at.button(key="pinned_toy_pin").click().run()
    at.number_input(key="alpha").set_value(100.0).run()
    check(at)
    out["compare"] = {
        "setting": records(frame(at, "setting", "changed")),
        "metrics": records(frame(at, "metric", "B - A")),
        "terms": records(frame(at, "term", "B - A")),
    }

    lap("compare")
    # Sweeps: alpha (the penalty, swept first) over a chosen range.
    open_tab(at, "Sweeps")
    out["sweeps_param"] = at.selectbox(key="curve_param").value
    at.number_input(key="sweep_points").set_value(SWEEP["points"]).run()
    at.number_input(key="sweep_low_alpha").set_value(SWEEP["low"]).run()
    at.number_input(key="sweep_high_alpha").set_value(SWEEP["high"]).run()
    run_if_asked(check(at))
    out["sweeps"] = {
        "settings": SWEEP,
        "folds": at.number_input(key="sweep_folds").value,
        "measures": chart(at, "measures_chart"),
        "curve": chart(at, "curve_chart"),
    }

    lap("sweeps")
    # Predict: test row 3 through the learned parameters, then bmi edited to 40.
    at.query_params["row_set"] = "test"
    at.query_params["row"] = "3"
    open_tab(at, "Predict")
    out["predict"] = {
        "metrics": {m.label: m.value for m in at.metric},
        "contributions": records(frame(at, "term", "contribution (as fitted)")),
        "markdown": [m.value for m in at.markdown],
    }
    at.number_input(key="whatif_2").set_value(40.0).run()
    check(at)
    out["predict_edited"] = {
        "metrics": {m.label: m.value for m in at.metric},
        "contributions": records(frame(at, "term", "contribution (as fitted)")),
        "info": [i.value for i in at.info],
        "edit": at.query_params.get("edit"),
    }

    lap("predict")
    # Stability, when the family's terms can be resampled.
    if "Stability" in out["page"]["tabs"]:
        at.query_params["n_resamples"] = "10"
        open_tab(at, "Stability")
        out["stability"] = {
            "intervals": records(frame(at, "feature", "fitted")),
            "markdown": [m.value for m in at.markdown],
        }

    lap("stability")
    # Reproduce: the script and the downloads.
    open_tab(at, "Reproduce")
    out["reproduce"] = {
        "learned": records(frame(at, "value_fitted")),  # the page's, at the current setting
        "shown": [c.value for c in at.code if c.language == "python"],
        "files": {name: data.decode() for name, data in downloads.items()},
    }

    lap("reproduce")
    # History: every run of this session.
    open_tab(at, "History")
    out["history"] = records(frame(at, "run", "learned"))

    lap("history")
    # Tune (after History, whose runs it would add to): alpha, offered first, on a 4-point
    # grid, run on a click, then made current.
    open_tab(at, "Tune")
    out["tune_param"] = at.selectbox(key="tune").value
    at.number_input(key="tune_points").set_value(4).run()
    asked = [b.label for b in at.button if b.label.startswith("Run the search")]
    at.button(key="tune_run").click().run()
    check(at)
    out["tune"] = {
        "asked": asked,
        "metrics": {m.label: m.value for m in at.metric},
        "curve": chart(at, "tune_chart"),
        "outer": records(frame(at, "fold", "outer score")),
    }
    at.button(key="tune_use").click().run()
    check(at)
    out["tune"]["alpha_after_use"] = at.number_input(key="alpha").value
    at.number_input(key="alpha").set_value(100.0).run()  # back to B for /families
    check(at)

    lap("tune")
    # /families: the toy family beside the others, then every family's capacity swept.
    at.query_params.clear()
    at.switch_page("app_pages/families.py")
    check(at.run())
    out["families"] = records(frame(at, "learned parameters"))
    out["families_captions"] = [c.value for c in at.caption]
    lap("families")
    at.button(key="families_sweep").click().run()
    check(at)
    out["families_sweep"] = records(frame(at, "cv_mean"))
    lap("families_sweep")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
