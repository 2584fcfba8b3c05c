import Foundation
import SQLKit

/// Versioned schema changes, applied in order at start-up; each runs in its own transaction
/// and is recorded in `schema_migrations`, so a restart applies only what is new.
enum Migrations {
    /// Statements per version. Types are chosen to mean the same in SQLite and PostgreSQL:
    /// ids are TEXT (UUIDs), times are BIGINT milliseconds since the epoch, flags SMALLINT.
    static let all: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    phone TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE otp_codes (
                    phone TEXT PRIMARY KEY,
                    code_hash TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    failed_attempts INTEGER NOT NULL,
                    sent_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE otp_sends (
                    id TEXT PRIMARY KEY,
                    phone TEXT NOT NULL,
                    client_ip TEXT NOT NULL,
                    sent_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX otp_sends_phone ON otp_sends (phone, sent_at)",
                "CREATE INDEX otp_sends_ip ON otp_sends (client_ip, sent_at)",
                """
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    family_id TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    used_at BIGINT,
                    revoked SMALLINT NOT NULL
                )
                """,
                "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
                "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)",
                """
                CREATE TABLE todos (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    title TEXT NOT NULL,
                    notes TEXT,
                    completed SMALLINT NOT NULL,
                    due_at BIGINT,
                    completed_at BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX todos_user_created ON todos (user_id, created_at DESC, id DESC)",
                """
                CREATE TABLE idempotency_keys (
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    idempotency_key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    response_json TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (user_id, idempotency_key)
                )
                """,
                "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
            ]
        ),
        (
            2,
            [
                """
                CREATE TABLE calls (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX calls_user_status ON calls (user_id, status, created_at)",
                """
                CREATE TABLE transcripts (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    call_id TEXT NOT NULL UNIQUE,
                    direction TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at BIGINT NOT NULL,
                    ended_at BIGINT,
                    duration_seconds DOUBLE PRECISION,
                    summary TEXT,
                    disconnection_reason TEXT,
                    user_sentiment TEXT,
                    call_successful SMALLINT,
                    turns TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX transcripts_user_started ON transcripts (user_id, started_at DESC, id DESC)",
                """
                CREATE TABLE webhook_events (
                    call_id TEXT NOT NULL,
                    event TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    PRIMARY KEY (call_id, event)
                )
                """,
            ]
        ),
        // Per-user API rate: one counter per user and one-minute window, shared by every instance.
        (
            3,
            [
                """
                CREATE TABLE api_usage (
                    user_id TEXT NOT NULL,
                    window_start BIGINT NOT NULL,
                    requests INTEGER NOT NULL,
                    PRIMARY KEY (user_id, window_start)
                )
                """
            ]
        ),
    ]

    static func apply(_ db: AppDatabase) async throws {
        try await db.withSQL { sql in
            try await sql.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for migration in all {
            try await db.transaction { sql in
                // Several instances may start at once on one PostgreSQL: one migrates, the others wait.
                if db.dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7351001)").run() }
                let done = try await sql.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard done == nil else { return }
                for statement in migration.statements { try await sql.raw(SQLQueryString(statement)).run() }
                try await sql.raw(
                    """
                    INSERT INTO schema_migrations (version, applied_at)
                    VALUES (\(bind: migration.version), \(bind: SystemTime().nowMillis))
                    """
                ).run()
            }
        }
    }
}
