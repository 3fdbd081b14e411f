"""Typed JSON completions from any OpenAI-compatible endpoint, with a budget and a call log."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from kb.config import Settings
from kb.errors import BudgetExceeded, ConfigError, EndpointDown, LLMOutputError, LLMUnavailable
from kb.llm_log import PRICES, Budget, CallRecord, SqliteCallLog, connect, estimate_cost, summarize_calls

T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]
Mode = Literal["json_schema", "json_object"]

# NOTE: the cost, budget and call-log names live in kb.llm_log and the errors in kb.errors; callers keep
# importing them from here.
__all__ = [
    "PRICES", "Budget", "BudgetExceeded", "CallRecord", "ChatModel", "Completion", "LLMOutputError",
    "LLMUnavailable", "Message", "Mode", "Reply", "SqliteCallLog", "complete_json", "connect", "estimate_cost",
    "make_client", "summarize_calls",
]


def _retried(error: openai.APIError) -> bool:
    """Return whether the SDK retried before this error: connection errors, timeouts, 408/409/429 and 5xx are
    retried until max_retries is spent; any other status fails at once."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)  # NOTE: APITimeoutError is one


def make_client(settings: Settings) -> openai.OpenAI:
    """Return an OpenAI client for the configured endpoint; the SDK retries 429/5xx/timeouts with backoff."""
    if not settings.llm_base_url:
        raise ConfigError("MEDKB_LLM_BASE_URL is not set; set it to an OpenAI-compatible endpoint "
                          "(e.g. http://127.0.0.1:8080/v1) or use the offline extractor")
    return openai.OpenAI(base_url=settings.llm_base_url, api_key=settings.llm_api_key or "none",
                         timeout=settings.llm_timeout, max_retries=settings.llm_max_retries)


@dataclass(frozen=True)
class Reply:
    """The text of one chat completion and why it stopped."""

    content: str
    finish_reason: str
    tokens_in: int
    tokens_out: int
    retries: int
    latency_s: float


class ChatModel:
    """One model on one endpoint, asked for JSON; remembers whether json_schema is supported."""

    def __init__(self, client: openai.OpenAI, model: str, *, max_tokens: int = 2048,
                 budget: Budget | None = None, log: SqliteCallLog | None = None,
                 temperature: float = 0.0) -> None:
        self.client, self.model, self.max_tokens = client, model, max_tokens
        self.temperature = temperature
        self.budget = budget or Budget()
        self.log = log
        self.mode: Mode = "json_schema"

    @property
    def base_url(self) -> str:
        """Return the endpoint URL without a trailing slash."""
        return str(self.client.base_url).rstrip("/")

    def params(self) -> dict[str, object]:
        """Return the generation parameters that change what the model answers."""
        return {"temperature": self.temperature, "max_tokens": self.max_tokens}

    def chat(self, messages: Sequence[Message], name: str, schema: dict[str, Any], reask: int = 0) -> Reply:
        """Return one JSON reply, falling back to json_object once if the server rejects json_schema."""
        try:
            return self._call(messages, name, schema, reask)
        except openai.APIStatusError as e:
            if not self._format_rejected(e):
                raise self._unavailable(e, reask) from e
            self.record(CallRecord(self.model, self.mode, "format_rejected", reask=reask))
            self.mode = "json_object"  # NOTE: remembered for this endpoint; later calls skip the failed try.
        except openai.APIError as e:
            raise self._unavailable(e, reask) from e
        try:
            return self._call(messages, name, schema, reask)
        except openai.APIError as e:
            raise self._unavailable(e, reask) from e

    def _format_rejected(self, error: openai.APIStatusError) -> bool:
        """Return whether a 400/422/500 says the server cannot do json_schema."""
        text = str(error).lower()
        return (self.mode == "json_schema" and error.status_code in (400, 422, 500)
                and ("response_format" in text or "json_schema" in text))

    def _unavailable(self, error: openai.APIError, reask: int) -> LLMUnavailable:
        """Log a failed call and return the error to raise."""
        retried = _retried(error)
        self.record(CallRecord(self.model, self.mode, type(error).__name__, reask=reask,
                               retries=self.client.max_retries if retried else 0))
        kind = EndpointDown if retried else LLMUnavailable
        return kind(f"{self.base_url} failed for model {self.model}: {error}; check the endpoint, "
                    "MEDKB_LLM_MODEL and MEDKB_LLM_API_KEY, or raise MEDKB_LLM_TIMEOUT / MEDKB_LLM_MAX_RETRIES")

    def _call(self, messages: Sequence[Message], name: str, schema: dict[str, Any], reask: int) -> Reply:
        """Send one request; the SDK itself retries 429, 5xx, connection errors and timeouts."""
        prompt_chars = sum(len(m["content"]) for m in messages)
        self.budget.reserve(estimate_cost(self.model, prompt_chars // 3 + 1, self.max_tokens))
        if self.mode == "json_schema":
            fmt: dict[str, Any] = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
            sent = list(messages)
        else:
            fmt = {"type": "json_object"}
            hint = f"\n\nReply with one JSON object that matches this JSON schema:\n{json.dumps(schema)}"
            sent = [{**messages[0], "content": messages[0]["content"] + hint}, *messages[1:]]
        started = time.monotonic()
        raw = self.client.chat.completions.with_raw_response.create(
            model=self.model, messages=sent, response_format=fmt, **self.params())  # type: ignore[arg-type]
        return self._reply(raw, started)

    def _reply(self, raw: Any, started: float) -> Reply:
        """Turn a raw SDK response into a Reply, charging the budget."""
        completion = raw.parse()
        usage = completion.usage
        t_in, t_out = (usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else (0, 0)
        cost = estimate_cost(self.model, t_in, t_out)
        self.budget.charge(cost)
        choice = completion.choices[0] if completion.choices else None
        return Reply(content=(choice.message.content if choice else None) or "",
                     finish_reason=(choice.finish_reason if choice else None) or "missing",
                     tokens_in=t_in, tokens_out=t_out, retries=raw.retries_taken,
                     latency_s=time.monotonic() - started)

    def record(self, call: CallRecord) -> None:
        """Write to the call log when there is one."""
        if self.log is not None:
            self.log.record(call)


@dataclass(frozen=True)
class Completion(Generic[T]):
    """A parsed reply, the problems left after the last re-ask, and how many re-asks it took."""

    value: T
    problems: tuple[str, ...]
    reasks: int


def complete_json(chat: ChatModel, messages: Sequence[Message], schema: type[T],
                  check: Callable[[T], list[str]], reasks: int) -> Completion[T]:
    """Ask for JSON matching schema; re-ask with the exact errors up to reasks times."""
    history = list(messages)
    json_schema = schema.model_json_schema()
    for attempt in range(reasks + 1):
        reply = chat.chat(history, schema.__name__, json_schema, reask=attempt)
        value, problems = _judge(reply, schema, check)
        outcome = "ok" if not problems else "truncated" if reply.finish_reason == "length" else \
            "malformed" if value is None else "invalid"
        last = attempt == reasks or not problems
        chat.record(CallRecord(chat.model, chat.mode, outcome, reply.tokens_in, reply.tokens_out,
                                reply.latency_s, reply.retries, attempt,
                                len(problems) if last and value is not None else 0,
                                estimate_cost(chat.model, reply.tokens_in, reply.tokens_out)))
        if value is not None and last:
            return Completion(value, tuple(problems), attempt)
        history += [{"role": "assistant", "content": reply.content},
                    {"role": "user", "content": "Your reply had these errors:\n- " + "\n- ".join(problems)
                     + "\nReply again with the complete corrected JSON object only."}]
    raise LLMOutputError(f"{chat.base_url} model {chat.model} gave malformed or truncated JSON after "
                         f"{reasks} re-asks ({problems[0]}); raise MEDKB_LLM_MAX_TOKENS or use smaller chunks")


def _judge(reply: Reply, schema: type[T], check: Callable[[T], list[str]]) -> tuple[T | None, list[str]]:
    """Return the parsed reply (None if unusable) and what is wrong with it."""
    if reply.finish_reason == "length":
        return None, ["the reply was cut off at the token limit: return fewer claims and shorter quotes"]
    try:
        value = schema.model_validate_json(_strip_fences(reply.content))
    except ValidationError as e:
        return None, [f"invalid JSON for the schema at {'.'.join(map(str, err['loc'])) or 'top level'}: "
                      f"{err['msg']}" for err in e.errors()[:8]]
    return value, check(value)


def _strip_fences(text: str) -> str:
    """Return text without a surrounding ```json fence (json_object servers sometimes add one)."""
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    return body
