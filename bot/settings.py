"""All settings in one place (pydantic-settings): env vars, then `.env`, then defaults.

Every variable is prefixed ``NEWSBOT_`` except ``DISCORD_TOKEN``, the name Discord's own docs use.
Lists (role ids, guild ids, hosts) are comma-separated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
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
    ask_cooldown_seconds: float = Field(default=5.0, ge=0)
    channel_cooldown_seconds: float = Field(default=1.0, ge=0)
    command_prefix: str = "!"

    # --- HTTP API
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    api_token: SecretStr | None = None
    api_rate_per_minute: int = Field(default=120, gt=0)
    max_body_bytes: int = Field(default=5_000_000, gt=0)

    # --- web ingestion
    fetch_allow_hosts: Annotated[list[str], NoDecode] = []
    fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    feed_poll_seconds: float = Field(default=900.0, gt=0)
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot)"

    @field_validator(
        "admin_role_ids", "dev_guild_ids", "owner_ids", "fetch_allow_hosts", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("discord_token", "api_token", mode="before")
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
