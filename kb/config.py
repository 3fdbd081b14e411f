"""Settings, read once at the edge (CLI or app) from MEDKB_* variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob MedKB has; nothing below the edge reads the environment."""

    model_config = SettingsConfigDict(env_prefix="MEDKB_", extra="ignore")

    store: Path = Field(default=Path("data/kb"), description="Folder of the embedded knowledge base.")
    qdrant_url: str | None = Field(default=None, description="Qdrant server or cluster URL (':memory:' for tests).")
    qdrant_api_key: str | None = None
    # NOTE: these shape the collections a server creates, and the last three the embedded store's new shards too
    # (never an existing one); unset leaves Qdrant's default.
    qdrant_shards: int | None = Field(default=None, ge=1, description="Shards per collection (spread over a cluster).")
    qdrant_replicas: int | None = Field(default=None, ge=1, description="Copies of each shard in a cluster.")
    qdrant_on_disk_payload: bool | None = Field(default=None, description="Payloads on disk, not RAM.")
    qdrant_on_disk_vectors: bool | None = Field(default=None, description="Original dense vectors on disk, not RAM.")
    qdrant_int8: bool = Field(default=False, description="int8 scalar quantization, quantized vectors kept in RAM.")

    embedder: Literal["onnx", "openai"] = "onnx"
    embed_model: str = "text-embedding-3-small"
    embed_base_url: str | None = None
    embed_api_key: str | None = None
    embed_batch: int = Field(default=32, ge=1)

    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset = offline extractor.")
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0)
    llm_reasks: int = Field(default=2, ge=0)
    llm_concurrency: int = Field(default=4, ge=1)
    llm_max_tokens: int = Field(default=2048, ge=64)
    llm_budget_usd: float | None = Field(default=None, ge=0)
    llm_budget_calls: int | None = Field(default=None, ge=0)

    chunk_size: int = Field(default=1000, ge=200)
    chunk_overlap: int = Field(default=150, ge=0)
    store_wait_s: float = Field(default=120.0, ge=0, description="How long an ingest waits for another process.")
    max_file_mb: float = Field(default=1024.0, gt=0, description="Larger files are refused, each with its reason.")
    pdf_timeout_s: float = Field(default=120.0, gt=0, description="Longest time one PDF may take to read.")
    pdf_memory_mb: int = Field(default=2048, ge=256, description="Most memory (address space) the process reading "
                               "a PDF may use; PDFs are read in a child process that is stopped at either limit.")
    upload_max_mb: int = Field(default=50, ge=1, description="Largest file the app accepts as an upload, in MB "
                               "(MEDKB_UPLOAD_MAX_MB); larger ones are refused with their size.")
    ingest_batch_chunks: int = Field(default=1024, ge=1, description="Chunks held in memory per committed batch.")
    top_k: int = Field(default=40, ge=1)

    pubmed_url: str = Field(default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils/",
                            description="NCBI E-utilities base URL (a mirror, or a loopback server in tests).")
    ctgov_url: str = Field(default="https://clinicaltrials.gov/api/v2", description="ClinicalTrials.gov API v2 base.")
    ncbi_api_key: str | None = Field(default=None, description="NCBI API key: 10 requests/s instead of 3.")
    ncbi_email: str | None = Field(default=None, description="Contact e-mail NCBI asks E-utilities users to send.")
    fetch_timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one HTTP request while fetching.")
    fetch_retries: int = Field(default=5, ge=0, description="Retries of a request on 429, 5xx or a lost connection.")
    fetch_backoff_s: float = Field(default=1.0, ge=0, description="First retry wait; doubles on each retry.")
    fetch_backoff_max_s: float = Field(default=60.0, ge=0, description="Longest wait, Retry-After included.")
    fetch_rate_per_s: float | None = Field(default=None, gt=0, description="Requests per second; unset = NCBI's "
                                           "3/s (10/s with a key), and 0.8/s for ClinicalTrials.gov.")
    pubmed_batch: int = Field(default=200, ge=1, le=10000, description="PubMed records per efetch request.")
    ctgov_page_size: int = Field(default=100, ge=1, le=1000, description="Trials per ClinicalTrials.gov page.")
    extractive_only: bool = Field(default=False, description="No generated sentence in answers: findings are shown "
                                  "as verbatim quotes with computed badges (MEDKB_EXTRACTIVE_ONLY=1).")

    @property
    def extractor(self) -> Literal["llm", "offline"]:
        """Return which extractor the settings select."""
        return "llm" if self.llm_base_url else "offline"
