import numpy as np
import pytest

from topicwatch.embed import QualityEmbedder, document_text, get_embedder

TEXTS = ["North Korea fired a ballistic missile into the East Sea.",
         "A missile launch was detected by Seoul and Tokyo.",
         "Rice prices rose in the markets of Hyesan."]


def _check(vectors, n):
    assert vectors.dtype == np.float32 and vectors.shape[0] == n
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2]  # two missile stories are closer than missile vs rice


def test_quality_backend_is_the_bundled_minilm():
    embedder = QualityEmbedder()
    vectors = embedder.encode(TEXTS)
    assert vectors.shape[1] == 384
    _check(vectors, 3)


@pytest.mark.parametrize(("precision", "min_cosine", "same_text_atol"), [
    ("float32", 0.99999, 1e-6),
    ("bfloat16", 0.999, 5e-3),  # the CPU default where the processor has native bfloat16
])
def test_quality_backend_gives_sentence_transformers_vectors_in_any_batch_order(
        monkeypatch, precision, min_cosine, same_text_atol):
    """The pipelined encoder (tokenizer threads ahead, length-sorted batches) is the same function as
    sentence-transformers over the first 128 word pieces, whatever the batch size and input order."""
    from sentence_transformers import SentenceTransformer

    from topicwatch.embed.quality import quality_model_dir

    long_story = " ".join(["The border guards in Ryanggang province took bribes from smugglers."] * 60)
    texts = [*TEXTS, "", "x", long_story, "한국어 기사 본문입니다. 평양에서 열린 회의.", TEXTS[0]]
    reference = SentenceTransformer(str(quality_model_dir()), device="cpu")
    reference.max_seq_length = 128
    expected = reference.encode(texts, normalize_embeddings=True)
    monkeypatch.setenv("TOPICWATCH_PRECISION", precision)
    embedder = QualityEmbedder(batch_size=3, device="cpu")
    got = embedder.encode(texts)
    assert embedder._encoder.precision == precision
    assert got.shape == expected.shape
    assert np.min(np.sum(got * expected, axis=1)) > min_cosine
    assert np.allclose(got[0], got[-1], atol=same_text_atol)  # the same text, another batch


def test_precision_is_checked_and_defaults_by_device(monkeypatch):
    from topicwatch.embed.transformer import pick_precision

    monkeypatch.delenv("TOPICWATCH_PRECISION", raising=False)
    assert pick_precision("cuda") == "float16"
    assert pick_precision("cpu") in ("float32", "bfloat16")
    monkeypatch.setenv("TOPICWATCH_PRECISION", "double")
    with pytest.raises(ValueError, match="'double'.*float32, bfloat16, float16"):
        pick_precision("cpu")


def test_fast_backend_is_distilled_locally_and_cached(fast_embedder):
    vectors = fast_embedder.encode(TEXTS)
    _check(vectors, 3)
    assert (fast_embedder.model_dir / "model.safetensors").exists()


def test_backend_names_and_errors():
    assert get_embedder("fast").name != get_embedder("quality").name
    with pytest.raises(ValueError, match="unknown embedding backend 'bert'"):
        get_embedder("bert")
    assert document_text("Title", "Body") == "Title\nBody"
    assert document_text("Title", "Title\nBody") == "Title\nBody"
