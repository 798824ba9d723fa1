"""Fine-tunes a pretrained BERT encoder (from its ONNX export) as an extractive SQuAD 2.0 reader.

Data split (whole articles): the five held-out articles of ../split.py are never read here; of the 20
training articles, VALIDATION_POSITIONS are kept out of training and used to choose the epoch and the
no-answer threshold. Runs on CPU with bf16 autocast (AMX).

  /usr/bin/python3 train_reader.py --onnx bge.onnx --tokenizer tokenizer.json --squad dev-shared.json --out DIR
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from split import load  # noqa: E402
from bert import from_onnx  # noqa: E402
from features import windows, label, best_span, scores  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

VALIDATION_POSITIONS = (3, 10, 17)  # positions in the list of 20 training articles


def questions(articles):
    for art in articles:
        for para in art["paragraphs"]:
            for qa in para["qas"]:
                golds = [a["text"] for a in qa["answers"]] if not qa.get("is_impossible") else []
                first = qa["answers"][0] if golds else None
                yield {"id": qa["id"], "question": qa["question"], "context": para["context"], "golds": golds,
                       "start": first["answer_start"] if first else None,
                       "end": first["answer_start"] + len(first["text"]) if first else None}


def pad(batch, pad_id):
    t = max(len(w["ids"]) for w in batch)
    ids = torch.full((len(batch), t), pad_id, dtype=torch.long)
    types = torch.zeros((len(batch), t), dtype=torch.long)
    mask = torch.zeros((len(batch), t), dtype=torch.long)
    for i, w in enumerate(batch):
        n = len(w["ids"])
        ids[i, :n] = torch.tensor(w["ids"])
        types[i, :n] = torch.tensor(w["types"])
        mask[i, :n] = 1
    return ids, mask, types


def predict(model, wp, qs, batch_size=64):
    """Per question: best span text, its span score, the null score (start[0]+end[0]) and the answerable
    logit, each taken over the question's windows as the Java reader does."""
    model.eval()
    feats = []
    for qi, q in enumerate(qs):
        for w in windows(wp, q["question"], q["context"]):
            w["q"] = qi
            feats.append(w)
    feats.sort(key=lambda w: len(w["ids"]))
    out = [{"span": float("-inf"), "text": "", "null": float("inf"), "answerable": float("-inf")} for _ in qs]
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for b in range(0, len(feats), batch_size):
            batch = feats[b:b + batch_size]
            s, e, a = model(*pad(batch, wp.pad))
            s, e, a = s.float().numpy(), e.float().numpy(), a.float().numpy()
            for i, w in enumerate(batch):
                o = out[w["q"]]
                n = len(w["ids"])
                span, si, ei = best_span(s[i, :n], e[i, :n], w["offsets"])
                if span > o["span"]:
                    ctx = qs[w["q"]]["context"]
                    o["span"], o["text"] = float(span), ctx[w["offsets"][si][0]:w["offsets"][ei][1]]
                o["null"] = min(o["null"], float(s[i, 0] + e[i, 0]))
                o["answerable"] = max(o["answerable"], float(a[i]))
    return out


def no_answer_margins(preds):
    """Candidate 'answer rather than abstain' scores: higher means answer."""
    return {
        "span_minus_null": np.array([p["span"] - p["null"] for p in preds]),
        "answerable_logit": np.array([p["answerable"] for p in preds]),
        "sum": np.array([p["span"] - p["null"] + p["answerable"] for p in preds]),
    }


def auc(score, positive):
    order = np.argsort(score)
    ranks = np.empty(len(score)); ranks[order] = np.arange(1, len(score) + 1)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def evaluate(qs, preds, margin, threshold):
    em = f1 = 0.0
    ans = {"em": 0.0, "f1": 0.0, "n": 0}
    una = {"em": 0.0, "f1": 0.0, "n": 0}
    for q, p, m in zip(qs, preds, margin):
        text = p["text"] if m > threshold else ""
        e, f = scores(text, q["golds"])
        em += e; f1 += f
        d = ans if q["golds"] else una
        d["em"] += e; d["f1"] += f; d["n"] += 1
    n = len(qs)
    r = lambda x, k: 100.0 * x / max(k, 1)
    return {"em": r(em, n), "f1": r(f1, n), "answerable_f1": r(ans["f1"], ans["n"]),
            "unanswerable_f1": r(una["f1"], una["n"]), "n": n}


def choose_threshold(qs, preds, margin):
    best = (-1.0, 0.0)
    for t in np.unique(np.quantile(margin, np.linspace(0, 1, 201))):
        res = evaluate(qs, preds, margin, t)
        if res["f1"] > best[0]:
            best = (res["f1"], float(t))
    return best[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--squad", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=75.0, help="wall-clock budget for training")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--answerable-weight", type=float, default=0.5)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed); random.seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 2)

    wp = WordPiece(args.tokenizer)
    train_articles, held_out = load(args.squad)
    val_articles = [a for i, a in enumerate(train_articles) if i in VALIDATION_POSITIONS]
    fit_articles = [a for i, a in enumerate(train_articles) if i not in VALIDATION_POSITIONS]
    val_qs = list(questions(val_articles))
    feats = []
    for q in questions(fit_articles):
        for w in windows(wp, q["question"], q["context"]):
            w["label"] = label(w, q["start"], q["end"])
            feats.append(w)
    json.dump(vars(args), open(os.path.join(args.out, "args.json"), "w"), indent=2)
    log = open(os.path.join(args.out, "train-log.txt"), "a")

    def say(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True); log.write(line + "\n"); log.flush()

    say(f"fit articles {len(fit_articles)}, features {len(feats)} (answerable windows "
        f"{sum(1 for f in feats if f['label'] != (0, 0))}); validation articles "
        f"{[a['title'] for a in val_articles]}, questions {len(val_qs)}")

    model = from_onnx(args.onnx)
    # The word-embedding table (a third of the weights) stays as pretrained: a few thousand questions cannot
    # improve it, and its dense gradient and optimizer update cost time on a CPU.
    model.word.weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    steps_total = args.epochs * math.ceil(len(feats) / args.batch)
    warmup = max(1, steps_total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps_total - s) / (steps_total - warmup))))
    started, step, best = time.time(), 0, None
    for epoch in range(1, args.epochs + 1):
        model.train()
        random.shuffle(feats)
        # Similar lengths in a batch keep padding (and CPU time) down: sort within pools of 50 batches.
        pool = args.batch * 50
        ordered = [w for i in range(0, len(feats), pool) for w in sorted(feats[i:i + pool], key=lambda w: len(w["ids"]))]
        batches = [ordered[i:i + args.batch] for i in range(0, len(ordered), args.batch)]
        random.shuffle(batches)
        seen = 0
        for batch in batches:
            ids, mask, types = pad(batch, wp.pad)
            start_t = torch.tensor([w["label"][0] for w in batch])
            end_t = torch.tensor([w["label"][1] for w in batch])
            has = torch.tensor([float(w["label"] != (0, 0)) for w in batch])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                s, e, a = model(ids, mask, types)
            neg = torch.finfo(torch.float32).min
            s = s.float().masked_fill(mask == 0, neg)
            e = e.float().masked_fill(mask == 0, neg)
            loss = (F.cross_entropy(s, start_t) + F.cross_entropy(e, end_t)) / 2 \
                + args.answerable_weight * F.binary_cross_entropy_with_logits(a.float(), has)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); step += 1; seen += len(batch)
            if step % 20 == 0:
                el = time.time() - started
                say(f"epoch {epoch} step {step}/{steps_total} loss {loss.item():.4f} "
                    f"{seen / max(el - (0 if epoch == 1 else 0), 1):.1f} feat/s elapsed {el / 60:.1f} min")
            if time.time() - started > args.minutes * 60:
                break
        preds = predict(model, wp, val_qs)
        positive = np.array([bool(q["golds"]) for q in val_qs])
        margins = no_answer_margins(preds)
        forced = evaluate(val_qs, preds, np.ones(len(preds)), 0.0)
        report = {"epoch": epoch, "step": step, "minutes": (time.time() - started) / 60,
                  "forced_answerable_f1": forced["answerable_f1"], "margins": {}}
        for name, m in margins.items():
            t = choose_threshold(val_qs, preds, m)
            report["margins"][name] = {"auc": auc(m, positive), "threshold": t, **evaluate(val_qs, preds, m, t)}
        say("validation " + json.dumps(report))
        choice = max(report["margins"].items(), key=lambda kv: kv[1]["f1"])
        if best is None or choice[1]["f1"] > best["f1"]:
            best = {"epoch": epoch, "margin": choice[0], "threshold": choice[1]["threshold"], "f1": choice[1]["f1"],
                    "validation": report}
            torch.save(model.state_dict(), os.path.join(args.out, "reader.pt"))
            json.dump(best, open(os.path.join(args.out, "best.json"), "w"), indent=2)
            say(f"saved epoch {epoch}: {choice[0]} threshold {choice[1]['threshold']:.4f} F1 {choice[1]['f1']:.2f}")
        if time.time() - started > args.minutes * 60:
            say("time budget reached")
            break


if __name__ == "__main__":
    main()
