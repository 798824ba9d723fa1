"""Distils a shallow query encoder from bge-small-en-v1.5: a student of the teacher's own layers (--layers of 12,
evenly spaced, ending at the last) trained so that its [CLS] vector of a query matches the teacher's, by cosine.
Passages stay encoded by the teacher, so an index built with bge-small-en-v1.5 is searched with the student's
query vectors unchanged: only the query side gets cheaper, which is where search latency goes.

Training texts (no relevance labels are used): SQuAD 2.0 questions and context sentences, banking77 and
clinc150 training utterances, SciFact *training* claims, and sentences of the SciFact corpus (the documents a
deployment indexes). Any text equal to a SciFact test claim is dropped (two test claims also occur verbatim
among the training claims or corpus sentences).

  /usr/bin/python3 distill_query_encoder.py --onnx bge-small-en-v1.5.onnx --tokenizer tokenizer.json \
      --datasets ../../../shared/datasets --layers 4 --out DIR            # train, then export
  /usr/bin/python3 distill_query_encoder.py ... --epochs 0 --out DIR      # export the untrained student

Writes DIR/model.onnx (int8: MatMulInteger with per-column weight scales, as ONNX Runtime's dynamic
quantisation does; embedding tables int8 per row), DIR/tokenizer.json and DIR/query-encoder.json (teacher
checksum, pooling, layers, data, held-out cosine), which Ragline reads to refuse an index of another model.
Runs on CPU with bf16 autocast.
"""
import argparse
import copy
import csv
import json
import math
import os
import random
import re
import shutil
import sys
import time

import numpy as np
import onnx
import onnx.helper as oh
import onnx.numpy_helper as nh
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(HERE, "..", "..", "generation", "training", "reader"))
from bert import from_onnx  # noqa: E402
from export_reader import quantize_graph, quantize_rows, sha256  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

MAX_TOKENS = 64  # queries are short; longer training sentences are cut


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if 4 <= len(s.split()) <= 48]


def training_texts(root, corpus_sentences, seed):
    """(texts, per-source counts): `corpus_sentences` SciFact corpus sentences drawn at random (the longest texts,
    so they set the training time), texts equal to a SciFact test claim dropped."""
    sources = {}
    squad = json.load(open(os.path.join(root, "squad2", "dev-shared.json")))["data"]
    sources["squad2 questions"] = [qa["question"] for a in squad for p in a["paragraphs"] for qa in p["qas"]]
    sources["squad2 context sentences"] = [s for a in squad for p in a["paragraphs"] for s in sentences(p["context"])]
    with open(os.path.join(root, "banking77", "train.csv")) as f:
        sources["banking77 train"] = [row["text"] for row in csv.DictReader(f)]
    clinc = json.load(open(os.path.join(root, "clinc150", "data_full.json")))
    sources["clinc150 train+val"] = [t for k in ("train", "val", "oos_train", "oos_val") for t, _ in clinc[k]]
    queries = {q["_id"]: q["text"] for q in map(json.loads, open(os.path.join(root, "scifact", "queries.jsonl")))}

    def qrel_ids(split):
        with open(os.path.join(root, "scifact", "qrels", split + ".tsv")) as f:
            return {row[0] for row in csv.reader(f, delimiter="\t") if row and row[0] != "query-id"}

    train_ids, test_ids = qrel_ids("train"), qrel_ids("test")
    sources["scifact train claims"] = [queries[i] for i in sorted(train_ids - test_ids) if i in queries]
    corpus = [json.loads(line) for line in open(os.path.join(root, "scifact", "corpus.jsonl"))]
    all_sentences = [s for d in corpus for s in [d["title"]] + sentences(d["text"])]
    sources["scifact corpus sentences"] = random.Random(seed).sample(all_sentences, min(corpus_sentences, len(all_sentences)))
    test_claims = {queries[i] for i in test_ids if i in queries}
    # A test claim can also be a training claim or a corpus sentence, word for word: such texts are dropped.
    texts = sorted({t.strip() for ts in sources.values() for t in ts if t.strip()} - test_claims)
    return texts, {k: len(v) for k, v in sources.items()}


def tokenize(wp, texts):
    return [[wp.cls] + wp.encode(t)[0][:MAX_TOKENS - 2] + [wp.sep] for t in texts]


def batches(encoded, order, batch_size, pad_id):
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        t = max(len(encoded[i]) for i in idx)
        ids = torch.full((len(idx), t), pad_id, dtype=torch.long)
        mask = torch.zeros((len(idx), t), dtype=torch.long)
        for r, i in enumerate(idx):
            ids[r, :len(encoded[i])] = torch.tensor(encoded[i])
            mask[r, :len(encoded[i])] = 1
        yield idx, ids, mask, torch.zeros_like(ids)


def embed(model, encoded, pad_id, batch_size=256, progress=False):
    """Unit-length [CLS] vectors (bge's pooling) of every tokenised text, in input order."""
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = np.zeros((len(encoded), model.word.weight.shape[1]), dtype=np.float32)
    started, done = time.time(), 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for idx, ids, mask, types in batches(encoded, order, batch_size, pad_id):
            out[idx] = F.normalize(model.encode(ids, mask, types)[:, 0].float(), dim=-1).numpy()
            done += len(idx)
            if progress and (done // batch_size) % 40 == 0:
                print(f"  encoded {done}/{len(encoded)} ({ids.shape[1]} tokens), {done / (time.time() - started):.0f}/s",
                      flush=True)
    return out


def student_of(teacher, layers):
    """A copy of the teacher keeping `layers` of its layers, evenly spaced and ending at the last one."""
    n = len(teacher.layers)
    keep = sorted({round(n - 1 - i * (n / layers)) for i in range(layers)})
    student = copy.deepcopy(teacher)
    student.layers = nn.ModuleList([student.layers[i] for i in keep])
    for m in student.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0  # regression onto fixed targets; dropout only slowed convergence in trials
    return student, keep


class HiddenStates(nn.Module):
    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert.encode(input_ids, attention_mask, token_type_ids)


def quantize_matmuls(model):
    """Rewrites every MatMul with a float weight [in, out] as ONNX Runtime's dynamic quantisation does: the
    activation is quantised per run (DynamicQuantizeLinear, uint8), the weight is int8 with one scale per output
    column, MatMulInteger multiplies, and the int32 result is scaled back to float."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    nodes = []
    count = 0
    quantized_inputs = {}
    for node in g.node:
        w_init = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w_init is None or nh.to_array(w_init).ndim != 2:
            nodes.append(node)
            continue
        w = nh.to_array(w_init)
        q, scale = quantize_rows(w.T)  # per output column
        base = node.input[1]
        g.initializer.extend([nh.from_array(q.T.copy(), base + "_q"),
                              nh.from_array(np.zeros(scale.shape, np.int8), base + "_zero"),
                              nh.from_array(scale, base + "_scale")])
        g.initializer.remove(w_init)
        x = node.input[0]
        if x not in quantized_inputs:  # q, k and v share one quantised input
            quantized_inputs[x] = (x + "_u8", x + "_u8scale", x + "_u8zero")
            nodes.append(oh.make_node("DynamicQuantizeLinear", [x], list(quantized_inputs[x])))
        xq, xs, xz = quantized_inputs[x]
        out = node.output[0]
        nodes += [oh.make_node("MatMulInteger", [xq, base + "_q", xz, base + "_zero"], [out + "_i32"]),
                  oh.make_node("Cast", [out + "_i32"], [out + "_f"], to=onnx.TensorProto.FLOAT),
                  oh.make_node("Mul", [xs, base + "_scale"], [out + "_s"]),
                  oh.make_node("Mul", [out + "_f", out + "_s"], [out])]
        count += 1
    del g.node[:]
    g.node.extend(nodes)
    return model, count


def export(student, wp, out_dir, opset=14):
    os.makedirs(out_dir, exist_ok=True)
    fp32 = os.path.join(out_dir, "model-fp32.onnx")
    ids = torch.tensor([[wp.cls] + wp.encode("how long does a full charge take")[0] + [wp.sep]])
    student.eval()
    torch.onnx.export(HiddenStates(student).float(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), fp32,
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], opset_version=opset,
                      dynamic_axes={n: {0: "batch", 1: "tokens"} for n in
                                    ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]})
    model, matmuls = quantize_matmuls(onnx.load(fp32))
    model, _ = quantize_graph(model)  # the embedding tables (Gather) per row; MatMul weights are int8 already
    onnx.checker.check_model(model)
    path = os.path.join(out_dir, "model.onnx")
    onnx.save(model, path)
    os.remove(fp32)
    print(f"wrote {path}: {os.path.getsize(path) // 1024} KiB, {matmuls} MatMuls int8", flush=True)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True, help="the teacher: bge-small-en-v1.5 fp32 ONNX export")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--datasets", default=os.path.join(HERE, "..", "..", "..", "shared", "datasets"))
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--held-out", type=int, default=2000)
    ap.add_argument("--corpus-sentences", type=int, default=25000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="torch threads (its OpenMP default was 1 here)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    wp = WordPiece(args.tokenizer)
    teacher = from_onnx(args.onnx)
    student, keep = student_of(teacher, args.layers)
    print(f"student: teacher layers {keep}", flush=True)

    texts, counts = training_texts(args.datasets, args.corpus_sentences, args.seed)
    random.shuffle(texts)
    held, train_texts = texts[:args.held_out], texts[args.held_out:]
    print(f"{len(train_texts)} training texts, {len(held)} held out; sources {counts}", flush=True)
    log, kept = ([], 0) if not args.epochs else train(args, wp, teacher, student, train_texts, held)
    path = export(student, wp, args.out)
    shutil.copy(args.tokenizer, os.path.join(args.out, "tokenizer.json"))
    provenance = {
        "kind": "query encoder distilled from a passage encoder",
        "teacherSha256": sha256(args.onnx), "teacher": os.path.basename(args.onnx),
        "pooling": "CLS", "queryInstruction": False, "maxTokens": MAX_TOKENS,
        "teacherLayersKept": keep, "layers": args.layers, "modelSha256": sha256(path),
        "training": {"epochs": args.epochs, "batch": args.batch, "lr": args.lr, "seed": args.seed,
                     "loss": "1 - cosine(student CLS, teacher CLS), teacher without query instruction",
                     "texts": len(train_texts), "heldOut": len(held), "sources": counts,
                     "corpusSentences": args.corpus_sentences, "keptEpoch": kept,
                     "log": log},
        "weights": "int8: MatMulInteger with per-column weight scales and per-run activation scales; "
                   "embedding tables int8 per row",
    }
    with open(os.path.join(args.out, "query-encoder.json"), "w") as f:
        json.dump(provenance, f, indent=2)
    print(json.dumps(log), flush=True)


def train(args, wp, teacher, student, train, held):
    """Trains the student in place (the epoch with the best held-out cosine is kept); returns (log, epoch)."""
    enc_train, enc_held = tokenize(wp, train), tokenize(wp, held)
    targets_path = os.path.join(args.out, f"teacher-{sha256(args.onnx)[:12]}-{len(train)}-{len(held)}-{args.seed}.npy")
    started = time.time()
    if os.path.exists(targets_path):
        targets = np.load(targets_path)
    else:
        targets = embed(teacher, enc_train + enc_held, wp.pad, progress=True)
        np.save(targets_path, targets)
    print(f"teacher vectors in {time.time() - started:.0f} s", flush=True)
    t_train, t_held = torch.from_numpy(targets[:len(train)]), targets[len(train):]

    def held_cosine():
        return float((embed(student, enc_held, wp.pad) * t_held).sum(1).mean())

    log = [{"epoch": 0, "heldOutCosine": held_cosine()}]
    print(f"epoch 0: held-out cosine {log[-1]['heldOutCosine']:.4f}", flush=True)
    best = (log[-1]["heldOutCosine"], copy.deepcopy(student.state_dict()), 0)
    opt = torch.optim.AdamW(student.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * math.ceil(len(train) / args.batch)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    for epoch in range(1, args.epochs + 1):
        student.train()
        # Similar lengths per batch (less padding), batches in random order.
        order = sorted(range(len(train)), key=lambda i: (len(enc_train[i]), random.random()))
        chunks = [order[b:b + args.batch] for b in range(0, len(order), args.batch)]
        random.shuffle(chunks)
        started, total = time.time(), 0.0
        for c, chunk in enumerate(chunks):
            idx, ids, mask, types = next(batches(enc_train, chunk, len(chunk), wp.pad))
            with torch.autocast("cpu", dtype=torch.bfloat16):
                cls = student.encode(ids, mask, types)[:, 0].float()
            loss = (1 - F.cosine_similarity(cls, t_train[idx], dim=-1)).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
            if (c + 1) % 100 == 0:
                print(f"epoch {epoch} step {c + 1}/{len(chunks)} loss {total / (c + 1):.4f} "
                      f"{(c + 1) / (time.time() - started):.2f} steps/s", flush=True)
        cosine = held_cosine()
        log.append({"epoch": epoch, "trainLoss": total / len(chunks), "heldOutCosine": cosine,
                    "seconds": round(time.time() - started)})
        print(f"epoch {epoch}: loss {total / len(chunks):.4f}, held-out cosine {cosine:.4f}, "
              f"{time.time() - started:.0f} s", flush=True)
        if cosine > best[0]:
            best = (cosine, copy.deepcopy(student.state_dict()), epoch)
    student.load_state_dict(best[1])
    return log, best[2]

if __name__ == "__main__":
    main()
