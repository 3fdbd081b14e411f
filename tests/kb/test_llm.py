"""kb.llm against a real scripted endpoint on 127.0.0.1: retries, timeouts, fallback, re-asks, budget, call log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from kb.config import Settings
from kb.errors import ConfigError, ExtractionError
from kb.llm import (
    Budget,
    BudgetExceeded,
    ChatModel,
    LLMOutputError,
    LLMUnavailable,
    SqliteCallLog,
    complete_json,
    estimate_cost,
    make_client,
    summarize_calls,
)
from tests.llm_servers import Scripted, ScriptedLLM, completion, error

MESSAGES = [{"role": "system", "content": "Name fruits."}, {"role": "user", "content": "<source>apple</source>"}]


class Fruits(BaseModel):
    """A tiny answer schema."""

    model_config = ConfigDict(extra="forbid")
    names: list[str] = Field(max_length=3)


def no_problems(value: Fruits) -> list[str]:
    """Accept every answer."""
    return []


def chat_for(server: ScriptedLLM, tmp_path: Path, *, model: str = "local-model", timeout: float = 5.0,
             retries: int = 2, budget: Budget | None = None) -> ChatModel:
    """Return a ChatModel on the scripted server, logging to tmp_path/llm.sqlite."""
    settings = Settings(llm_base_url=server.url, llm_model=model, llm_timeout=timeout, llm_max_retries=retries)
    return ChatModel(make_client(settings), model, max_tokens=256, budget=budget,
                     log=SqliteCallLog(tmp_path / "llm.sqlite"))


def logged(tmp_path: Path) -> list[tuple[str, str, int, int, int, int]]:
    """Return (mode, outcome, tokens_in, tokens_out, retries, reask) of every logged call."""
    with sqlite3.connect(tmp_path / "llm.sqlite") as conn:
        return conn.execute("SELECT mode, outcome, tokens_in, tokens_out, retries, reask FROM llm_calls").fetchall()


def test_estimate_cost_uses_the_longest_price_prefix_and_zero_for_local_models() -> None:
    assert estimate_cost("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)
    assert estimate_cost("gpt-4o", 0, 1_000_000) == pytest.approx(10.0)
    assert estimate_cost("openai/gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost("SmolLM2-135M-Instruct", 10**9, 10**9) == 0.0


def test_make_client_needs_a_base_url_and_passes_timeout_and_retries() -> None:
    with pytest.raises(ConfigError, match="MEDKB_LLM_BASE_URL"):
        make_client(Settings(llm_base_url=None))
    client = make_client(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_timeout=7.5, llm_max_retries=4))
    assert (client.timeout, client.max_retries, client.api_key) == (7.5, 4, "none")


def test_json_schema_request_is_strict_and_parsed(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(completion('{"names": ["apple"]}', tokens_in=30, tokens_out=7))
    result = complete_json(chat_for(scripted_llm, tmp_path), MESSAGES, Fruits, no_problems, reasks=1)
    assert result.value.names == ["apple"] and result.reasks == 0
    fmt = scripted_llm.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["names"]["maxItems"] == 3
    assert scripted_llm.requests[0]["temperature"] == 0.0 and scripted_llm.requests[0]["max_tokens"] == 256
    assert logged(tmp_path) == [("json_schema", "ok", 30, 7, 0, 0)]


def test_429_is_retried_by_the_sdk(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(error(429, "slow down", {"retry-after-ms": "10", "retry-after": "0"}),
                         completion('{"names": []}'))
    result = complete_json(chat_for(scripted_llm, tmp_path), MESSAGES, Fruits, no_problems, reasks=0)
    assert result.value.names == []
    assert len(scripted_llm.requests) == 2
    assert logged(tmp_path)[0][1:2] == ("ok",) and logged(tmp_path)[0][4] == 1


def test_rate_limit_that_never_clears_raises_llm_unavailable(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(*[error(429, "slow down", {"retry-after-ms": "5"})] * 3)
    with pytest.raises(LLMUnavailable, match="MEDKB_LLM_MAX_RETRIES"):
        complete_json(chat_for(scripted_llm, tmp_path, retries=2), MESSAGES, Fruits, no_problems, reasks=0)
    assert len(scripted_llm.requests) == 3
    assert logged(tmp_path)[-1][1] == "RateLimitError" and logged(tmp_path)[-1][4] == 2  # the retries made


def test_an_error_the_sdk_does_not_retry_logs_no_retries(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(error(401, "bad key"))
    with pytest.raises(LLMUnavailable):
        complete_json(chat_for(scripted_llm, tmp_path, retries=3), MESSAGES, Fruits, no_problems, reasks=0)
    assert len(scripted_llm.requests) == 1
    assert logged(tmp_path)[-1][1] == "AuthenticationError" and logged(tmp_path)[-1][4] == 0


def test_timeout_is_bounded_and_reported(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(Scripted(body={}, delay=1.5))
    with pytest.raises(LLMUnavailable, match="MEDKB_LLM_TIMEOUT") as info:
        complete_json(chat_for(scripted_llm, tmp_path, timeout=0.3, retries=0), MESSAGES, Fruits, no_problems, 0)
    assert isinstance(info.value, ExtractionError)
    assert logged(tmp_path)[-1][1] == "APITimeoutError"


def test_rejected_json_schema_falls_back_to_json_object_once_per_endpoint(
        scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported"),
                         completion('{"names": ["pear"]}'), completion('{"names": ["fig"]}'))
    chat = chat_for(scripted_llm, tmp_path)
    first = complete_json(chat, MESSAGES, Fruits, no_problems, reasks=0)
    second = complete_json(chat, MESSAGES, Fruits, no_problems, reasks=0)
    assert (first.value.names, second.value.names) == (["pear"], ["fig"])
    kinds = [r["response_format"]["type"] for r in scripted_llm.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    system = scripted_llm.requests[1]["messages"][0]["content"]
    assert system.startswith("Name fruits.") and '"maxItems": 3' in system
    assert [row[1] for row in logged(tmp_path)] == ["format_rejected", "ok", "ok"]


def test_other_bad_requests_are_not_mistaken_for_a_format_problem(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(error(400, "model 'nope' not found"))
    with pytest.raises(LLMUnavailable, match="not found"):
        complete_json(chat_for(scripted_llm, tmp_path), MESSAGES, Fruits, no_problems, reasks=0)
    assert len(scripted_llm.requests) == 1


def test_malformed_json_is_reasked_with_the_parse_error(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(completion('{"names": ["apple",'), completion('```json\n{"names": ["apple"]}\n```'))
    result = complete_json(chat_for(scripted_llm, tmp_path), MESSAGES, Fruits, no_problems, reasks=1)
    assert result.value.names == ["apple"] and result.reasks == 1
    reask = scripted_llm.requests[1]["messages"]
    assert reask[-2] == {"role": "assistant", "content": '{"names": ["apple",'}
    assert reask[-1]["role"] == "user" and "invalid JSON" in reask[-1]["content"]
    assert [row[1] for row in logged(tmp_path)] == ["malformed", "ok"]


def test_truncated_output_is_never_a_partial_answer(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    cut = completion('{"names": ["apple", "ban', finish_reason="length")
    scripted_llm.enqueue(cut, cut)
    with pytest.raises(LLMOutputError, match="MEDKB_LLM_MAX_TOKENS"):
        complete_json(chat_for(scripted_llm, tmp_path), MESSAGES, Fruits, no_problems, reasks=1)
    assert "cut off at the token limit" in scripted_llm.requests[1]["messages"][-1]["content"]
    assert [row[1] for row in logged(tmp_path)] == ["truncated", "truncated"]


def test_check_problems_are_reasked_then_returned(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(completion('{"names": ["rock"]}'), completion('{"names": ["rock"]}'))

    def fruit_only(value: Fruits) -> list[str]:
        return [f"{n!r} is not a fruit" for n in value.names if n != "apple"]

    result = complete_json(chat_for(scripted_llm, tmp_path), MESSAGES, Fruits, fruit_only, reasks=1)
    assert result.problems == ("'rock' is not a fruit",) and result.reasks == 1
    assert "'rock' is not a fruit" in scripted_llm.requests[1]["messages"][-1]["content"]
    assert summarize_calls(tmp_path / "llm.sqlite")["dropped_claims"] == 1


def test_budget_stops_before_the_next_call(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(completion('{"names": []}'), completion('{"names": []}'))
    chat = chat_for(scripted_llm, tmp_path, budget=Budget(max_calls=1))
    complete_json(chat, MESSAGES, Fruits, no_problems, reasks=0)
    with pytest.raises(BudgetExceeded, match="MEDKB_LLM_BUDGET_CALLS"):
        complete_json(chat, MESSAGES, Fruits, no_problems, reasks=0)
    assert len(scripted_llm.requests) == 1 and chat.budget.calls == 1


def test_dollar_budget_counts_estimated_cost(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    scripted_llm.enqueue(completion('{"names": []}', tokens_in=1000, tokens_out=1000))
    budget = Budget(max_usd=0.01)
    chat = chat_for(scripted_llm, tmp_path, model="gpt-4o", budget=budget)
    complete_json(chat, MESSAGES, Fruits, no_problems, reasks=0)
    assert budget.cost_usd == pytest.approx(0.0125)
    with pytest.raises(BudgetExceeded, match=r"\$0\.0100"):
        complete_json(chat, MESSAGES, Fruits, no_problems, reasks=0)
    assert len(scripted_llm.requests) == 1


def test_summarize_calls_totals_the_log(scripted_llm: ScriptedLLM, tmp_path: Path) -> None:
    assert summarize_calls(tmp_path / "missing.sqlite")["calls"] == 0
    scripted_llm.enqueue(completion("not json", tokens_in=10, tokens_out=2),
                         completion('{"names": []}', tokens_in=20, tokens_out=3))
    complete_json(chat_for(scripted_llm, tmp_path, model="gpt-4o-mini"), MESSAGES, Fruits, no_problems, reasks=1)
    summary = summarize_calls(tmp_path / "llm.sqlite")
    assert summary["calls"] == 2 and summary["tokens_in"] == 30 and summary["tokens_out"] == 5
    assert summary["outcomes"] == {"malformed": 1, "ok": 1} and summary["reask_calls"] == 1
    assert summary["cost_usd"] == pytest.approx((30 * 0.15 + 5 * 0.60) / 1e6, abs=1e-6)
    assert json.dumps(summary)  # NOTE: `medkb stats --json` prints it as is.
