import Foundation
import SQLKit

/// Counts authenticated requests per user and one-minute window in the database, so every
/// instance shares one count, and checks on the way that the user still exists and the token's
/// session was not revoked (logout, refresh-token reuse).
///
/// The count stays exact without a statement per request: requests that arrive while a count is
/// being written wait for the next one, which adds all of them at once (per user, session and
/// window) and hands each its own position in the returned total. One write is in flight per
/// instance at a time; under load that is one statement for hundreds of requests.
final class RequestCounter: @unchecked Sendable {
    struct Key: Hashable, Sendable {
        var userID: String
        var sessionID: String?
        var window: Int64
    }

    private weak var db: AppDatabase?
    private let lock = NSLock()
    private var pending: [Key: [CheckedContinuation<Int?, any Error>]] = [:]
    private var order: [Key] = []
    private var running = false

    func attach(_ db: AppDatabase) { self.db = db }

    /// This request's number in the user's window (1 for the first), or nil when the user no
    /// longer exists or the session was revoked.
    func count(userID: String, sessionID: String?, window: Int64) async throws -> Int? {
        let key = Key(userID: userID, sessionID: sessionID, window: window)
        return try await withCheckedThrowingContinuation { continuation in
            let start: Bool = lock.withLock {
                if pending[key] == nil { order.append(key) }
                pending[key, default: []].append(continuation)
                if running { return false }
                running = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch: [(Key, [CheckedContinuation<Int?, any Error>])]? = lock.withLock {
                if order.isEmpty {
                    running = false
                    return nil
                }
                let batch = order.map { ($0, pending[$0] ?? []) }
                order.removeAll()
                pending.removeAll()
                return batch
            }
            guard let batch else { return }
            await write(batch)
        }
    }

    private func write(_ batch: [(Key, [CheckedContinuation<Int?, any Error>])]) async {
        guard let db else {
            for (_, waiters) in batch {
                for waiter in waiters { waiter.resume(throwing: GroupCommitter.DatabaseClosed()) }
            }
            return
        }
        let counts = batch.map { ($0.0, $0.1.count) }
        do {
            let totals = try await db.withSQL { sql in
                var totals: [Int?] = []
                for (key, added) in counts { totals.append(try await Self.add(added, to: key, sql)) }
                return totals
            }
            for ((_, waiters), total) in zip(batch, totals) {
                for (index, waiter) in waiters.enumerated() {
                    waiter.resume(returning: total.map { $0 - waiters.count + 1 + index })
                }
            }
        } catch {
            for (_, waiters) in batch { for waiter in waiters { waiter.resume(throwing: error) } }
        }
    }

    /// One upsert: nothing is inserted (nil) for a user that is gone or a revoked session.
    private static func add(_ added: Int, to key: Key, _ sql: any SQLDatabase) async throws -> Int? {
        var query: SQLQueryString = """
            INSERT INTO api_usage (user_id, window_start, requests)
            SELECT id, \(bind: key.window), \(bind: added) FROM users WHERE id = \(bind: key.userID)
            """
        if let session = key.sessionID {
            query =
                query + """
                     AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = \(bind: session) AND revoked <> 0)
                    """
        }
        query =
            query + """
                 ON CONFLICT (user_id, window_start) DO UPDATE SET requests = api_usage.requests + excluded.requests
                RETURNING requests
                """
        let total = try await sql.raw(query).first()?.decode(column: "requests", as: Int.self)
        if let total, total == added {
            // The window's first requests clear the user's older windows.
            try await sql.raw(
                "DELETE FROM api_usage WHERE user_id = \(bind: key.userID) AND window_start < \(bind: key.window)"
            )
            .run()
        }
        return total
    }
}
