import Foundation
import Logging
import SQLKit
import TodoAgentAPI
import TodoAgentServer

/// Calls placed by the voice agent, Retell's webhooks, and the transcripts they leave.
struct CallService: Sendable {
    let db: AppDatabase
    let retell: RetellClient?
    let logger: Logger
    let timeSource: any TimeSource
    /// A call still `registered` or `ongoing` after this long is treated as over (its webhooks were lost).
    var staleAfter: Int64 = 2 * 3600 * 1000

    // MARK: Calls

    func createCall(userID: String) async throws -> Call {
        guard let retell else {
            throw APIError(.aiAgentUnavailable, detail: "No voice agent is configured on this server.", retryAfter: 60)
        }
        let now = timeSource.nowMillis
        let placeholder = "pending-" + UUID().uuidString.lowercased()
        let staleAfter = self.staleAfter
        // Reserve the user's single call slot first, so two taps cannot place two calls.
        let (phone, todos) = try await db.transaction { sql -> (String, [String]) in
            let active = try await sql.raw(
                """
                SELECT id FROM calls WHERE user_id = \(bind: userID) AND status IN ('registered', 'ongoing')
                AND created_at > \(bind: now - staleAfter)
                """
            ).first()
            if active != nil { throw APIError(.callInProgress, detail: "You already have a call that has not ended.") }
            guard
                let phone = try await sql.raw("SELECT phone FROM users WHERE id = \(bind: userID)").first(
                    decodingColumn: "phone", as: String.self)
            else { throw APIError(.tokenInvalid, detail: "The account no longer exists.") }
            let todos = try await sql.raw(
                """
                SELECT title FROM todos WHERE user_id = \(bind: userID) AND completed = 0
                ORDER BY created_at DESC, id DESC LIMIT 20
                """
            ).all(decodingColumn: "title", as: String.self)
            try await sql.raw(
                """
                INSERT INTO calls (id, user_id, status, created_at, updated_at)
                VALUES (\(bind: placeholder), \(bind: userID), 'registered', \(bind: now), \(bind: now))
                """
            ).run()
            return (phone, todos)
        }
        do {
            let created = try await retell.createPhoneCall(to: phone, userID: userID, openTodos: todos)
            let status = CallStatus(rawValue: created.call_status ?? "registered")
            try await db.withSQL { sql in
                try await sql.raw(
                    """
                    UPDATE calls SET id = \(bind: created.call_id), status = \(bind: status.rawValue)
                    WHERE id = \(bind: placeholder)
                    """
                ).run()
            }
            return Call(id: created.call_id, status: status, createdAt: Date(millis: now))
        } catch {
            try? await db.withSQL { sql in try await sql.raw("DELETE FROM calls WHERE id = \(bind: placeholder)").run()
            }
            switch error {
            case ProviderFailure.busy:
                throw APIError(.aiAgentBusy, detail: "AI agent is busy, please try again in a minute.", retryAfter: 60)
            default:
                throw APIError(
                    .aiAgentUnavailable, detail: "The voice agent could not be reached; try again later.",
                    retryAfter: 60)
            }
        }
    }

    // MARK: Webhooks

    /// Applies one Retell event once: a redelivery (same call and event) changes nothing. Other
    /// events (chat events carry no `call`) are accepted and ignored: Retell retries anything
    /// but a 2xx, and a retry cannot make them applicable.
    func apply(_ event: RetellWebhookEvent) async throws {
        let known = ["call_started", "call_ended", "call_analyzed"]
        guard known.contains(event.event) else { return }
        guard let call = event.call else {
            logger.warning("ignored a call event without a call object", metadata: ["event": .string(event.event)])
            return
        }
        let now = timeSource.nowMillis
        try await db.transaction { sql in
            let fresh = try await sql.raw(
                """
                INSERT INTO webhook_events (call_id, event, received_at)
                VALUES (\(bind: call.callID), \(bind: event.event), \(bind: now))
                ON CONFLICT (call_id, event) DO NOTHING RETURNING call_id
                """
            ).first()
            guard fresh != nil else { return }
            guard let userID = try await Self.owner(of: call, sql) else { return }

            let existing = try await sql.raw("SELECT id, status FROM transcripts WHERE call_id = \(bind: call.callID)")
                .first()
            let ended = event.event != "call_started"
            let failed = call.callStatus == "error" || call.callStatus == "not_connected"
            let status = failed ? "error" : (ended ? "ended" : "ongoing")
            let startedAt = Int64(call.startTimestamp ?? Int(now))
            let endedAt = call.endTimestamp.map(Int64.init)
            let duration =
                call.durationMs.map { Double($0) / 1000 }
                ?? {
                    guard let start = call.startTimestamp, let end = call.endTimestamp else { return nil }
                    return Double(end - start) / 1000
                }()
            let turns = String(
                decoding: try JSONCoding.encoder.encode(Self.turns(call.transcriptObject ?? [])), as: UTF8.self)
            let direction = call.direction == "inbound" ? "inbound" : "outbound"
            let analysis = call.callAnalysis
            let sentiment = analysis?.userSentiment.map { $0.lowercased() }.map {
                ["positive", "negative", "neutral", "unknown"].contains($0) ? $0 : "unknown"
            }
            let successful: Int? = analysis?.callSuccessful.map { $0 ? 1 : 0 }

            if let existing {
                let id = try existing.decode(column: "id", as: String.self)
                let current = try existing.decode(column: "status", as: String.self)
                // Events can arrive out of order: never go back from ended to ongoing.
                let newStatus = current != "ongoing" && status == "ongoing" ? current : status
                var update: SQLQueryString = "UPDATE transcripts SET status = \(bind: newStatus)"
                if call.startTimestamp != nil { update = update + ", started_at = \(bind: startedAt)" }
                if let endedAt { update = update + ", ended_at = \(bind: endedAt)" }
                if let duration { update = update + ", duration_seconds = \(bind: duration)" }
                if let reason = call.disconnectionReason {
                    update = update + ", disconnection_reason = \(bind: reason)"
                }
                if call.transcriptObject?.isEmpty == false { update = update + ", turns = \(bind: turns)" }
                if let summary = analysis?.callSummary { update = update + ", summary = \(bind: summary)" }
                if let sentiment { update = update + ", user_sentiment = \(bind: sentiment)" }
                if let successful { update = update + ", call_successful = \(bind: successful)" }
                try await sql.raw(update + " WHERE id = \(bind: id)").run()
            } else {
                try await sql.raw(
                    """
                    INSERT INTO transcripts (
                        id, user_id, call_id, direction, status, started_at, ended_at, duration_seconds,
                        summary, disconnection_reason, user_sentiment, call_successful, turns, created_at)
                    VALUES (
                        \(bind: UUID().uuidString.lowercased()), \(bind: userID), \(bind: call.callID),
                        \(bind: direction), \(bind: status), \(bind: startedAt), \(bind: endedAt), \(bind: duration),
                        \(bind: analysis?.callSummary), \(bind: call.disconnectionReason), \(bind: sentiment),
                        \(bind: successful), \(bind: turns), \(bind: now))
                    """
                ).run()
            }
            let callStatus = failed ? "error" : (ended ? "ended" : "ongoing")
            try await sql.raw(
                """
                UPDATE calls SET status = \(bind: callStatus), updated_at = \(bind: now)
                WHERE id = \(bind: call.callID) AND status <> 'ended'
                """
            ).run()
        }
    }

    /// The user a call belongs to: `metadata.user_id` set at creation, else the user whose phone
    /// is the call's other end.
    static func owner(of call: RetellCall, _ sql: any SQLDatabase) async throws -> String? {
        if case .string(let userID)? = call.metadata?["user_id"],
            try await sql.raw("SELECT id FROM users WHERE id = \(bind: userID)").first() != nil
        {
            return userID
        }
        let phone = call.direction == "inbound" ? call.fromNumber : call.toNumber
        guard let phone else { return nil }
        return try await sql.raw("SELECT id FROM users WHERE phone = \(bind: phone)").first(
            decodingColumn: "id", as: String.self)
    }

    static func turns(_ utterances: [RetellUtterance]) -> [TranscriptTurn] {
        utterances.compactMap { utterance in
            guard utterance.role == "agent" || utterance.role == "user" else { return nil }
            return TranscriptTurn(
                role: TranscriptTurn.Role(rawValue: utterance.role), content: utterance.content,
                startSeconds: utterance.words?.first?.start, endSeconds: utterance.words?.last?.end)
        }
    }

    // MARK: Transcripts

    static let summaryColumns = "id, call_id, direction, status, started_at, ended_at, duration_seconds, summary"

    func list(userID: String, limit: Int, cursor: String?) async throws -> TranscriptPage {
        let after = try PageCursor.position(after: cursor)
        let rows = try await db.withSQL { sql in
            var query: SQLQueryString =
                "SELECT \(unsafeRaw: Self.summaryColumns) FROM transcripts WHERE user_id = \(bind: userID)"
            if let (startedAt, id) = after {
                query =
                    query
                    + " AND (started_at < \(bind: startedAt) OR (started_at = \(bind: startedAt) AND id < \(bind: id)))"
            }
            return try await sql.raw(query + " ORDER BY started_at DESC, id DESC LIMIT \(bind: limit + 1)").all()
        }
        let (items, next) = PageCursor.page(try rows.map(Self.summary), limit: limit) {
            ($0.startedAt.millis, $0.id.parameterText)
        }
        return TranscriptPage(items: items, nextCursor: next)
    }

    func get(userID: String, id: UUID) async throws -> Transcript {
        let row = try await db.withSQL { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.summaryColumns), disconnection_reason, user_sentiment, call_successful, turns
                FROM transcripts WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)
                """
            ).first()
        }
        guard let row else { throw APIError(.transcriptNotFound, detail: "There is no such transcript.") }
        let s = try Self.summary(row)
        let turns = try JSONCoding.decoder.decode(
            [TranscriptTurn].self, from: Data(try row.decode(column: "turns", as: String.self).utf8))
        return Transcript(
            id: s.id, callID: s.callID, direction: s.direction, status: s.status, startedAt: s.startedAt,
            endedAt: s.endedAt,
            durationSeconds: s.durationSeconds, summary: s.summary,
            disconnectionReason: try row.decode(column: "disconnection_reason", as: String?.self),
            userSentiment: try row.decode(column: "user_sentiment", as: String?.self).map(
                UserSentiment.init(rawValue:)),
            callSuccessful: try row.decode(column: "call_successful", as: Int?.self).map { $0 != 0 }, turns: turns)
    }

    static func summary(_ row: any SQLRow) throws -> TranscriptSummary {
        TranscriptSummary(
            id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
            callID: try row.decode(column: "call_id", as: String.self),
            direction: CallDirection(rawValue: try row.decode(column: "direction", as: String.self)),
            status: TranscriptStatus(rawValue: try row.decode(column: "status", as: String.self)),
            startedAt: Date(millis: try row.decode(column: "started_at", as: Int64.self)),
            endedAt: try row.decode(column: "ended_at", as: Int64?.self).map(Date.init(millis:)),
            durationSeconds: try row.decode(column: "duration_seconds", as: Double?.self),
            summary: try row.decode(column: "summary", as: String?.self))
    }
}
