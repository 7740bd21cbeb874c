"""The Epochs tab's epoch travels in the link (#24): a shared link reopens at the epoch it
was sent from, and an epoch the training does not have is named and dropped."""

from __future__ import annotations

from core.data.prepare import load_dataset
from core.families.neural_network.family import FAMILY
from core.fitting import fit_model
from tests.app.page_helpers import run_if_asked

PAGE = "app_pages/neural_network.py"


def test_a_link_with_an_epoch_reopens_the_epochs_tab_there(open_page):
    # The scrubber is bound to the link's ``epoch`` key (the browser writes it as it moves).
    at = run_if_asked(open_page(PAGE, view="Epochs", epoch="40"))
    assert at.select_slider(key="epoch").value == 40
    assert not [w.value for w in at.warning if "link" in w.value] and not at.exception
    assert any("after epoch 40" in m.value for m in at.markdown)


def test_an_epoch_the_training_does_not_have_is_named_and_the_last_is_used(open_page):
    iris = load_dataset("iris", "classification")
    start = {p.name: p.initial for p in FAMILY.hyperparameters}
    final = fit_model(FAMILY, "mlp_classifier", start, iris).model.n_iter_
    at = run_if_asked(open_page(PAGE, view="Epochs", epoch="99999"))
    notes = " ".join(w.value for w in at.warning)
    assert "epoch='99999' was ignored" in notes and f"{final} is used instead" in notes
    assert at.select_slider(key="epoch").value == final
    assert not at.exception
