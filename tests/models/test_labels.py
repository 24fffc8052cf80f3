import numpy as np
import pytest

from models.labels import LabelMappingError, label_matrix, softmax


def test_contract_names_map_to_themselves_in_any_order_and_case():
    matrix = label_matrix({0: "Positive", 1: "NEGATIVE", 2: "neutral"})
    probabilities = np.array([[0.7, 0.2, 0.1]]) @ matrix
    assert probabilities[0].tolist() == pytest.approx([0.2, 0.1, 0.7])


def test_star_ratings_are_summed_into_three_labels():
    matrix = label_matrix({i: f"{i + 1} star{'s' if i else ''}" for i in range(5)})
    probabilities = np.array([[0.1, 0.2, 0.3, 0.25, 0.15]]) @ matrix
    assert probabilities[0].tolist() == pytest.approx([0.3, 0.3, 0.4])


def test_generic_label_names_follow_the_usual_order():
    assert label_matrix({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}).argmax(axis=1).tolist() == [0, 1, 2]
    assert label_matrix({0: "LABEL_0", 1: "LABEL_1"}).argmax(axis=1).tolist() == [0, 2]


@pytest.mark.parametrize("id2label", [{0: "joy", 1: "anger", 2: "fear"}, {0: "positive"}, {0: "negative", 2: "positive"}])
def test_unmappable_labels_are_a_clear_error(id2label):
    with pytest.raises(LabelMappingError):
        label_matrix(id2label)


def test_softmax_rows_sum_to_one_even_for_large_logits():
    out = softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 1.0, 1.0]]))
    assert out.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert out[0, 0] == pytest.approx(1.0)
