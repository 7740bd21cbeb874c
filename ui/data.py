"""The data section of a family page: data set, target, split, seed and standardisation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from core.data.catalogue import UPLOAD_ID, get_dataset_spec
from core.data.prepare import target_problem
from core.data.tables import DataError, Dataset, Task
from core.data.uploads import MAX_UPLOAD_BYTES
from core.family import FamilySpec
from core.links import data_link_problems
from core.setting import SCALE, SEED, TASK, TEST_SIZE, Setting
from core.setting_file import family_dataset_spec
from core.text import escape_markdown
from ui.cache import cached_dataset, cached_table, cached_target_candidates, cached_upload
from ui.tables import show_table
from ui.widgets import drop_link_values, spec_widget

#: Rows of an upload shown as read, so an analyst can check the parse at a glance.
PREVIEW_ROWS = 10

#: The feature chooser's widget key.
FEATURES_KEY = "features"
#: Session state: the columns the user took out of the features, by the file's content
#: fingerprint (most recent last). The target is never in the chooser, but a column stays
#: in or out of this set whatever the target, so changing the target back restores it.
_REMOVED = "features_removed_by_file"
#: Session state: (uploader file id, content fingerprint), so a file is hashed once.
_FINGERPRINT = "upload_fingerprint"
#: Files whose feature choice is remembered in one session.
MAX_REMEMBERED_FILES = 16


def _preview(frame: pd.DataFrame) -> pd.DataFrame:
    """The first rows, with every column of Python objects shown as text: Arrow, which draws
    the table, refuses some objects (integers beyond 64 bits, mixed types)."""
    head = frame.head(PREVIEW_ROWS).copy()
    for col in range(head.shape[1]):
        if pd.api.types.is_object_dtype(head.dtypes.iloc[col]):
            head.isetitem(
                col, head.iloc[:, col].map(lambda v: v if v is None or v != v else str(v))
            )
    return head


def _fingerprint(file_id: str, data: bytes) -> str:
    """The upload's content fingerprint: the same bytes uploaded again are the same file."""
    known = st.session_state.get(_FINGERPRINT)
    if known is not None and known[0] == file_id:
        return known[1]
    digest = hashlib.sha256(data).hexdigest()[:24]
    st.session_state[_FINGERPRINT] = (file_id, digest)
    return digest


def _features_ui(fingerprint: str, columns: list[str]) -> list[str]:
    """The feature chooser for an upload; returns the chosen columns in table order.

    A file starts from all its columns. What the user unticks is remembered for that file
    (by content, not name), so another target or another page keeps the choice, another
    file starts afresh, and the current target, which is never offered, is not lost from
    the choice: picking another target makes it a feature again unless it was unticked.

    Only the user's own changes (the chooser's callback) change what is remembered; every
    run then draws the chooser from it. A rerun that interrupts another can hand the widget
    an empty value it never chose (seen under load: the box came up empty after two quick
    seed changes), and reading the choice back from the widget would remember that as
    every column unticked.
    """
    removed = st.session_state.setdefault(_REMOVED, {}).get(fingerprint, frozenset())
    # No default is given, so Streamlit takes this value without a warning.
    st.session_state[FEATURES_KEY] = [c for c in columns if c not in removed]
    chosen = st.multiselect(
        "Features",
        columns,
        key=FEATURES_KEY,
        on_change=_record_features,
        args=(fingerprint, tuple(columns)),
        help="The columns the model learns from (after text columns became dummies). "
        "Leave out an identifier or a column that gives the answer away.",
    )
    kept = set(chosen)
    return [c for c in columns if c in kept]


def _record_features(fingerprint: str, columns: tuple[str, ...]) -> None:
    """The chooser's callback: remember what the user took out of this file's columns.
    Columns not offered then (the target) keep their earlier state."""
    removed_by_file: dict[str, frozenset[str]] = st.session_state.setdefault(_REMOVED, {})
    removed = removed_by_file.pop(fingerprint, frozenset())
    kept = set(st.session_state.get(FEATURES_KEY) or ())
    removed_by_file[fingerprint] = frozenset(
        (removed - set(columns)) | {c for c in columns if c not in kept}
    )
    while len(removed_by_file) > MAX_REMEMBERED_FILES:
        del removed_by_file[next(iter(removed_by_file))]


@dataclass(frozen=True)
class DataChoice:
    """The prepared data and the settings that produced it.

    ``data_key`` identifies the table (data set id with its generator options, or the
    upload's content) and is part of every cache key downstream.
    """

    task: Task
    dataset: Dataset
    data_key: str
    dataset_id: str
    options: dict
    target: str
    scale: bool
    test_size: float
    seed: int
    default_target: str
    upload_name: str | None = None
    upload_delimiter: str | None = None
    upload_encoding: str | None = None
    upload_decimal: str = "."
    upload_skiprows: int = 0
    features: tuple[str, ...] | None = None

    @property
    def fitted_on(self) -> str:
        """Which data a fit saw (table and target), so comparisons can flag other data."""
        return f"{self.data_key}:{self.target}"

    def script_upload(self) -> dict[str, Any]:
        """How a generated script reads the uploaded file the user fitted on (its name, the
        way it was read, the features kept); empty for a built-in data set."""
        if self.upload_name is None:
            return {}
        return {
            "upload_name": self.upload_name,
            "upload_sep": self.upload_delimiter or ",",
            "upload_encoding": self.upload_encoding or "utf-8",
            "upload_decimal": self.upload_decimal,
            "upload_skiprows": self.upload_skiprows,
            "upload_features": self.features,
        }

    @property
    def setting(self) -> dict:
        """Every data value that defines the fit, by its URL key."""
        return {
            **self.data,
            "target": self.target,
            "scale": self.scale,
            "test_size": self.test_size,
            "seed": self.seed,
        }

    @property
    def data(self) -> dict:
        """Which table, by URL key: the data set, a generated set's options, an upload's
        task."""
        return {
            "dataset": self.dataset_id,
            **self.options,
            **({"task": self.task} if self.dataset_id == UPLOAD_ID else {}),
        }

    def setting_for(self, family_id: str, estimator_id: str, values: dict) -> Setting:
        """The one :class:`Setting` of a fit of this data: resolved here, once per run."""
        return Setting.of(
            family_id,
            estimator_id,
            values,
            data=self.data,
            data_key=self.data_key,
            target=self.target,
            scale=self.scale,
            test_size=self.test_size,
            seed=self.seed,
        )


def data_section(family: FamilySpec) -> DataChoice | None:
    """Draw the data controls and return the prepared data, or ``None`` after a message.

    The picker offers the data sets of every task the family serves; a built-in set brings
    its own task, an upload's task is chosen when the family serves both. Nothing raises to
    the page: a file or table that cannot serve the task shows an ``st.error`` sentence and
    the controls stay usable.
    """
    top = st.columns([3, 3, 2, 2, 2], vertical_alignment="bottom")
    with top[0]:
        dataset_id = spec_widget(family_dataset_spec(family))
    with top[3]:
        seed = spec_widget(SEED)
    with top[2]:
        test_size = spec_widget(TEST_SIZE)
    with top[4]:
        scale = spec_widget(replace(SCALE, start=family.scale_default))
    task = family.tasks[0]

    options: dict = {}
    if dataset_id == UPLOAD_ID:
        upload = st.file_uploader(
            f"CSV file (up to {MAX_UPLOAD_BYTES // 10**6} MB; comma, semicolon, tab or pipe "
            "separated; the first row holds column names)",
            type=["csv", "txt", "tsv"],
            key="upload",
        )
        st.caption("Uploaded data stay in this session only and cannot travel in a link.")
        if upload is None:
            with top[1]:
                st.selectbox("Target", ["(upload a file first)"], disabled=True)
            st.info("Choose a CSV file to train on your own data.")
            return None
        try:
            table = cached_upload(upload.file_id, upload.name, upload.getvalue())
        except DataError as exc:
            st.error(escape_markdown(str(exc)))
            return None
        data_key = f"upload:{upload.file_id}"
        fingerprint = _fingerprint(upload.file_id, upload.getvalue())
        name = upload.name
        with st.expander(f"The first rows as read ({len(table.frame):,} in all)"):
            # As parsed, before cleaning: what the app made of the file's text.
            show_table(_preview(table.frame))
        if len(family.tasks) > 1:
            task = spec_widget(TASK)
    else:
        spec = get_dataset_spec(dataset_id)
        task = spec.task
        if spec.options:
            with st.expander("Generator controls", expanded=False):
                cols = st.columns(len(spec.options))
                for col, option in zip(cols, spec.options, strict=True):
                    with col:
                        options[option.name] = spec_widget(option)
        try:
            # Fixed data sets ignore the seed: keep it out of their cache key.
            table_seed = seed if spec.options else 0
            table = cached_table(dataset_id, table_seed, tuple(sorted(options.items())))
        except DataError as exc:
            st.error(escape_markdown(str(exc)))
            return None
        # Fixed data sets ignore the seed, so it is not part of their key.
        data_key = f"{dataset_id}:{sorted(options.items())}:{seed}" if spec.options else dataset_id
        name = spec.label

    candidates = cached_target_candidates(data_key, task, table)
    if table.default_target not in candidates:
        problem = target_problem(table.frame, table.default_target, task)
        st.warning(
            f"The last column cannot be the target here: {escape_markdown(problem)}",
            icon=":material/info:",
        )
    if candidates:
        # The link registry checks the target like any data-bound key (the box would drop
        # a column it does not offer silently); what is used instead comes first.
        fallback = table.default_target if table.default_target in candidates else candidates[0]
        targets = [fallback, *(c for c in candidates if c != fallback)]
        drop_link_values(
            data_link_problems(
                st.query_params.to_dict(), {"targets": targets}, held=st.session_state
            )
        )
    with top[1]:
        if not candidates:
            st.selectbox("Target", ["(none fits)"], disabled=True)
        else:
            default = table.default_target if table.default_target in candidates else None
            target = st.selectbox(
                "Target",
                candidates,
                index=candidates.index(default) if default else 0,
                key="target",
                bind="query-params",
                help="The column the model predicts; every other column is a feature.",
            )
    if not candidates:
        kind = (
            "numeric column with at least three distinct values"
            if task == "regression"
            else ("column with 2 to 20 distinct values")
        )
        st.error(f"No column can be the target here: this page needs a {kind}.")
        return None
    try:
        dataset = cached_dataset(data_key, target, task, name, table)
    except DataError as exc:
        st.error(escape_markdown(str(exc)))
        return None
    st.caption(escape_markdown(dataset.description))
    if dataset.notes:
        # What was read and repaired matters to an analyst: a visible box, not small print.
        st.info(
            "\n".join("- " + escape_markdown(note) for note in dataset.notes),
            icon=":material/build:",
        )
    features = None
    if dataset_id == UPLOAD_ID:
        chosen = _features_ui(fingerprint, [str(c) for c in dataset.X.columns])
        if not chosen:
            st.error("Choose at least one feature to learn from.")
            return None
        if len(chosen) < dataset.X.shape[1]:
            features = tuple(chosen)
            dataset = replace(dataset, X=dataset.X[list(features)])
            # A fit on other columns is another fit: the choice is part of every key.
            digest = hashlib.sha1("\x1f".join(features).encode("utf-8", "surrogatepass"))
            data_key = f"{data_key}:features={digest.hexdigest()[:12]}"
    return DataChoice(
        task=task,
        dataset=dataset,
        data_key=data_key,
        dataset_id=dataset_id,
        options=options,
        target=target,
        scale=scale,
        test_size=test_size,
        seed=seed,
        default_target=table.default_target,
        upload_name=name if dataset_id == UPLOAD_ID else None,
        upload_delimiter=table.delimiter,
        upload_encoding=table.encoding,
        upload_decimal=table.decimal,
        upload_skiprows=table.skiprows,
        features=features,
    )
