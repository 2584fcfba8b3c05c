"""The Python peer of app-server for scripts/bench-server: FastAPI + SQLAlchemy (async, 2.x).

It implements what the benchmark exercises, with the contract's shapes (spec/api.yaml):
OTP sign-in of demo accounts (hashed codes, one-time use), HS256 JWT bearer auth that also
checks the user still exists, POST /v1/todos (201, Location) and GET /v1/todos (cursor
pagination, status filter), on SQLite (WAL, busy timeout, synchronous=NORMAL) or PostgreSQL
(asyncpg pool). It is written the way a FastAPI service usually is: a session per request,
ORM models, pydantic bodies.

Run:  PEER_DATABASE_URL=sqlite+aiosqlite:///path.sqlite python peer.py init
      uvicorn peer:app --workers 2 --loop uvloop --http httptools
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Annotated, AsyncIterator, Optional

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("PEER_DATABASE_URL", "sqlite+aiosqlite:///peer.sqlite")
JWT_KEY = os.environ.get("PEER_JWT_KEY", "contract-test-jwt-key-0123456789abcdef")
JWT_ISSUER = "https://api.todo-agent.test"
JWT_AUDIENCE = "todo-agent-ios"
DEMO_ACCOUNTS = {"+15555550100": "123456", "+15555550101": "123456"}
ACCESS_LIFETIME = 15 * 60
REFRESH_LIFETIME = 30 * 24 * 3600


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    phone: Mapped[str] = mapped_column(String, unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class OtpCodeRow(Base):
    __tablename__ = "otp_codes"
    phone: Mapped[str] = mapped_column(String, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    failed_attempts: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[int] = mapped_column(BigInteger)


class RefreshTokenRow(Base):
    __tablename__ = "refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, index=True)
    family_id: Mapped[str] = mapped_column(String)
    expires_at: Mapped[int] = mapped_column(BigInteger)


class TodoRow(Base):
    __tablename__ = "todos"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(String)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    completed: Mapped[int] = mapped_column(SmallInteger)
    due_at: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    completed_at: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("todos_user_created", "user_id", created_at.desc(), id.desc()),)


def make_engine():
    if DATABASE_URL.startswith("sqlite"):
        engine = create_async_engine(DATABASE_URL, connect_args={"timeout": 5})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection, _record):  # WAL, like app-server
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.close()

        return engine
    return create_async_engine(DATABASE_URL, pool_size=10, max_overflow=10)


engine = make_engine()
Sessions = async_sessionmaker(engine, expire_on_commit=False)


async def session() -> AsyncIterator[AsyncSession]:
    async with Sessions() as s:
        yield s


app = FastAPI()


def now_millis() -> int:
    return int(time.time() * 1000)


def iso(millis: Optional[int]) -> Optional[str]:
    if millis is None:
        return None
    moment = datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def parse_time(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def problem(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "https://errors.todo-agent.test/" + code.lower().replace("_", "-"), "title": code,
         "status": status, "code": code, "detail": detail},
        status_code=status, media_type="application/problem+json")


class ProblemError(Exception):
    def __init__(self, status: int, code: str, detail: str):
        self.status, self.code, self.detail = status, code, detail


@app.exception_handler(ProblemError)
async def _problem(_request: Request, error: ProblemError):
    return problem(error.status, error.code, error.detail)


def code_hash(code: str, phone: str) -> str:
    return hmac.new(JWT_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


class OtpStart(BaseModel):
    phone: str = Field(min_length=1, max_length=32)


class OtpVerify(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(pattern=r"^[0-9]{6}$")


class TodoCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")
    notes: Optional[str] = Field(default=None, max_length=5000)
    due_at: Optional[str] = None

    @field_validator("due_at")
    @classmethod
    def _due(cls, value):
        if value is not None:
            parse_time(value)
        return value


def todo_json(row: TodoRow) -> dict:
    return {"id": row.id, "title": row.title, "notes": row.notes, "completed": bool(row.completed),
            "due_at": iso(row.due_at), "completed_at": iso(row.completed_at),
            "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.post("/v1/auth/otp/start", status_code=202)
async def otp_start(body: OtpStart, db: Annotated[AsyncSession, Depends(session)]):
    phone = body.phone
    code = DEMO_ACCOUNTS.get(phone)
    if code is None:  # The benchmark signs in demo accounts only; SMS is not part of it.
        raise ProblemError(422, "PHONE_INVALID", "Only demo accounts can sign in to the peer.")
    now = now_millis()
    row = await db.get(OtpCodeRow, phone)
    if row is None:
        db.add(OtpCodeRow(phone=phone, code_hash=code_hash(code, phone), expires_at=now + 300_000,
                          failed_attempts=0, sent_at=now))
    else:
        row.code_hash, row.expires_at, row.failed_attempts, row.sent_at = code_hash(code, phone), now + 300_000, 0, now
    await db.commit()
    return {"phone": phone, "expires_in": 300, "resend_after": 30}


@app.post("/v1/auth/otp/verify")
async def otp_verify(body: OtpVerify, db: Annotated[AsyncSession, Depends(session)]):
    now = now_millis()
    row = await db.get(OtpCodeRow, body.phone)
    if row is None or row.expires_at <= now:
        raise ProblemError(400, "OTP_EXPIRED", "There is no live code for this phone number.")
    if not hmac.compare_digest(row.code_hash, code_hash(body.code, body.phone)):
        row.failed_attempts += 1
        await db.commit()
        raise ProblemError(400, "OTP_INVALID", "That code is wrong.")
    await db.delete(row)
    user = (await db.execute(select(UserRow).where(UserRow.phone == body.phone))).scalar_one_or_none()
    if user is None:
        user = UserRow(id=str(uuid.uuid4()), phone=body.phone, created_at=now)
        db.add(user)
    refresh = secrets.token_urlsafe(32)
    db.add(RefreshTokenRow(token_hash=hashlib.sha256(refresh.encode()).hexdigest(), user_id=user.id,
                           family_id=str(uuid.uuid4()), expires_at=now + REFRESH_LIFETIME * 1000))
    await db.commit()
    seconds = now // 1000
    access = jwt.encode({"sub": user.id, "iat": seconds, "exp": seconds + ACCESS_LIFETIME, "iss": JWT_ISSUER,
                         "aud": [JWT_AUDIENCE], "jti": str(uuid.uuid4())}, JWT_KEY, algorithm="HS256")
    return {"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_LIFETIME, "refresh_token": refresh,
            "refresh_expires_in": REFRESH_LIFETIME,
            "user": {"id": user.id, "phone": user.phone, "created_at": iso(user.created_at)}}


async def current_user(db: Annotated[AsyncSession, Depends(session)],
                       authorization: Annotated[Optional[str], Header()] = None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ProblemError(401, "AUTH_REQUIRED", "This route needs 'Authorization: Bearer <access token>'.")
    try:
        claims = jwt.decode(authorization[7:].strip(), JWT_KEY, algorithms=["HS256"], audience=JWT_AUDIENCE,
                            issuer=JWT_ISSUER)
    except jwt.ExpiredSignatureError:
        raise ProblemError(401, "TOKEN_EXPIRED", "The access token has expired; refresh it and retry.")
    except jwt.PyJWTError:
        raise ProblemError(401, "TOKEN_INVALID", "The access token is not valid.")
    # A deleted user's tokens are invalid, as in app-server.
    if await db.get(UserRow, claims["sub"]) is None:
        raise ProblemError(401, "TOKEN_INVALID", "The access token is not valid.")
    return claims["sub"]


def encode_cursor(created_at: int, todo_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at}:{todo_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, todo_id = text.split(":", 1)
        uuid.UUID(todo_id)
        return int(created_at), todo_id
    except ValueError:
        raise ProblemError(400, "VALIDATION_FAILED", "The cursor is not one this server issued.")


@app.post("/v1/todos", status_code=201)
async def create_todo(body: TodoCreate, response: Response, user_id: Annotated[str, Depends(current_user)],
                      db: Annotated[AsyncSession, Depends(session)]):
    now = now_millis()
    row = TodoRow(id=str(uuid.uuid4()), user_id=user_id, title=body.title.strip(), notes=body.notes, completed=0,
                  due_at=parse_time(body.due_at), completed_at=None, created_at=now, updated_at=now)
    db.add(row)
    await db.commit()
    response.headers["Location"] = f"/v1/todos/{row.id}"
    return todo_json(row)


@app.get("/v1/todos")
async def list_todos(user_id: Annotated[str, Depends(current_user)], db: Annotated[AsyncSession, Depends(session)],
                     limit: Annotated[int, Query(ge=1, le=100)] = 50, cursor: Optional[str] = None,
                     status: Annotated[str, Query(pattern="^(all|open|completed)$")] = "all"):
    query = select(TodoRow).where(TodoRow.user_id == user_id)
    if status == "open":
        query = query.where(TodoRow.completed == 0)
    elif status == "completed":
        query = query.where(TodoRow.completed == 1)
    if cursor is not None:
        created_at, todo_id = decode_cursor(cursor)
        query = query.where((TodoRow.created_at < created_at)
                            | ((TodoRow.created_at == created_at) & (TodoRow.id < todo_id)))
    query = query.order_by(TodoRow.created_at.desc(), TodoRow.id.desc()).limit(limit + 1)
    rows = (await db.execute(query)).scalars().all()
    items = rows[:limit]
    next_cursor = encode_cursor(items[-1].created_at, items[-1].id) if len(rows) > limit else None
    return {"items": [todo_json(row) for row in items], "next_cursor": next_cursor}


async def init() -> None:
    """Creates the schema once, before the workers start (two workers racing create_all would fail)."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()


if __name__ == "__main__" and sys.argv[1:] == ["init"]:
    import asyncio

    asyncio.run(init())
