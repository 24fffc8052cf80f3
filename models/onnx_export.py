"""Exporting the trained classifier to ONNX, and its dynamic int8 quantization (build step only)."""

from __future__ import annotations

from pathlib import Path

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"


def export_onnx(model, path: Path, opset: int = 17) -> None:
    """input_ids, attention_mask [batch, tokens] (int64) -> logits [batch, labels]."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    path.parent.mkdir(parents=True, exist_ok=True)
    # The example must contain padding: traced with an all-ones mask, transformers skips
    # building the attention mask and the exported graph would ignore it.
    input_ids = torch.tensor([[0, 100, 200, 300, 2], [0, 100, 2, 1, 1]])
    attention_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    example = (input_ids, attention_mask)
    axes = {0: "batch", 1: "tokens"}
    model.eval()
    model.set_attn_implementation("eager")  # plain ops trace into portable ONNX
    with torch.no_grad():
        torch.onnx.export(
            LogitsOnly(model), example, str(path), input_names=["input_ids", "attention_mask"],
            output_names=["logits"], dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
            opset_version=opset, dynamo=False,
        )


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8: weights int8 ahead of time, activations quantized per batch at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)
