"""Example bodies for the OpenAPI document, by component; a test validates each one."""

from tarot.statuses import ReadingStatus

CARD = {
    "id": "the-magician",
    "code": "ar01",
    "name": "The Magician",
    "arcana": "major",
    "suit": None,
    "number": 1,
    "rank": None,
    "keywords_upright": ["skill", "focus", "resourcefulness"],
    "keywords_reversed": ["scattered effort", "trickery"],
    "meaning_upright": "You already hold the tools you need; put them to work on purpose.",
    "meaning_reversed": "Talent is being wasted on distraction or used to mislead.",
    "description": "A figure at a table raises a wand to the sky and points to the earth.",
    "element": "air",
    "astrology": "Mercury",
    "image_url": "/static/cards/the-magician.svg",
}
DRAWN_CARD = {"card": CARD, "reversed": False}
DAILY_CARD = {"date": "2026-01-01", "card": CARD, "reversed": True}
CARD_UPDATE = {"meaning_upright": "Your own words for the upright meaning."}

SPREAD = {
    "slug": "three-card",
    "name": "Three cards",
    "description": "Past, present and future of one question.",
    "positions": [
        {"position": 1, "name": "Past", "prompt": "What led here."},
        {"position": 2, "name": "Present", "prompt": "Where things stand."},
        {"position": 3, "name": "Future", "prompt": "Where this is heading."},
    ],
}
SPREAD_UPDATE = {"position_prompts": {"1": "What brought you to this point."}}

READING_CREATE = {
    "question": "What should I focus on this month?",
    "spread": "single",
    "reversals": True,
    "language": "en",
}
FOLLOW_UP = {
    "id": "7c2e9b14-3f6a-4d8e-b1a5-0e9d8c7b6a54",
    "status": ReadingStatus.completed,
    "question": "What is blocking the new role?",
    "created_at": "2026-01-01T09:05:00Z",
}
READING = {
    "id": "0b7f4a0e-4a9e-4c3e-9d53-6a2f1c9e8b10",
    "status": ReadingStatus.completed,
    "question": "What should I focus on this month?",
    "spread": "single",
    "language": "en",
    "reversals": True,
    "seed": None,
    "cards": [
        {
            "position": 1,
            "position_name": "The card",
            "position_prompt": "What you most need to see.",
            "card_id": "the-magician",
            "code": "ar01",
            "name": "The Magician",
            "reversed": False,
            "keywords": ["skill", "focus", "resourcefulness"],
            "image_url": "/static/cards/the-magician.svg",
        }
    ],
    "interpretation": "The Magician says the month rewards one clear aim.",
    "answer": {
        "question_type": "how",
        "lean": "not_applicable",
        "strength": 0.67,
        "positions": [1],
        "summary": "The thread running through it all is skill put to work.",
        "advice": "Pick one project this week and give it a first hour of real work.",
    },
    "sections": [
        {
            "position": 1,
            "position_name": "The card",
            "position_class": "single",
            "card_id": "the-magician",
            "reversed": False,
            "text": "Your card is the Magician: the tools are already on your table.",
        }
    ],
    "safety_class": None,
    "written_language": "en",
    "language_fallback": False,
    "provider": "offline",
    "model": "offline",
    "attempts": [{"provider": "offline", "outcome": "ok", "latency_ms": 1.2}],
    "usage": None,
    "error": None,
    "parent_id": None,
    "follow_ups": [FOLLOW_UP],
    "draw_source": "server",
    "focus": "career",
    "tone": "practical",
    "note": "Asked before the interview.",
    "created_at": "2026-01-01T09:00:00Z",
    "started_at": "2026-01-01T09:00:00Z",
    "completed_at": "2026-01-01T09:00:01Z",
    "stream_url": "https://tarot.example.com/api/v1/readings/0b7f4a0e-4a9e-4c3e-9d53-6a2f1c9e8b10"
    "/stream",
}
READING_SUMMARY = {
    key: READING[key]
    for key in ("id", "status", "question", "spread", "note", "provider", "created_at")
}
CUSTOM_READING_CREATE = {
    "question": "How do I grow this project?",
    "positions": [
        {"name": "Root", "prompt": "What this grows from.", "class": "foundation"},
        {"name": "Obstacle", "prompt": "What stands in the way."},
        {"name": "Next step", "prompt": "What to do this week."},
    ],
    "cards": [
        {"code": "pe08", "reversed": False},
        {"code": "sw05", "reversed": True},
        {"code": "ar01", "reversed": False},
    ],
    "focus": "career",
    "tone": "practical",
    "language": "en",
}
FOLLOW_UP_CREATE = {"question": "What is blocking the new role?", "tone": "direct"}
NOTE_UPDATE = {"note": "The interview went well; the Eight of Pentacles was right."}
NOTE = {
    "reading_id": READING["id"],
    "note": NOTE_UPDATE["note"],
    "updated_at": "2026-01-02T20:15:00+00:00",
}
PERSONAL_DAILY = {
    "date": "2026-01-01",
    "timezone": "Asia/Taipei",
    "card": CARD,
    "reversed": False,
    "reading": "The Magician: you already hold the tools you need today.",
}

USER_CREATE = {"email": "seer@example.com", "password": "at least ten characters"}
LOGIN = USER_CREATE | {"device_name": "Pixel 9"}
TOKEN: dict[str, str | int] = {
    "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
    "token_type": "bearer",
}
TOKEN |= {"expires_in": 900, "refresh_token": "kP3vQ9sX1bN7mR2tY8wZ4cF6hJ0lD5gA3eU9iO1pS7q"}
TOKEN |= {"refresh_expires_in": 2592000, "session_id": "0b7e5c1a-3d2f-4a6b-9c8d-7e1f2a3b4c5d"}
REFRESH = {"refresh_token": TOKEN["refresh_token"]}
SESSION = {
    "id": TOKEN["session_id"],
    "device_name": "Pixel 9",
    "created_at": "2026-01-01T09:00:00Z",
    "last_used_at": "2026-01-02T18:30:00Z",
    "expires_at": "2026-02-01T18:30:00Z",
    "current": True,
}
PASSWORD_CHANGE = {"current_password": "at least ten characters"}
PASSWORD_CHANGE |= {"new_password": "a new passphrase"}
USER = {
    "id": "5d1c2b7e-9a8f-4e0d-8c6b-2f4e1a3b5c7d",
    "email": "seer@example.com",
    "role": "user",
    "created_at": "2026-01-01T09:00:00Z",
}
SHARE = {
    "token": "q3V9x2LmT8wR4kYp",
    "url": "https://tarot.example.com/api/v1/shared/q3V9x2LmT8wR4kYp",
}
PROBLEM = {
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "detail": "No card with id or code 'ar99'. Try 'the-magician' or 'ar01'.",
    "instance": "/api/v1/cards/ar99",
}

EXAMPLES = {
    "CardRead": CARD,
    "Page_CardRead_": {"items": [CARD], "total": 78, "limit": 1, "offset": 1},
    "DrawnCardRead": DRAWN_CARD,
    "DailyCardRead": DAILY_CARD,
    "CardUpdate": CARD_UPDATE,
    "SpreadRead": SPREAD,
    "SpreadUpdate": SPREAD_UPDATE,
    "ReadingCreate": READING_CREATE,
    "FollowUpCreate": FOLLOW_UP_CREATE,
    "NoteUpdate": NOTE_UPDATE,
    "NoteRead": NOTE,
    "PersonalDailyRead": PERSONAL_DAILY,
    "CustomPosition": CUSTOM_READING_CREATE["positions"][0],
    "ClientCard": CUSTOM_READING_CREATE["cards"][0],
    "ReadingRead": READING,
    "SharedReadingRead": {
        key: value
        for key, value in READING.items()
        if key not in ("seed", "attempts", "usage", "error")
    },
    "ReadingSummary": READING_SUMMARY,
    "FollowUpSummary": FOLLOW_UP,
    "Page_ReadingSummary_": {"items": [READING_SUMMARY], "total": 1, "limit": 20, "offset": 0},
    "UserCreate": USER_CREATE,
    "Login": LOGIN,
    "TokenRead": TOKEN,
    "RefreshRequest": REFRESH,
    "SessionRead": SESSION,
    "PasswordChange": PASSWORD_CHANGE,
    "UserRead": USER,
    "ShareRead": SHARE,
    "Problem": PROBLEM,
}
