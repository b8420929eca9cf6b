"""All settings in one place (pydantic-settings): env vars, then `.env`, then defaults.

Every variable is prefixed ``NEWSBOT_`` except ``DISCORD_TOKEN``, the name Discord's own docs use.
Lists (role ids, guild ids, hosts) are comma-separated.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DISCORD_API_BASE = "https://discord.com/api/v10"

CommaList = Annotated[list[Any], NoDecode]


class SettingsError(Exception):
    """Invalid settings; the message is one line a person can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # --- corpus and index
    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path(".newsbot")
    engine: Literal["tantivy", "rank-bm25"] = "tantivy"
    # A reindex runs in a child process, so answering is not slowed by it (see bot/reindex_worker.py);
    # false runs it in a thread of the bot's own process.
    reindex_in_process: bool = True
    # A reindex the running bot/API starts: "idle" takes only the CPU answering leaves free (Linux
    # SCHED_IDLE, one analysis worker fewer than cores); "normal" uses every core at normal
    # priority. `newsbot reindex` (nothing served meanwhile) always runs at normal priority.
    reindex_priority: Literal["idle", "normal"] = "idle"
    max_upload_bytes: int = Field(default=2_000_000, gt=0)
    max_question_chars: int = Field(default=1_000, gt=0)
    # How long a write waits for another process's write (or reindex) of the same data dir.
    lock_timeout_seconds: float = Field(default=600.0, gt=0)
    # Serve a data dir that another newsbot process writes: never build or change anything,
    # follow its generations (several `newsbot serve` behind one writer).
    read_only: bool = False
    # How often CURRENT is checked for a generation another process published.
    generation_poll_seconds: float = Field(default=1.0, gt=0, le=60)

    # --- answers
    answer_max_quotes: int = Field(default=3, ge=1, le=10)

    # --- Discord
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "NEWSBOT_DISCORD_TOKEN")
    )
    discord_api_base: str = DISCORD_API_BASE
    admin_role_ids: Annotated[list[int], NoDecode] = []
    dev_guild_ids: Annotated[list[int], NoDecode] = []
    owner_ids: Annotated[list[int], NoDecode] = []
    # The servers the bot serves (and whose members may DM it); it leaves any other. Empty:
    # every server it is in (a warning at start).
    guild_ids: Annotated[list[int], NoDecode] = []
    # Sharding for big deployments: the total number of shards, and the ones this process runs.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int], NoDecode] = []
    ask_cooldown_seconds: float = Field(default=5.0, ge=0)
    channel_cooldown_seconds: float = Field(default=1.0, ge=0)
    command_prefix: str = "!"

    # --- HTTP API
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    api_token: SecretStr | None = None
    api_rate_per_minute: int = Field(default=120, gt=0)
    max_body_bytes: int = Field(default=5_000_000, gt=0)
    # Seconds a connection may stay silent (before its request headers, or between requests).
    http_idle_timeout_seconds: float = Field(default=15.0, gt=0)
    # Seconds to receive a whole request body once its headers are in.
    http_body_timeout_seconds: float = Field(default=30.0, gt=0)
    # Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is trusted for the client address.
    trusted_proxies: Annotated[list[str], NoDecode] = []

    # --- web ingestion
    fetch_allow_hosts: Annotated[list[str], NoDecode] = []
    fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    feed_poll_seconds: float = Field(default=900.0, gt=0)
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot)"

    @field_validator(
        "admin_role_ids",
        "dev_guild_ids",
        "owner_ids",
        "guild_ids",
        "shard_ids",
        "fetch_allow_hosts",
        "trusted_proxies",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"'{item}' is not an IP address or CIDR") from None
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("NEWSBOT_SHARD_IDS needs NEWSBOT_SHARD_COUNT")
        bad = [i for i in self.shard_ids if not 0 <= i < (self.shard_count or 0)]
        if bad:
            raise ValueError(f"shard ids must be from 0 to shard_count - 1, not {bad[0]}")
        return self

    @field_validator("discord_token", "api_token", "shard_count", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning a validation error into one readable line (no values echoed)."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise SettingsError(f"Invalid setting {where}: {first['msg']}") from None
