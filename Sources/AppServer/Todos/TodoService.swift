import Foundation
import SQLKit
import TodoAgentAPI
import TodoAgentServer

/// To-dos of one user at a time: every query is scoped by `user_id`, so another user's to-do
/// answers exactly like one that does not exist.
struct TodoService: Sendable {
    let db: AppDatabase
    /// Creation and update times, and the idempotency window, follow it (tests set the time).
    var timeSource: any TimeSource = SystemTime()
    var idempotencyWindow: Int64 = 24 * 3600 * 1000

    static let columns = "id, title, notes, completed, due_at, completed_at, created_at, updated_at"

    func list(userID: String, limit: Int, cursor: String?, status: TodoStatusFilter) async throws -> TodoPage {
        let after = try PageCursor.position(after: cursor)
        let filter: SQLQueryString =
            switch status {
            case .open: " AND completed = 0"
            case .completed: " AND completed = 1"
            default: ""
            }
        let records = try await db.read { sql in
            var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM todos WHERE user_id = \(bind: userID)"
            query = query + filter
            if let (createdAt, id) = after {
                query =
                    query + """
                         AND (created_at < \(bind: createdAt) OR (created_at = \(bind: createdAt) AND id < \(bind: id)))
                        """
            }
            query = query + " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)"
            return try await sql.raw(query).all(decoding: TodoRecord.self)
        }
        let (items, next) = PageCursor.page(try records.map { try $0.todo() }, limit: limit) {
            ($0.createdAt.millis, $0.id.parameterText)
        }
        return TodoPage(items: items, nextCursor: next)
    }

    func create(userID: String, body: TodoCreate, idempotencyKey: String?) async throws -> Todo {
        let title = body.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let notes = body.notes
        let dueAt = body.dueAt
        let now = timeSource.nowMillis
        let todo = Todo(
            id: UUID(), title: title, notes: notes, completed: false, dueAt: dueAt, completedAt: nil,
            createdAt: Date(millis: now), updatedAt: Date(millis: now))
        let insert: SQLQueryString = """
            INSERT INTO todos (id, user_id, title, notes, completed, due_at, completed_at, created_at, updated_at)
            VALUES (
                \(bind: todo.id.parameterText), \(bind: userID), \(bind: title), \(bind: notes), 0,
                \(bind: dueAt?.millis),
                NULL, \(bind: now), \(bind: now)
            )
            """
        guard let idempotencyKey else {
            // One statement is its own transaction (on SQLite it joins the current group commit).
            try await db.withSQL { sql in try await sql.raw(insert).run() }
            return todo
        }
        let requestHash = Secrets.sha256(String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self))
        let json = String(decoding: try JSONCoding.encoder.encode(todo), as: UTF8.self)
        let window = idempotencyWindow
        return try await db.transaction { sql in
            try await sql.raw(
                """
                DELETE FROM idempotency_keys WHERE user_id = \(bind: userID) AND created_at < \(bind: now - window)
                """
            ).run()
            // The key is claimed first: a second request with the same key, on this instance or
            // another, waits for this transaction and then finds the stored answer.
            let claimed =
                try await sql.raw(
                    """
                    INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, response_json, created_at)
                    VALUES (\(bind: userID), \(bind: idempotencyKey), \(bind: requestHash), \(bind: json), \(bind: now))
                    ON CONFLICT (user_id, idempotency_key) DO NOTHING
                    RETURNING created_at
                    """
                ).first() != nil
            if claimed {
                try await sql.raw(insert).run()
                return todo
            }
            guard
                let stored = try await sql.raw(
                    """
                    SELECT request_hash, response_json FROM idempotency_keys
                    WHERE user_id = \(bind: userID) AND idempotency_key = \(bind: idempotencyKey)
                    """
                ).first(decoding: IdempotencyRecord.self)
            else { throw APIError(.internalError, detail: "The Idempotency-Key was claimed and is gone.") }
            guard stored.requestHash == requestHash else {
                throw APIError(.idempotencyKeyReused, detail: "This Idempotency-Key was used with a different body.")
            }
            return try JSONCoding.decoder.decode(Todo.self, from: Data(stored.responseJSON.utf8))
        }
    }

    func get(userID: String, id: UUID) async throws -> Todo {
        let record = try await db.read { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM todos
                WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)
                """
            ).first(decoding: TodoRecord.self)
        }
        guard let record else { throw Self.notFound }
        return try record.todo()
    }

    func update(userID: String, id: UUID, change: TodoUpdate) async throws -> Todo {
        let now = timeSource.nowMillis
        return try await db.transaction { sql in
            guard
                let record = try await sql.raw(
                    """
                    SELECT \(unsafeRaw: Self.columns) FROM todos
                    WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)
                    """
                ).first(decoding: TodoRecord.self)
            else { throw Self.notFound }
            var todo = try record.todo()
            if let title = change.title { todo.title = title.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let notes = change.notes { todo.notes = notes.wrapped }
            if let dueAt = change.dueAt { todo.dueAt = dueAt.wrapped }
            if let completed = change.completed, completed != todo.completed {
                todo.completed = completed
                todo.completedAt = completed ? Date(millis: now) : nil
            }
            todo.updatedAt = Date(millis: now)
            try await sql.raw(
                """
                UPDATE todos SET title = \(bind: todo.title), notes = \(bind: todo.notes),
                completed = \(bind: todo.completed ? 1 : 0), due_at = \(bind: todo.dueAt?.millis),
                completed_at = \(bind: todo.completedAt?.millis), updated_at = \(bind: now)
                WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)
                """
            ).run()
            return todo
        }
    }

    func delete(userID: String, id: UUID) async throws {
        let deleted = try await db.transaction { sql in
            guard
                try await sql.raw(
                    "SELECT id FROM todos WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)"
                ).first() != nil
            else { return false }
            try await sql.raw("DELETE FROM todos WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)")
                .run()
            return true
        }
        if !deleted { throw Self.notFound }
    }

    static var notFound: APIError { APIError(.todoNotFound, detail: "There is no such to-do.") }

}

/// A `todos` row as stored: times in milliseconds, the flag as a number.
struct TodoRecord: Codable, Sendable {
    var id: String
    var title: String
    var notes: String?
    var completed: Int
    var dueAt: Int64?
    var completedAt: Int64?
    var createdAt: Int64
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, title, notes, completed
        case dueAt = "due_at", completedAt = "completed_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    func todo() throws -> Todo {
        guard let uuid = UUID(uuidString: id) else { throw CorruptRow(table: "todos", column: "id") }
        return Todo(
            id: uuid, title: title, notes: notes, completed: completed != 0, dueAt: dueAt.map(Date.init(millis:)),
            completedAt: completedAt.map(Date.init(millis:)), createdAt: Date(millis: createdAt),
            updatedAt: Date(millis: updatedAt))
    }
}

/// An `idempotency_keys` row: the request it answered and the answer.
struct IdempotencyRecord: Codable, Sendable {
    var requestHash: String
    var responseJSON: String

    enum CodingKeys: String, CodingKey {
        case requestHash = "request_hash", responseJSON = "response_json"
    }
}

/// A stored value this server could not have written.
struct CorruptRow: Error, CustomStringConvertible {
    var table: String
    var column: String
    var description: String { "\(table).\(column) holds a value this server does not write" }
}

/// Opaque page cursors: the last item's sort key, base64url.
enum PageCursor {
    static func encode(_ createdAt: Int64, _ id: String) -> String {
        Data("\(createdAt):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    /// The position a `cursor` query names (nil for the first page); a cursor this server did
    /// not issue is a validation failure of `/query/cursor`.
    static func position(after cursor: String?) throws -> (Int64, String)? {
        guard let cursor else { return nil }
        guard let decoded = decode(cursor) else {
            throw APIError(.validationFailed, detail: "The cursor is not one this server issued.") {
                $0.errors = [FieldError(field: "/query/cursor", code: "format", message: "is not a valid cursor")]
            }
        }
        return decoded
    }

    /// A page from up to `limit + 1` rows: the extra row only says there is more; the cursor
    /// names the last row kept.
    static func page<Item>(_ rows: [Item], limit: Int, position: (Item) -> (Int64, String)) -> ([Item], String?) {
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (
            items,
            items.last.map {
                let (time, id) = position($0); return encode(time, id)
            }
        )
    }

    static func decode(_ cursor: String) -> (Int64, String)? {
        guard let data = AccessTokens.base64URLDecode(Substring(cursor)), let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let createdAt = Int64(parts[0]), UUID(uuidString: String(parts[1])) != nil else {
            return nil
        }
        return (createdAt, String(parts[1]))
    }
}
