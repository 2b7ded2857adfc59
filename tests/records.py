"""Small, valid records in the interchange shape, for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def record(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"t-{i:05d}",
        "messages": [
            {"role": "system", "content": "You are the IT helpdesk assistant."},
            {"role": "user", "content": f"My laptop #{i} cannot reach the VPN."},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{i}", "type": "function",
                 "function": {"name": "check_service_status", "arguments": '{"service": "vpn"}'}}]},
            {"role": "tool", "tool_call_id": f"call_{i}", "content": '{"status": "degraded"}'},
        ],
        "context": [{"id": "KB-1", "title": "VPN", "content": "Restart the client."}],
        "responses": [
            {"model": "helpdesk", "model_version": "v1", "content": "Please restart the VPN client."},
            {"model": "helpdesk", "model_version": "v2", "content": "The VPN is degraded; retry later."},
        ],
        "metadata": {"intent": "vpn_issue" if i % 3 else "password_reset", "language": "en"},
        **extra,
    }


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path
