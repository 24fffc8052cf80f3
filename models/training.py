"""Fine-tuning the top of the packaged encoder into a 3-way sentiment classifier (torch).

The model is a standard ``BertForSequenceClassification`` so that
``pipeline("text-classification", model=DIR)`` loads the saved checkpoint. The embeddings
and the lower layers stay frozen: their output for every training comment is computed once,
and only the top ``trainable_layers`` layers, the pooler and the classifier train on it. That
makes a build take a minute on 2 cores instead of many. Seeded and single-order, so the same
inputs give the same checkpoint.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from models.batching import length_sorted_batches
from models.comments import LABELS, LabelledComment
from models.e5_encoder import PAD_ID

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class TrainingConfig:
    num_layers: int = 12  # encoder layers kept (of e5-small's 12): fewer is faster to serve
    trainable_layers: int = 4
    epochs: int = 3
    batch_size: int = 16
    encoder_lr: float = 5e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    max_tokens: int = 128
    seed: int = 7


def _additive_mask(mask, dtype):
    import torch

    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def build_classifier(config_dict: dict, state: dict[str, np.ndarray], num_layers: int):
    """A BertForSequenceClassification with the encoder's first ``num_layers`` layers loaded."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        **{k: v for k, v in config_dict.items() if k != "model_type"},
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    config.num_hidden_layers = num_layers
    model = BertForSequenceClassification(config)
    kept = {
        name: torch.from_numpy(value)
        for name, value in state.items()
        if not name.startswith("bert.encoder.layer.") or int(name.split(".")[3]) < num_layers
    }
    result = model.load_state_dict(kept, strict=False)
    unexpected_new = set(result.missing_keys) - {
        "bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"
    }
    if unexpected_new or result.unexpected_keys:
        raise RuntimeError(f"encoder weights do not fit: missing {sorted(unexpected_new)}, "
                           f"unexpected {sorted(result.unexpected_keys)}")
    return model


def fine_tune(model, tokenizer, comments: Sequence[LabelledComment], config: TrainingConfig,
              progress: Progress | None = None) -> list[float]:
    """Train in place; returns the mean loss of each epoch."""
    import torch

    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    frozen_layers = config.num_layers - config.trainable_layers
    if not 0 <= frozen_layers < config.num_layers:
        raise ValueError("trainable_layers must be between 1 and num_layers")
    bert = model.bert
    for parameter in model.parameters():
        parameter.requires_grad = False
    trainable = [*bert.encoder.layer[frozen_layers:], bert.pooler, model.classifier]
    for module in trainable:
        for parameter in module.parameters():
            parameter.requires_grad = True

    encodings = [
        tokenizer(c.text, truncation=True, max_length=config.max_tokens)["input_ids"] for c in comments
    ]
    targets = [LABELS.index(c.label) for c in comments]
    steps_per_epoch = (len(comments) + config.batch_size - 1) // config.batch_size
    total = len(comments) + config.epochs * steps_per_epoch
    done = 0

    # 1. The frozen part, once: hidden states after the last frozen layer, per comment,
    #    computed in length-sorted batches so that little of it is padding.
    model.eval()
    features: list[torch.Tensor] = [torch.empty(0)] * len(encodings)
    with torch.no_grad():
        for batch in length_sorted_batches([len(ids) for ids in encodings], 32):
            length = max(len(encodings[i]) for i in batch)
            ids = torch.full((len(batch), length), PAD_ID, dtype=torch.long)
            mask = torch.zeros(len(batch), length)
            for row, i in enumerate(batch):
                ids[row, : len(encodings[i])] = torch.tensor(encodings[i])
                mask[row, : len(encodings[i])] = 1
            hidden = bert.embeddings(input_ids=ids)
            additive = _additive_mask(mask, hidden.dtype)
            for layer in bert.encoder.layer[:frozen_layers]:
                hidden = layer(hidden, additive)
                hidden = hidden[0] if isinstance(hidden, tuple) else hidden
            for row, i in enumerate(batch):
                features[i] = hidden[row, : len(encodings[i])].clone()
            done += len(batch)
            if progress:
                progress(done, total)

    # 2. The trainable top, for a few epochs over padded mini-batches of those features.
    head_params = [p for m in (bert.pooler, model.classifier) for p in m.parameters()]
    layer_params = [p for layer in bert.encoder.layer[frozen_layers:] for p in layer.parameters()]
    optimizer = torch.optim.AdamW(
        [{"params": head_params, "lr": config.head_lr}, {"params": layer_params, "lr": config.encoder_lr}],
        weight_decay=config.weight_decay,
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    model.train()
    for _epoch in range(config.epochs):
        order = list(range(len(comments)))
        rng.shuffle(order)
        epoch_loss = 0.0
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            length = max(features[i].shape[0] for i in batch)
            hidden = torch.zeros(len(batch), length, features[0].shape[-1])
            mask = torch.zeros(len(batch), length)
            for row, i in enumerate(batch):
                hidden[row, : features[i].shape[0]] = features[i]
                mask[row, : features[i].shape[0]] = 1
            additive = _additive_mask(mask, hidden.dtype)
            for layer in bert.encoder.layer[frozen_layers:]:
                hidden = layer(hidden, additive)
                hidden = hidden[0] if isinstance(hidden, tuple) else hidden
            logits = model.classifier(model.dropout(bert.pooler(hidden)))
            loss = loss_fn(logits, torch.tensor([targets[i] for i in batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
            done += 1
            if progress:
                progress(done, total)
        losses.append(epoch_loss / len(comments))
    model.eval()
    return losses
