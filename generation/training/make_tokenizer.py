"""Trains the reader's byte-level BPE on the training articles only (contexts, questions, answers and the
prompt template) and writes tokenizer.json. Usage: python3 make_tokenizer.py data/dev-shared.json 4096"""
import json
import sys
import bpe
import reader_format
import split

train, held = split.load(sys.argv[1])
texts = []
for a in train:
    texts.append(a["title"].replace("_", " "))
    for p in a["paragraphs"]:
        texts.append(p["context"])
        texts.extend(q["question"] for q in p["qas"])
texts.extend([reader_format.render(reader_format.SYSTEM, reader_format.user_message([("T", "x")], "q?"))
              + reader_format.target("a", 1) + reader_format.target(None, None)] * 200)
tokens, merges = bpe.train(texts, int(sys.argv[2]))
json.dump({"tokens": tokens, "merges": merges}, open("tokenizer.json", "w", encoding="utf-8"), ensure_ascii=False)
tok = bpe.Tokenizer(tokens, merges)
sample = held[0]["paragraphs"][0]["context"]
print(len(tokens), "tokens;", len(sample), "chars ->", len(tok.encode(sample)), "tokens on a held-out paragraph")
